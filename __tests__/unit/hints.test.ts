import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { acceptBlock, acceptRule, remedyFor, serviceAt } from '../../src/findings/hints.js';
import { parsePolicy } from '../../src/settings/policy.js';
import { expectationFor, isAllowed, parseRules } from '../../src/settings/rules.js';
import type { Finding, Rule } from '../../src/base/types.js';

function open(target: string, address: string, port: number, extra: Partial<Finding> = {}) {
  return {
    kind: 'unexpected-open',
    target,
    address,
    port,
    protocol: 'tcp',
    expected: 'not open',
    observed: 'open',
    ...extra,
  } satisfies Finding;
}

function missing(target: string, address: string, port: number, observed: string): Finding {
  return { kind: 'missing', target, address, port, protocol: 'tcp', expected: 'open', observed };
}

const down = (observed: string): Finding => ({
  kind: 'host-down',
  target: 'gone.example.com',
  address: observed === 'unresolved' ? '' : '198.51.100.9',
  expected: observed === 'unresolved' ? 'resolves' : 'up',
  observed,
});

/** Every finding's port is allowed by the rules for its address and target. */
function assertAllowed(rules: readonly Rule[], findings: readonly Finding[]): void {
  for (const f of findings) {
    const exp = expectationFor(rules, f.address, [f.target], Date.now());
    assert.ok(isAllowed(exp, f.port ?? 0, f.protocol ?? 'tcp'), `${f.address} ${f.port}`);
  }
}

describe('accept rules', () => {
  it('names a hostname or IP target as written, and the address for a CIDR block', () => {
    assert.deepEqual(acceptRule(open('db.example.com', '203.0.113.5', 27017)), {
      pattern: 'db.example.com',
      port: '27017?',
    });
    assert.deepEqual(acceptRule(open('203.0.113.0/28', '203.0.113.5', 6379)), {
      pattern: '203.0.113.5',
      port: '6379?',
    });
    assert.deepEqual(acceptRule(open('2001:db8::/120', '2001:db8::5', 443)), {
      pattern: '2001:db8::5',
      port: '443?',
    });
    assert.deepEqual(acceptRule(open('198.51.100.7', '198.51.100.7', 22)), {
      pattern: '198.51.100.7',
      port: '22?',
    });
  });

  it('writes UDP ports with /udp, and nothing for a missing port or a host', () => {
    assert.deepEqual(acceptRule(open('dns.example.com', '192.0.2.1', 53, { protocol: 'udp' })), {
      pattern: 'dns.example.com',
      port: '53/udp?',
    });
    // Rules add up: a `443?` line beside the rule that requires 443 would not take it back.
    assert.equal(acceptRule(missing('web.example.com', '192.0.2.2', 443, 'closed')), undefined);
    assert.equal(acceptRule(down('unresolved')), undefined);
    // A port whose exception ended is renewed (its remedy says so), not allowed for good.
    const ended = open('db.example.com', '192.0.2.5', 27017, {
      expiredException: { until: '2027-01-31', reason: 'OPS-1', source: 'expected line 2' },
    });
    assert.equal(acceptRule(ended), undefined);
    assert.equal(
      acceptRule({ ...down('no answer'), kind: 'inconclusive', detail: 'ran out of time' }),
      undefined,
    );
  });

  it('falls back to the address when the target is no pattern the grammar reads', () => {
    assert.equal(acceptRule(open('not a: name', '192.0.2.3', 80))?.pattern, '192.0.2.3');
  });
});

