// The XML reader, on nmap XML recorded from our fleet and on real files from nmap 4.x to 7.x.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeText, parseNmapXml } from '../../src/nmap/parse.js';
import { fixturesDir, sharedDir } from '../helpers/paths.js';

const fixture = (name: string): string => readFileSync(join(fixturesDir, 'nmap', name), 'utf8');
const corpusDir = join(sharedDir, 'corpus/nmap-xml');
const noCorpus = existsSync(corpusDir) ? false : `no nmap XML corpus at ${corpusDir}`;

/** Counts elements by a plain text search: a reading independent of the parser under test. */
const countTags = (xml: string, tag: string): number =>
  (xml.match(new RegExp(`<${tag}[\\s>/]`, 'g')) ?? []).length;

describe('nmap XML reader', () => {
  it('reads every host, address, port, state, reason and service of a fleet scan', () => {
    const run = parseNmapXml(fixture('fleet-ipv4.xml'));
    assert.equal(run.version, '7.93');
    assert.equal(run.complete, true);
    assert.equal(run.finished?.exit, 'success');
    assert.deepEqual(run.hostCounts, { up: 2, down: 1, total: 3 });
    assert.deepEqual(run.scanInfo, [
      { type: 'syn', protocol: 'tcp', numservices: 7, services: '22,80,443,2222,5432,6379,27017' },
    ]);
    // hosthint elements are not hosts.
    assert.deepEqual(
      run.hosts.map((h) => [h.addresses.map((a) => a.addrtype).join('+'), h.status]),
      [
        ['ipv4', 'down'],
        ['ipv4+mac', 'up'],
        ['ipv4+mac', 'up'],
      ],
    );
    const db = run.hosts.find((h) => h.addresses[0]?.addr === '203.0.113.21');
    assert.deepEqual(
      db?.ports.map((p) => `${p.port}/${p.protocol} ${p.state} ${p.reason}`),
      [
        '22/tcp closed reset',
        '80/tcp closed reset',
        '443/tcp closed reset',
        '2222/tcp open syn-ack',
        '5432/tcp filtered no-response',
        '6379/tcp closed reset',
        '27017/tcp open syn-ack',
      ],
    );
    assert.deepEqual(db?.ports[3]?.service, {
      name: 'ssh',
      extrainfo: 'protocol 2.0',
      method: 'probed',
    });
    assert.match(run.args, /--version-light/, 'the -&#45; in args is decoded');
  });

  it('reads IPv6 hosts and UDP states, with extraports per protocol', () => {
    const v6 = parseNmapXml(fixture('fleet-ipv6.xml'));
    assert.equal(v6.hosts[0]?.addresses[0]?.addrtype, 'ipv6');
    assert.equal(v6.hosts[0]?.addresses[0]?.addr, '2001:db8::20');
    const udp = parseNmapXml(fixture('fleet-udp.xml'));
    const states = new Map(udp.hosts[0]?.ports.map((p) => [p.port, p.state]));
    assert.equal(states.get(53), 'open');
    const folded = udp.hosts[0]?.extraports ?? [];
    const silent = [161, 162].map(
      (p) =>
        states.get(p) ??
        folded.find((e) => e.reasons.some((r) => r.ports?.split(',').includes(String(p))))?.state,
    );
    assert.deepEqual(silent, ['open|filtered', 'closed']);
  });

  it('decodes nmap byte references as UTF-8 and XML entities once', () => {
    assert.equal(
      decodeText('Caf&#xc3;&#xa9; &lt;b&gt; &amp;amp; &#45;&#45;x &#x263a;'),
      'Café <b> &amp; --x ☺',
    );
    assert.equal(decodeText('bad &#xff; byte'), 'bad \ufffd byte');
    const run = parseNmapXml(
      '<nmaprun><host><status state="up" reason="syn-ack"/><address addr="203.0.113.5" addrtype="ipv4"/>' +
        '<ports><port protocol="tcp" portid="22"><state state="open" reason="syn-ack"/>' +
        '<service name="ssh" product="Caf&#xc3;&#xa9;&#xa;SSH"/></port></ports></host></nmaprun>',
    );
    assert.equal(run.hosts[0]?.ports[0]?.service?.product, 'Café\nSSH');
  });

  it('never expands entities a file declares, and never reads a local file', () => {
    const hostile =
      '<?xml version="1.0"?>\n<!DOCTYPE nmaprun [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n' +
      '<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">\n]>\n' +
      '<nmaprun><host><status state="up" reason="syn-ack"/><address addr="203.0.113.5" addrtype="ipv4"/>' +
      '<ports><port protocol="tcp" portid="80"><state state="open" reason="syn-ack"/>' +
      '<service name="http" product="&xxe;" version="&lol2;"/></port></ports></host></nmaprun>';
    const service = parseNmapXml(hostile).hosts[0]?.ports[0]?.service;
    assert.equal(service?.product, '&xxe;');
    assert.equal(service?.version, '&lol2;');
  });

  it('reads every host nmap finished from a file cut off mid-scan', () => {
    const xml = fixture('fleet-ipv4.xml');
    const cut = xml.slice(
      0,
      xml.indexOf('<port protocol="tcp" portid="80"', xml.lastIndexOf('203.0.113.21')),
    );
    const run = parseNmapXml(cut);
    assert.equal(run.complete, false);
    assert.deepEqual(
      run.hosts.map((h) => h.addresses[0]?.addr),
      ['203.0.113.250', '203.0.113.20'],
    );
    assert.equal(parseNmapXml(xml.slice(0, xml.indexOf('<hosthint>') + 20)).hosts.length, 0);
  });

  it('refuses what is not nmap XML, saying which file', () => {
    assert.throws(
      () => parseNmapXml('<html><body/></html>', 'scan.xml'),
      /scan\.xml is not nmap XML/,
    );
    assert.throws(() => parseNmapXml('', 'empty.xml'), /empty\.xml is not nmap XML/);
  });

  it('refuses a complete file with mismatched tags rather than dropping what they hold', () => {
    // The parser alone reads these without a word, and loses what the mismatched tags hold.
    const broken = fixture('fleet-ipv4.xml').replace('</ports>', '</port>');
    assert.throws(
      () => parseNmapXml(broken, 'broken.xml'),
      /^Error: broken\.xml is not well-formed XML: Expected closing tag .*, line \d+\./,
    );
    assert.throws(
      () => parseNmapXml('<nmaprun><host><status></host></nmaprun>', 'b.xml'),
      /b\.xml is not well-formed XML/,
    );
  });

  describe('real nmap XML from nmap 4.x to 7.x', { skip: noCorpus }, () => {
    const files = noCorpus ? [] : readdirSync(corpusDir).filter((f) => f.endsWith('.xml'));

    it('finds the corpus files', () => {
      assert.ok(files.length >= 8, files.join(', '));
    });

    for (const file of files) {
      it(`reads ${file}: every host and port, and port counts that add up`, () => {
        const xml = readFileSync(join(corpusDir, file), 'utf8');
        const run = parseNmapXml(xml, file);
        assert.equal(run.hosts.length, countTags(xml, 'host'));
        assert.equal(
          run.hosts.reduce((n, h) => n + h.ports.length, 0),
          countTags(xml, 'port'),
        );
        assert.ok(run.version.length > 0);
        for (const host of run.hosts.filter((h) => h.status === 'up' && h.extraports.length)) {
          for (const info of run.scanInfo) {
            const listed = host.ports.filter((p) => p.protocol === info.protocol).length;
            const folded = host.extraports
              .filter((e) => e.protocol === info.protocol)
              .reduce((n, e) => n + e.count, 0);
            assert.equal(listed + folded, info.numservices, `${file} ${info.protocol}`);
          }
        }
      });
    }

    it('reads complex.xml (nmap 4.90, TCP and UDP, scripts, OS) as nmap wrote it', () => {
      const run = parseNmapXml(readFileSync(join(corpusDir, 'complex.xml'), 'utf8'));
      assert.equal(run.version, '4.90RC2');
      assert.match(run.args, /--script=default,whois/);
      const host = run.hosts[0];
      assert.deepEqual(host?.hostnames, [{ name: 'scanme.nmap.org', type: 'PTR' }]);
      assert.deepEqual(
        host?.extraports.map((e) => [e.state, e.count, e.protocol]),
        [
          ['open|filtered', 99, 'udp'],
          ['filtered', 95, 'tcp'],
        ],
      );
      const ssh = host?.ports.find((p) => p.port === 22);
      assert.deepEqual(ssh?.service, {
        name: 'ssh',
        product: 'OpenSSH',
        version: '4.3',
        extrainfo: 'protocol 2.0',
        method: 'probed',
      });
      assert.match(ssh?.scripts?.[0]?.output ?? '', /\(DSA\)\n2048/);
      assert.equal(host?.ports.find((p) => p.port === 53 && p.protocol === 'udp')?.state, 'open');
    });
  });
});
