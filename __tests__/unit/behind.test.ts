// What is behind a port: the grammar of pins and `tls`, the certificate nmap's ssl-cert writes, and
// the findings service-changed, tls-expired, tls-expiring, tls-name-mismatch (and what stays
// inconclusive), with exceptions and fail-on.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { acceptedPorts, findDrift } from '../../src/findings/drift.js';
import { certificateCovers, meetsPin, serviceLabel } from '../../src/findings/behind.js';
import { recordRules } from '../../src/findings/record.js';
import { decide } from '../../src/findings/verdict.js';
import { assertAllowed, buildNmapArgs } from '../../src/nmap/command.js';
import { parseNmapXml } from '../../src/nmap/parse.js';
import { formatPolicy, parsePolicy } from '../../src/settings/policy.js';
import { parseRules } from '../../src/settings/rules.js';
import { ConfigurationError } from '../../src/base/errors.js';
import type {
  BehindChecks,
  Certificate,
  ObservedAddress,
  ObservedPort,
  PortRange,
  Service,
} from '../../src/base/types.js';
import { repoRoot } from '../helpers/paths.js';
import { report } from '../helpers/reports.js';
import { renderSummary } from '../../src/report/summary.js';
import { checkReport } from '../../src/report/schema.js';
import { mergeReports } from '../../src/report/merge.js';

const SCANNED: PortRange[] = [{ from: 1, to: 65535, protocol: 'tcp' }];
const NOW = Date.parse('2027-03-01T12:00:00Z');
const CHECKS: BehindChecks = { tlsCheck: 'marked', tlsExpiryDays: 14 };
const DAY = 24 * 3600 * 1000;

const SSH: Service = { name: 'ssh', product: 'OpenSSH', version: '9.2p1', method: 'probed' };
const NGINX_TLS: Service = { name: 'http', product: 'nginx', tunnel: 'ssl', method: 'probed' };

function cert(notAfter: number, names = ['web.example.com']): Certificate {
  return {
    subject: `CN=${names[0] ?? 'x'}`,
    names,
    issuer: 'CN=Test CA',
    notBefore: '2026-01-01T00:00:00Z',
    notAfter: new Date(notAfter).toISOString().replace('.000Z', 'Z'),
  };
}

function host(targets: string[], ports: Partial<ObservedPort>[]): ObservedAddress {
  return {
    address: '203.0.113.10',
    family: 4,
    targets,
    hostnames: [],
    status: 'up',
    reason: 'syn-ack',
    ports: ports.map((p) => ({ protocol: 'tcp', state: 'open', reason: 'syn-ack', port: 0, ...p })),
    extraports: [{ state: 'closed', count: 65533, protocol: 'tcp' }],
  };
}

const kinds = (expected: string, obs: ObservedAddress, checks = CHECKS): string[] =>
  findDrift(parseRules('expected', expected), [obs], SCANNED, NOW, checks).map((f) =>
    `${f.kind} ${f.target} ${f.port ?? ''}`.trim(),
  );