describe('accept block', () => {
  const findings: Finding[] = [
    open('db.example.com', '203.0.113.5', 27017),
    open('db.example.com', '203.0.113.5', 6379),
    open('203.0.113.0/28', '203.0.113.9', 11211, { protocol: 'udp' }),
    open('2001:db8::5', '2001:db8::5', 443),
    open('db.example.com', '203.0.113.5', 27017),
    missing('db-2.example.com', '203.0.113.6', 5432, 'filtered'),
    open('DB.example.com', '203.0.113.5', 9200),
    down('no answer'),
  ];

  it('merges the ports of one pattern in the order first seen, each once', () => {
    assert.equal(
      acceptBlock(findings, 'expected'),
      ['db.example.com: 27017?, 6379?, 9200?', '203.0.113.9: 11211/udp?', '2001:db8::5: 443?'].join(
        '\n',
      ),
    );
    assert.equal(acceptBlock([down('unresolved')], 'expected'), undefined);
    assert.equal(acceptBlock([], 'policy'), undefined);
  });

  it('the expected form reads back as rules that allow every finding', () => {
    const rules = parseRules('expected', acceptBlock(findings, 'expected') ?? '');
    assert.equal(rules.length, 3);
    assert.ok(rules.every((r) => r.ports.every((p) => p.optional)));
    assertAllowed(
      rules,
      findings.filter((f) => f.kind === 'unexpected-open'),
    );
  });

  it('the policy form is YAML that a policy file accepts, allowing every finding', () => {
    const block = acceptBlock(findings, 'policy') ?? '';
    assert.match(block, /^rules:\n {2}db\.example\.com: \['27017\?', '6379\?', '9200\?'\]$/m);
    assert.deepEqual(parse(block), {
      rules: {
        'db.example.com': ['27017?', '6379?', '9200?'],
        '203.0.113.9': ['11211/udp?'],
        '2001:db8::5': ['443?'],
      },
    });
    const targets = 'targets: [db.example.com, db-2.example.com, 203.0.113.0/28, 2001:db8::5]\n';
    const policy = parsePolicy(targets + block, 'policy.yml');
    assert.equal(policy.rules.length, 3);
    assertAllowed(
      policy.rules,
      findings.filter((f) => f.kind === 'unexpected-open'),
    );
  });

  it('quotes whatever YAML would misread: names that read as other values, colons', () => {
    // Valid hostnames that plain YAML reads as null, booleans and numbers; IPv6 with colons.
    const names = ['null', 'true', 'no', '1e3', '0x1f', 'db-2', '::1', '2001:db8::'];
    // Text no target has (quotes, '#', ': ', brackets) falls back to the address.
    const hostile = ["it's", 'say "no"', 'a: b', '#x', '[a]', '80'];
    const findings = [...names, ...hostile].map((t) => open(t, '192.0.2.1', 22));
    const rules = (parse(acceptBlock(findings, 'policy') ?? '') as { rules: object }).rules;
    assert.deepEqual(
      new Map(Object.entries(rules)),
      new Map([...names, '192.0.2.1'].map((k) => [k, ['22?']])),
    );
    const policy = parsePolicy(
      `targets: [${names.map((n) => `'${n}'`).join(', ')}]\n${acceptBlock(findings, 'policy')}`,
      'policy.yml',
    );
    assert.deepEqual(
      policy.rules.map((r) => r.pattern),
      [...names, '192.0.2.1'],
    );
    assertAllowed(policy.rules, findings);
  });
});

describe('well-known services', () => {
  it('names a service by port and protocol, or by nmap name on another port', () => {
    assert.equal(serviceAt(27017, 'tcp'), 'MongoDB');
    assert.equal(serviceAt(27999, 'tcp', 'mongodb'), 'MongoDB');
    assert.equal(serviceAt(11211, 'udp'), 'Memcached over UDP');
    assert.equal(serviceAt(2376, 'tcp', 'docker'), 'Docker API (TLS)');
    assert.equal(serviceAt(3000, 'tcp'), 'Grafana');
    assert.equal(serviceAt(6379, 'udp'), undefined);
    assert.equal(serviceAt(40000, 'tcp', 'http'), undefined);
  });
});

