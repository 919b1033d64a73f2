// What is behind a port, end to end: the built action scans real TLS listeners (certificates made
// with openssl at this test's start: valid, self-signed, ending in 3 days, expired, for another
// name) and real services that change under a pin (a web server replaced by an SSH daemon's
// banner), on a LAN fleet and across the internet-like path; and a run with no pin costs no
// version detection. Needs root (skips, saying so, without).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brief, runAction } from '../helpers/action.js';
import { outsideCodeSpans } from '../helpers/markdown.js';
import { daysFromNow, makeCertificates, type Pem } from '../helpers/certs.js';
import type { ExecOptions } from '../helpers/exec.js';
import { createFleet, type Fleet } from '../helpers/fleet.js';
import { canBuildFleets } from '../helpers/netns.js';
import { canBuildPaths, createPath, type NetPath } from '../helpers/netpath.js';
import type { Finding } from '../../src/base/types.js';

const skip = canBuildFleets === true ? false : canBuildFleets;

const NGINX = 'nginx/1.25.3';
const SSH_BANNER = 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n';
/** A subject a hostile server could present: Markdown, HTML and a mention. */
const HOSTILE_CN = '<img src=x onerror=alert(1)> **@everyone** `x`';

type Certs = Record<'valid' | 'self' | 'soon' | 'old' | 'wrong', Pem>;