describe('pins and tls in the rule grammar', () => {
  it('reads a service, a product and tls in parentheses, beside ? and /udp', () => {
    const [rule] = parseRules(
      'expected',
      'web.example.com: 22 (ssh), 443 (https nginx, tls), 8443? (tls), 53/udp (domain)',
    );
    assert.deepEqual(
      rule?.ports.map(({ from, protocol, optional, service, tls }) => ({
        from,
        protocol,
        optional,
        service,
        tls,
      })),
      [
        { from: 22, protocol: 'tcp', optional: false, service: { name: 'ssh' }, tls: undefined },
        {
          from: 443,
          protocol: 'tcp',
          optional: false,
          service: { name: 'https', product: 'nginx' },
          tls: true,
        },
        { from: 8443, protocol: 'tcp', optional: true, service: undefined, tls: true },
        { from: 53, protocol: 'udp', optional: false, service: { name: 'domain' }, tls: undefined },
      ],
    );
  });

  it('takes a pin on a port with an exception', () => {
    const [rule] = parseRules('expected', 'db: 5432 (postgresql) until 2027-01-31 OPS-12 alice');
    assert.deepEqual(rule?.ports[0]?.service, { name: 'postgresql' });
    assert.equal(rule?.ports[0]?.exception?.reason, 'OPS-12 alice');
  });

  for (const [line, why] of [
    ['web: 53/udp (tls)', /'tls' on a UDP port/],
    ['web: 22 (ssh, http)', /two services/],
    ['web: 22 ()', /empty parentheses/],
    ['web: 22 (s$h)', /not a service name/],
    ['web: 443 (https)?', /is not N, N-M/],
    ['web: 443? (https) until 2027-01-31 OPS-1', /remove the '\?'/],
  ] as const) {
    it(`refuses ${line}, saying why`, () => {
      assert.throws(
        () => parseRules('expected', line),
        (e: unknown) => e instanceof ConfigurationError && why.test(e.message),
      );
    });
  }

  it('reads {port, service, tls} in a policy file and writes it back the same', () => {
    const text = [
      'targets: [web.example.com]',
      'rules:',
      '  web.example.com:',
      '    - {port: 22, service: ssh}',
      '    - {port: 443, service: https nginx, tls: true}',
      "    - '8443? (tls)'",
      '    - {port: 5432, service: postgresql, until: 2027-01-31, reason: OPS-12}',
    ].join('\n');
    const policy = parsePolicy(text, 'ports.yml');
    const again = parsePolicy(
      formatPolicy({ targets: ['web.example.com'], rules: policy.rules }),
      'again.yml',
    );
    assert.deepEqual(
      again.rules.map((r) => r.ports),
      policy.rules.map((r) => r.ports),
    );
    const port = (n: number) => policy.rules[0]?.ports.find((p) => p.from === n);
    assert.deepEqual(port(443)?.service, { name: 'https', product: 'nginx' });
    assert.equal(port(443)?.tls, true);
    assert.equal(port(8443)?.tls, true);
    assert.equal(port(8443)?.optional, true);
    assert.deepEqual(port(5432)?.service, { name: 'postgresql' });
    assert.equal(port(5432)?.exception?.until, '2027-01-31');
  });

  it('names the file, line and key of a bad pin in a policy file', () => {
    assert.throws(
      () => parsePolicy('targets: [w]\nrules:\n  w:\n    - {port: 22, tls: yes please}\n', 'p.yml'),
      /p\.yml:4, key 'rules\.w\.tls': expected true or false/,
    );
    assert.throws(
      () =>
        parsePolicy('targets: [w]\nrules:\n  w:\n    - {port: 22, service: "a b:c"}\n', 'p.yml'),
      /p\.yml:4, key 'rules\.w\.service'/,
    );
  });
});

describe('the certificate nmap ssl-cert writes', () => {
  it('is read from real nmap 7.93 XML: subject, names, issuer, dates in UTC', () => {
    const xml = readFileSync(join(repoRoot, '__tests__/fixtures/nmap/ssl-cert.xml'), 'utf8');
    const port = parseNmapXml(xml).hosts[0]?.ports[0];
    assert.deepEqual(port?.certificate, {
      subject: 'CN=web.example.test, O=Test',
      names: ['web.example.test', '*.example.test'],
      issuer: 'CN=web.example.test, O=Test',
      notBefore: '2026-12-04T04:39:04Z',
      notAfter: '2026-12-07T04:39:04Z',
    });
    assert.equal(port?.service?.tunnel, 'ssl');
  });
});