describe('remedies', () => {
  const ends = (text: string) => text.endsWith('accept it in the policy.');

  it('MongoDB on 27017: bind it, turn on authorization, firewall', () => {
    const text = remedyFor(open('db.example.com', '203.0.113.5', 27017));
    assert.match(text, /^MongoDB: /);
    assert.match(text, /net\.bindIp/);
    assert.match(text, /authorization/);
    assert.match(text, /drop 27017 at the firewall/);
    assert.ok(ends(text), text);
  });

  it('a mongodb service nmap found on a non-standard port gets the MongoDB remedy for that port', () => {
    const f = open('db.example.com', '203.0.113.5', 27999, {
      service: { name: 'mongodb', product: 'MongoDB', method: 'probed' },
    });
    const text = remedyFor(f);
    assert.match(text, /^MongoDB: .*drop 27999 at the firewall/);
    assert.doesNotMatch(text, /27017/);
    // A name nmap only took from the port number says nothing of the service.
    const guessed = remedyFor({ ...f, service: { name: 'mongodb', method: 'table' } });
    assert.doesNotMatch(guessed, /MongoDB/);
  });

  it('memcached over UDP: amplification, -U 0', () => {
    const text = remedyFor(open('cache.example.com', '203.0.113.7', 11211, { protocol: 'udp' }));
    assert.match(text, /amplification/);
    assert.match(text, /-U 0/);
    assert.match(text, /11211\/udp/);
    assert.ok(ends(text), text);
  });

  it('Docker on 2375: root on the host, remove the tcp:// listener', () => {
    const text = remedyFor(open('build.example.com', '203.0.113.8', 2375));
    assert.match(text, /root on the host/);
    assert.match(text, /-H tcp:\/\//);
    assert.match(text, /daemon\.json/);
    assert.ok(ends(text), text);
  });

  it('another port: close it or bind it privately; no text of the scanned host in the sentence', () => {
    const text = remedyFor(
      open('web.example.com', '203.0.113.2', 8443, {
        service: { name: 'http', product: 'nginx', version: '1.25', method: 'probed' },
      }),
    );
    assert.match(text, /^Close the port at the firewall/);
    assert.doesNotMatch(text, /nginx/);
    assert.ok(ends(text), text);
  });

  it('a missing port: a reset means nothing listens, silence means a firewall', () => {
    const closed = remedyFor(missing('web.example.com', '203.0.113.2', 443, 'closed'));
    assert.match(closed, /reset: nothing listens there/);
    assert.match(closed, /mark it with \?/);
    const filtered = remedyFor(missing('web.example.com', '203.0.113.2', 443, 'filtered'));
    assert.match(filtered, /firewall or security group drops it/);
    assert.doesNotMatch(filtered, /nothing listens/);
    assert.match(filtered, /drop it from the rule that requires it or mark it with \?/);
  });

  it('a host that does not resolve, and one that answers nothing', () => {
    assert.match(remedyFor(down('unresolved')), /no A or AAAA record: check DNS/);
    assert.match(remedyFor(down('no answer')), /firewall drops everything/);
  });

  it('an expired exception: renew it or close the port', () => {
    const text = remedyFor(
      open('db.example.com', '203.0.113.5', 27017, {
        expiredException: { until: '2024-05-01', reason: 'OPS-12 migration', source: 'x' },
      }),
    );
    assert.match(text, /accepted this port until 2024-05-01 has ended/);
    // The reason is policy text, perhaps a pull request's: shown escaped elsewhere, not here.
    assert.doesNotMatch(text, /OPS-12/);
    assert.match(text, /renew it with a new date and reason/);
    assert.match(text, /close the port/);
  });

  it('an inconclusive finding is neither passed nor failed, and points at its detail', () => {
    const text = remedyFor({
      kind: 'inconclusive',
      target: 'web.example.com',
      address: '203.0.113.2',
      expected: 'scanned',
      observed: 'not scanned',
      detail: 'the scan budget ran out',
    });
    assert.match(text, /not be decided either way \(see its detail\)/);
    assert.match(text, /scan-timeout/);
  });

  it('is plain text: no Markdown code spans', () => {
    const all = [
      remedyFor(open('a.example.com', '192.0.2.1', 27017)),
      remedyFor(missing('a.example.com', '192.0.2.1', 22, 'closed')),
      remedyFor(down('unresolved')),
    ];
    for (const text of all) assert.doesNotMatch(text, /`/);
  });
});
