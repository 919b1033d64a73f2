// Bring your own scan: the built action compares nmap XML written elsewhere (nmap 4.x to 7.x)
// instead of scanning, and agrees with an independent reading of the same files.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runAction } from '../helpers/action.js';
import { fixturesDir, sharedDir } from '../helpers/paths.js';

const corpusDir = join(sharedDir, 'corpus/nmap-xml');
const noCorpus = existsSync(corpusDir) ? false : `no nmap XML corpus at ${corpusDir}`;

/** Open ports of hosts that are up, read with a regular expression, not with the action's parser. */
function openPortsByRegex(xml: string): string[] {
  const out: string[] = [];
  for (const host of xml.split(/<host[\s>]/).slice(1)) {
    if (!/<status state="up"/.test(host)) continue;
    const addr = /<address addr="([^"]+)" addrtype="ipv[46]"/.exec(host)?.[1];
    for (const m of host.matchAll(/<port protocol="(\w+)" portid="(\d+)"><state state="open"/g)) {
      out.push(`${addr} ${m[2]}/${m[1]}`);
    }
  }
  return out.sort();
}

describe('bring your own nmap XML', () => {
  const work = mkdtempSync(join(tmpdir(), 'port-drift-xml-scan-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  for (const file of ['random-1.xml', 'complex.xml', 'single.xml']) {
    it(
      `finds every open port of ${file} as an independent reading does`,
      { skip: noCorpus },
      async () => {
        const path = join(corpusDir, file);
        const run = await runAction({ xml: path, expected: '*: none' });
        const found = run.findings
          .filter((f) => f.kind === 'unexpected-open')
          .map((f) => `${f.address} ${f.port}/${f.protocol}`)
          .sort();
        assert.deepEqual(found, openPortsByRegex(readFileSync(path, 'utf8')));
        assert.equal(run.code, found.length > 0 ? 1 : 0);
      },
    );
  }

  it('matches a hostname target to the name in an nmap 4.x file', { skip: noCorpus }, async () => {
    const run = await runAction({
      xml: join(corpusDir, 'complex.xml'),
      targets: 'scanme.nmap.org',
      expected: 'scanme.nmap.org: 22, 53, 80, 53/udp, 113?',
    });
    assert.deepEqual(run.findings, []);
    assert.equal(run.code, 0, run.stdout);
  });

  it(
    'files a host nmap scanned by address under its address, never under its reverse-DNS name',
    { skip: noCorpus },
    async () => {
      // random-1.xml: hosts from a list of addresses (-iL), each with a PTR name only.
      const path = join(corpusDir, 'random-1.xml');
      assert.match(readFileSync(path, 'utf8'), /type="PTR"/);
      const run = await runAction({ xml: path, expected: '*: none' });
      assert.ok(run.findings.length > 0);
      for (const f of run.findings) assert.equal(f.target, f.address, JSON.stringify(f));
      assert.doesNotMatch(run.summary, /example\.com`/);
    },
  );

  it(
    'files a host under the name nmap was given, not its different reverse-DNS name',
    { skip: noCorpus },
    async () => {
      // single.xml as nmap 7 writes a scan of a name whose address has another PTR name.
      const xml = readFileSync(join(corpusDir, 'single.xml'), 'utf8').replace(
        '<hostname name="scanme.nmap.org" type="PTR" />',
        '<hostname name="www.example.net" type="user"/><hostname name="scanme.nmap.org" type="PTR" />',
      );
      assert.match(xml, /type="user"/);
      const path = join(work, 'user-and-ptr.xml');
      writeFileSync(path, xml);
      const run = await runAction({ xml: path, expected: '*: none' });
      assert.ok(run.findings.length > 0);
      assert.deepEqual([...new Set(run.findings.map((f) => f.target))], ['www.example.net']);
    },
  );

  it(
    'does not judge a name that nmap found at its own loopback, and judges the address written as a target',
    { skip: noCorpus },
    async () => {
      // single.xml as nmap writes a scan of a parked name that resolved to the scanner itself.
      const xml = readFileSync(join(corpusDir, 'single.xml'), 'utf8')
        .replace('addr="64.13.134.52"', 'addr="127.0.0.1"')
        .replace(
          '<hostname name="scanme.nmap.org" type="PTR" />',
          '<hostname name="parked.example.net" type="user"/><hostname name="localhost" type="PTR" />',
        );
      const path = join(work, 'parked.xml');
      writeFileSync(path, xml);
      const byName = await runAction({ xml: path, expected: '*: none' });
      assert.deepEqual(
        byName.findings.map((f) => `${f.kind} ${f.target} ${f.address} ${f.observed}`),
        ['inconclusive parked.example.net 127.0.0.1 not scanned'],
      );
      assert.match(
        byName.findings[0]?.detail ?? '',
        /^parked\.example\.net was scanned at 127\.0\.0\.1, the scanner itself \(loopback\): not judged\./,
      );
      assert.equal(byName.code, 1, 'nothing was judged');
      const byAddress = await runAction({ xml: path, targets: '127.0.0.1', expected: '*: none' });
      assert.ok(byAddress.findings.length > 0);
      for (const f of byAddress.findings) assert.equal(f.kind, 'unexpected-open');
    },
  );

  it('reads our own recorded fleet scans and a glob of several files', async () => {
    const run = await runAction({
      xml: join(fixturesDir, 'nmap', 'fleet-ipv*.xml'),
      targets: '203.0.113.20, 203.0.113.21, 2001:db8::20',
      expected: '203.0.113.20: 22, 80, 443\n2001:db8::20: 22, 80, 443\n203.0.113.21: 2222, 5432',
    });
    assert.deepEqual(
      run.findings.map((f) => `${f.kind} ${f.address} ${f.port}/${f.protocol} ${f.observed}`),
      [
        'missing 203.0.113.21 5432/tcp filtered',
        'unexpected-open 203.0.113.21 27017/tcp open',
        'missing 2001:db8::20 443/tcp closed',
      ],
    );
  });

  it('never reads a local file named by an external entity', async () => {
    const path = join(work, 'xxe.xml');
    writeFileSync(
      path,
      '<?xml version="1.0"?>\n<!DOCTYPE nmaprun [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>\n' +
        '<nmaprun scanner="nmap" version="7.93"><scaninfo type="syn" protocol="tcp" numservices="1" services="80"/>' +
        '<host><status state="up" reason="user-set"/><address addr="203.0.113.5" addrtype="ipv4"/>' +
        '<ports><port protocol="tcp" portid="80"><state state="open" reason="syn-ack"/>' +
        '<service name="http" product="&xxe;"/></port></ports></host></nmaprun>\n',
    );
    const run = await runAction({ xml: path, expected: '*: none' });
    assert.equal(run.findings[0]?.service?.product, '&xxe;');
    const hostname = readFileSync('/etc/hostname', 'utf8').trim();
    if (hostname) assert.ok(!run.summary.includes(hostname) && !run.stdout.includes(hostname));
  });

  it('refuses a file that is not nmap XML, naming it, before comparing anything', async () => {
    const path = join(work, 'not-nmap.xml');
    writeFileSync(path, '<html><body>hello</body></html>');
    const run = await runAction({ xml: path, expected: '*: none' });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /::error::Input 'xml': .*not-nmap\.xml is not nmap XML/);
  });
});