describe('what is behind a port', () => {
  it('says nothing when the pinned service answers', () => {
    assert.deepEqual(
      kinds('web: 22 (ssh OpenSSH)', host(['web'], [{ port: 22, service: SSH }])),
      [],
    );
    const https = host(['web'], [{ port: 443, service: NGINX_TLS }]);
    assert.deepEqual(kinds('web: 443 (https nginx)', https), []);
  });

  it('finds service-changed when another service answers on a pinned port', () => {
    const obs = host(['web'], [{ port: 443, service: SSH }]);
    const [f] = findDrift(parseRules('expected', 'web: 443 (https)'), [obs], SCANNED, NOW);
    assert.equal(f?.kind, 'service-changed');
    assert.equal(f?.expected, 'https');
    assert.equal(f?.observed, 'ssh (OpenSSH 9.2p1)');
    assert.deepEqual(f?.service, SSH);
  });

  it('finds service-changed when the product differs from the pinned words', () => {
    const apache: Service = { name: 'http', product: 'Apache httpd', method: 'probed' };
    assert.deepEqual(
      kinds('web: 8080 (http nginx)', host(['web'], [{ port: 8080, service: apache }])),
      ['service-changed web 8080'],
    );
  });

  it('is inconclusive, never passed, when version detection could not tell', () => {
    for (const service of [
      undefined,
      { name: 'https', method: 'table' },
      { name: 'tcpwrapped', method: 'probed' },
      { name: 'unknown', method: 'probed' },
    ]) {
      const obs = host(['web'], [{ port: 443, ...(service ? { service } : {}) }]);
      assert.deepEqual(kinds('web: 443 (https)', obs), ['inconclusive web 443']);
    }
    const noProduct = host(['web'], [{ port: 80, service: { name: 'http', method: 'probed' } }]);
    assert.deepEqual(kinds('web: 80 (http nginx)', noProduct), ['inconclusive web 80']);
  });

  it('judges the certificate on a port marked tls: expired, expiring within tls-expiry, for other names', () => {
    const at = (notAfter: number, names?: string[]): ObservedAddress =>
      host(
        ['web.example.com'],
        [{ port: 443, service: NGINX_TLS, certificate: cert(notAfter, names) }],
      );
    const rule = 'web.example.com: 443 (tls)';
    assert.deepEqual(kinds(rule, at(NOW + 90 * DAY)), []);
    assert.deepEqual(kinds(rule, at(NOW - DAY)), ['tls-expired web.example.com 443']);
    assert.deepEqual(kinds(rule, at(NOW + 3 * DAY)), ['tls-expiring web.example.com 443']);
    assert.deepEqual(kinds(rule, at(NOW + 3 * DAY), { ...CHECKS, tlsExpiryDays: 2 }), []);
    assert.deepEqual(kinds(rule, at(NOW + 90 * DAY, ['other.example.net'])), [
      'tls-name-mismatch web.example.com 443',
    ]);
    assert.deepEqual(kinds(rule, at(NOW + 90 * DAY, ['*.example.com'])), []);
    // Not marked: nothing is said of the certificate.
    assert.deepEqual(kinds('web.example.com: 443', at(NOW - DAY)), []);
  });

  it('checks no name for a target written as an address, and says when no certificate was read', () => {
    const byIp = host(
      ['203.0.113.10'],
      [{ port: 443, certificate: cert(NOW + 90 * DAY, ['x.test']) }],
    );
    assert.deepEqual(kinds('203.0.113.10: 443 (tls)', byIp), []);
    const none = host(['web.example.com'], [{ port: 443, service: NGINX_TLS }]);
    assert.deepEqual(kinds('web.example.com: 443 (tls)', none), [
      'inconclusive web.example.com 443',
    ]);
  });

  it('with tls-check: all, checks every allowed port found speaking TLS', () => {
    const obs = host(
      ['web.example.com'],
      [
        { port: 443, service: NGINX_TLS, certificate: cert(NOW - DAY) },
        { port: 22, service: SSH },
      ],
    );
    assert.deepEqual(kinds('web.example.com: 22, 443', obs), []);
    assert.deepEqual(kinds('web.example.com: 22, 443', obs, { ...CHECKS, tlsCheck: 'all' }), [
      'tls-expired web.example.com 443',
    ]);
  });

  it('leaves an unexpected-open port to its own finding', () => {
    const obs = host(['web'], [{ port: 443, service: SSH }]);
    assert.deepEqual(kinds('web: 22 (ssh)', obs), ['missing web 22', 'unexpected-open web 443']);
  });

  it('lets an exception in force accept what is behind the port, until its date', () => {
    const rules = parseRules(
      'expected',
      'web.example.com: 443 (tls)\nweb.example.com: 443 until 2027-03-05 OPS-31 renewal booked',
    );
    const obs = host(['web.example.com'], [{ port: 443, certificate: cert(NOW + 10 * DAY) }]);
    assert.deepEqual(findDrift(rules, [obs], SCANNED, NOW), []);
    const [accepted] = acceptedPorts(rules, [obs], NOW);
    assert.deepEqual(
      accepted?.findings?.map((f) => f.kind),
      ['tls-expiring'],
    );
    assert.equal(accepted?.reason, 'OPS-31 renewal booked');
    const after = Date.parse('2027-03-06T00:00:00Z');
    const [late] = findDrift(rules, [obs], SCANNED, after);
    assert.equal(late?.kind, 'tls-expiring');
    assert.equal(late?.expiredException?.until, '2027-03-05');
  });

  it('shows in the summary what an exception accepts behind the port', () => {
    const expected =
      'web.example.com: 443 (tls)\nweb.example.com: 443 until 2099-01-01 OPS-31 renewal booked';
    const obs = host(['web.example.com'], [{ port: 443, certificate: cert(Date.now() + 3 * DAY) }]);
    const made = report([obs], expected);
    made.accepted = acceptedPorts(parseRules('expected', expected), [obs], Date.now());
    const summary = renderSummary(made, 'r.json');
    assert.match(summary, /\| Accepted \| Until \|/);
    assert.match(summary, /\| 443\/tcp \| open, tls-expiring \| `2099-01-01` \|/);
  });

  it('is drift for the drift output, and fails only when fail-on lists the kind', () => {
    const obs = host(['web'], [{ port: 443, service: SSH }]);
    const findings = findDrift(parseRules('expected', 'web: 443 (https)'), [obs], SCANNED, NOW);
    const warn = decide(findings, new Set(['unexpected-open', 'missing', 'host-down']));
    assert.equal(warn.drift, true);
    assert.equal(warn.failed, false);
    assert.equal(warn.message, 'Drift: 1 service-changed.');
    assert.equal(decide(findings, new Set(['service-changed'])).failed, true);
  });

  it('matches names as nmap writes them', () => {
    assert.equal(serviceLabel({ name: 'http', tunnel: 'ssl' }), 'https');
    assert.equal(serviceLabel({ name: 'imap', tunnel: 'ssl' }), 'ssl/imap');
    assert.equal(serviceLabel({ name: 'http-proxy' }), 'http');
    assert.equal(meetsPin({ name: 'ssl/http' }, { name: 'https' }), 'yes');
    assert.equal(meetsPin({ name: 'http' }, { name: 'http', tunnel: 'ssl' }), 'no');
    assert.equal(certificateCovers(['*.example.com'], 'a.b.example.com'), false);
    assert.equal(certificateCovers(['WEB.example.com.'], 'web.EXAMPLE.com'), true);
  });
});