async function certificates(): Promise<Certs> {
  return makeCertificates({
    valid: { cn: 'web.fleet.test', dns: ['web.fleet.test'], notBefore: daysFromNow(-1), notAfter: daysFromNow(90) }, // prettier-ignore
    self: { cn: 'web.fleet.test', dns: ['*.fleet.test'], notBefore: daysFromNow(0), notAfter: daysFromNow(60), selfSigned: true }, // prettier-ignore
    soon: { cn: 'soon.fleet.test', dns: ['soon.fleet.test'], notBefore: daysFromNow(-80), notAfter: daysFromNow(3) }, // prettier-ignore
    old: { cn: 'old.fleet.test', dns: ['old.fleet.test'], notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2025-02-01T00:00:00Z') }, // prettier-ignore
    wrong: { cn: HOSTILE_CN, dns: ['other.example.net'], notBefore: daysFromNow(-1), notAfter: daysFromNow(90) }, // prettier-ignore
  });
}

const NAMES = {
  'web.fleet.test': ['203.0.113.80'],
  'soon.fleet.test': ['203.0.113.81'],
  'old.fleet.test': ['203.0.113.82'],
  'wrong.fleet.test': ['203.0.113.83'],
  'app.fleet.test': ['203.0.113.84'],
};

const EXPECTED = [
  'web.fleet.test: 22 (ssh OpenSSH), 443 (https nginx, tls), 8443 (tls)',
  'soon.fleet.test: 443 (tls)',
  'old.fleet.test: 443 (tls)',
  'wrong.fleet.test: 443 (https, tls)',
  'app.fleet.test: 8080 (http nginx)',
].join('\n');

const TARGETS = Object.keys(NAMES).join(', ');
const FAIL_ON = 'unexpected-open, missing, host-down, service-changed, tls-expired';

const identifyRuns = (report: Record<string, unknown> | undefined): string[][] =>
  ((report?.['scan'] as { runs: { phase?: string; args?: string[] }[] } | undefined)?.runs ?? [])
    .filter((r) => r.phase === 'identify')
    .map((r) => r.args ?? []);

describe('what is behind a port, on a fleet', { skip }, () => {
  let fleet: Fleet<'web' | 'soon' | 'old' | 'wrong' | 'app'>;
  let certs: Certs;
  const inScanner = (argv: string[], opts: ExecOptions) => fleet.exec(argv, opts);
  const httpApp = { port: 8080, http: NGINX };

  before(async () => {
    certs = await certificates();
    const tls = (pem: Pem, port = 443) => ({ port, tls: pem, http: NGINX });
    fleet = await createFleet(
      [
        { name: 'web', ipv4: '203.0.113.80', tcp: [{ port: 22, banner: SSH_BANNER }, tls(certs.valid), tls(certs.self, 8443)] }, // prettier-ignore
        { name: 'soon', ipv4: '203.0.113.81', tcp: [tls(certs.soon)] },
        { name: 'old', ipv4: '203.0.113.82', tcp: [tls(certs.old)] },
        { name: 'wrong', ipv4: '203.0.113.83', tcp: [tls(certs.wrong)] },
        { name: 'app', ipv4: '203.0.113.84', tcp: [httpApp] },
      ],
      { hostsFile: NAMES },
    );
  });
  after(async () => {
    await fleet?.destroy();
  });

  it('reports the certificate that expired, the one ending in 3 days and the one for another name; valid and self-signed ones pass', async () => {
    const run = await runAction(
      { targets: TARGETS, expected: EXPECTED, ports: '22,443,8080,8443', 'fail-on': FAIL_ON },
      inScanner,
    );
    assert.deepEqual(
      run.findings.map((f) => `${f.kind} ${f.target} ${f.port}`).sort(),
      [
        'tls-expired old.fleet.test 443',
        'tls-expiring soon.fleet.test 443',
        'tls-name-mismatch wrong.fleet.test 443',
      ],
      run.stdout + run.stderr,
    );
    // tls-expired is in fail-on; tls-expiring and tls-name-mismatch are not, and only warn.
    assert.equal(run.code, 1);
    assert.equal(run.outputs['drift'], 'true');
    const byKind = (kind: string): Finding | undefined => run.findings.find((f) => f.kind === kind);
    assert.deepEqual(byKind('tls-expired')?.certificate, {
      subject: 'CN=old.fleet.test',
      names: ['old.fleet.test'],
      issuer: 'CN=port-drift test CA',
      notBefore: '2025-01-01T00:00:00Z',
      notAfter: '2025-02-01T00:00:00Z',
    });
    assert.equal(byKind('tls-expired')?.observed, 'expired 2025-02-01T00:00:00Z');
    const soon = byKind('tls-expiring')?.certificate?.notAfter ?? '';
    const days = (Date.parse(soon) - Date.now()) / (24 * 3600 * 1000);
    assert.ok(days > 2.9 && days <= 3, `ends in ${days} days`);
    assert.deepEqual(byKind('tls-name-mismatch')?.certificate?.names, ['other.example.net']);
    assert.equal(byKind('tls-name-mismatch')?.certificate?.subject, `CN=${HOSTILE_CN}`);
    assert.equal(byKind('tls-name-mismatch')?.expected, 'a certificate for wrong.fleet.test');

    // The summary: the kinds counted, the certificate's text only inside code spans.
    assert.match(run.summary, /\| tls-expired \| tls-expiring \| tls-name-mismatch \|/);
    assert.ok(run.summary.includes('<img src=x onerror'), 'the subject is shown');
    const bare = outsideCodeSpans(run.summary);
    for (const hostile of ['<img', '@everyone']) {
      assert.ok(!bare.includes(hostile), `${hostile} only inside code spans`);
    }
    assert.match(run.summary, /renew it and reload the service/);
    // Every identify run read certificates, and only the ports the rules ask about.
    const runs = identifyRuns(run.report);
    assert.ok(
      runs.length > 0 && runs.every((args) => args.join(' ').includes('--script ssl-cert')),
    );
  });

  it('finds the service changed when the web server on a pinned port is replaced by an SSH daemon, and clean again when it is back', async () => {
    const inputs = {
      targets: 'app.fleet.test',
      expected: 'app.fleet.test: 8080 (http nginx)',
      ports: '8080',
      'fail-on': FAIL_ON,
    };
    const clean = await runAction(inputs, inScanner);
    assert.deepEqual(clean.findings, [], clean.stdout);
    assert.equal(clean.code, 0);
    // No certificate is asked for: version detection runs without ssl-cert.
    assert.ok(identifyRuns(clean.report).every((a) => !a.includes('--script')));

    await fleet.replaceTcp('app', [{ port: 8080, banner: SSH_BANNER }]);
    try {
      const changed = await runAction(inputs, inScanner);
      assert.deepEqual(brief(changed.findings), [
        'service-changed app.fleet.test 203.0.113.84 8080/tcp ssh (OpenSSH 9.2p1 Debian 2+deb12u3)',
      ]);
      assert.equal(changed.findings[0]?.expected, 'http nginx');
      assert.equal(changed.findings[0]?.service?.product, 'OpenSSH');
      assert.equal(changed.code, 1);
      assert.match(changed.summary, /\*\*service-changed\*\*/);
      assert.match(changed.summary, /check what listens there/);
    } finally {
      await fleet.replaceTcp('app', [httpApp]);
    }
    const back = await runAction(inputs, inScanner);
    assert.deepEqual(back.findings, [], back.stdout);
  });

  it('runs no version detection when no rule pins a service or marks tls', async () => {
    const run = await runAction(
      {
        targets: TARGETS,
        expected: '*: 22?, 443?, 8080?, 8443?',
        ports: '22,443,8080,8443',
      },
      inScanner,
    );
    assert.deepEqual(run.findings, []);
    assert.deepEqual(identifyRuns(run.report), []);
  });

  it('records the services it found as pins, which a later check passes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'port-drift-record-'));
    try {
      const policy = join(dir, 'ports.yml');
      const recorded = await runAction(
        {
          targets: 'web.fleet.test, app.fleet.test',
          ports: '22,443,8080,8443',
          mode: 'record',
          'record-services': 'true',
          policy,
        },
        inScanner,
        { GITHUB_WORKSPACE: dir },
      );
      assert.equal(recorded.code, 0, recorded.stdout + recorded.stderr);
      const text = readFileSync(policy, 'utf8');
      assert.match(text, /22 \(ssh\)/);
      assert.match(text, /443 \(https\)/);
      assert.match(text, /8080 \(http\)/);
      const check = await runAction({ policy, ports: '22,443,8080,8443' }, inScanner, {
        GITHUB_WORKSPACE: dir,
      });
      assert.deepEqual(check.findings, [], check.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe(
  'what is behind a port, across the internet-like path',
  { skip: canBuildPaths === true ? false : canBuildPaths },
  () => {
    let path: NetPath<'edge'>;
    const inScanner = (argv: string[], opts: ExecOptions) => path.exec(argv, opts);

    before(async () => {
      const certs = await certificates();
      path = await createPath({
        rttMs: 40,
        pps: 3000,
        hosts: [
          {
            name: 'edge',
            ipv4: '203.0.113.90',
            tcp: [
              { port: 22, banner: SSH_BANNER },
              { port: 443, tls: certs.soon, http: NGINX },
              // An HTTP server where the rule pins SSH: changed.
              { port: 2222, http: NGINX },
            ],
          },
        ],
        hostsFile: { 'edge.fleet.test': ['203.0.113.90'] },
      });
    });
    after(async () => {
      await path?.destroy();
    });

    it('finds the expiring certificate and the changed service through a 40 ms path and a policer', async () => {
      const run = await runAction(
        {
          targets: 'edge.fleet.test',
          expected: 'edge.fleet.test: 22 (ssh), 443 (tls), 2222 (ssh)',
          ports: '1-3000',
        },
        inScanner,
      );
      assert.deepEqual(
        run.findings.map((f) => `${f.kind} ${f.port}`),
        // The certificate is soon.fleet.test's: for another name than edge.fleet.test too.
        ['tls-expiring 443', 'tls-name-mismatch 443', 'service-changed 2222'],
        run.stdout + run.stderr,
      );
      assert.equal(run.findings.find((f) => f.port === 2222)?.observed.startsWith('http'), true);
    });
  },
);