describe('report.json and merge', () => {
  it('keep the certificate and the kinds as the scan found them', () => {
    const obs = host(
      ['web.example.com'],
      [{ port: 443, service: NGINX_TLS, certificate: cert(Date.parse('2026-01-01T00:00:00Z')) }],
    );
    const shard = report([obs], 'web.example.com: 443 (https, tls)', {
      settings: { shard: { index: 1, count: 1 }, checks: CHECKS },
    });
    assert.deepEqual(
      shard.findings.map((f) => f.kind),
      ['tls-expired'],
    );
    const read = checkReport(JSON.parse(JSON.stringify(shard)));
    const { report: merged } = mergeReports(
      [{ file: 'shard/report.json', report: read }],
      { name: '', failOn: new Set(['tls-expired']), targets: [], rules: [], maxAddresses: 4096 },
      new Date(),
    );
    assert.deepEqual(merged.findings, shard.findings);
    assert.equal(merged.verdict.failed, true);
    assert.equal(merged.verdict.counts['tls-expired'], 1);
  });

  it('reads a report.json written before these kinds existed, counting none of them', () => {
    const shard = report([host(['web'], [{ port: 22 }])], 'web: 22');
    const old = JSON.parse(JSON.stringify(shard)) as {
      verdict: { counts: Record<string, number> };
    };
    for (const kind of ['service-changed', 'tls-expired', 'tls-expiring', 'tls-name-mismatch']) {
      delete old.verdict.counts[kind];
    }
    assert.equal(checkReport(old).verdict.counts['tls-expiring'], 0);
  });
});

describe('record-services', () => {
  it('writes the identified service as the pin, and no pin for what nmap could not name', () => {
    const obs = host(
      ['web'],
      [
        { port: 22, service: SSH },
        { port: 443, service: NGINX_TLS },
        { port: 8080, service: { name: 'http-proxy', method: 'table' } },
        { port: 9000, service: { name: 'unknown', method: 'probed' } },
      ],
    );
    const targets = [{ spec: 'web', kind: 'hostname' as const, size: 1 }];
    const [rule] = recordRules(targets, [obs], { pinServices: true });
    assert.deepEqual(
      rule?.ports.map((p) => [p.from, p.service?.name]),
      [
        [22, 'ssh'],
        [443, 'https'],
        [8080, undefined],
        [9000, undefined],
      ],
    );
    assert.deepEqual(kinds('web: 22 (ssh), 443 (https), 8080, 9000', obs), []);
    const [plain] = recordRules(targets, [obs]);
    assert.ok(plain?.ports.every((p) => p.service === undefined));
  });
});

describe('nmap argv', () => {
  const base = {
    profile: 'identify' as const,
    family: 4 as const,
    scanType: 'connect' as const,
    tcp: [{ from: 443, to: 443, protocol: 'tcp' as const }],
    udp: [],
    targets: ['203.0.113.10'],
    xmlPath: '/tmp/x.xml',
  };

  it('runs ssl-cert only when certificates are asked for', () => {
    assert.ok(!buildNmapArgs(base).includes('--script'));
    const args = buildNmapArgs({ ...base, certificates: true });
    assert.deepEqual(args.slice(args.indexOf('--script'), args.indexOf('--script') + 2), [
      '--script',
      'ssl-cert',
    ]);
  });

  it('allows no other script', () => {
    for (const script of ['vuln', 'ssl-cert,vuln', '/tmp/x.nse', 'default']) {
      assert.throws(() => assertAllowed(['--script', script, '--', '203.0.113.10']), /script/);
    }
  });
});
