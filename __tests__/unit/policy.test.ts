import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findDrift } from '../../src/findings/drift.js';
import { ConfigurationError } from '../../src/base/errors.js';
import { formatPolicy, parsePolicy } from '../../src/settings/policy.js';
import { recordRules } from '../../src/findings/record.js';
import { readSettings } from '../../src/settings/settings.js';
import type { ObservedAddress, PortRange } from '../../src/base/types.js';
import { inputs } from '../helpers/inputs.js';
import { repoRoot } from '../helpers/paths.js';
import { parse as parseYaml } from 'yaml';

const POLICY = `# The production fleet
name: production
targets:
  - db.example.com
  - 2001:db8::10
groups:
  web:
    - www.example.com
    - api.example.com
  office: [198.51.100.0/28]
rules:
  web: [80, 443]
  office: "22?"
  db.example.com: [5432, 53/udp]
  2001:db8::10: none
  "*": ["8080?"]
`;

function refuses(text: string, words: RegExp): void {
  assert.throws(
    () => parsePolicy(text, 'ports.yml'),
    (error: unknown) => {
      assert.ok(error instanceof ConfigurationError, String(error));
      assert.equal(error.input, 'policy');
      assert.match(error.message, words);
      return true;
    },
  );
}

describe('policy file', () => {
  it('reads targets, groups and rules; a group rule applies to each member', () => {
    const policy = parsePolicy(POLICY, 'ports.yml');
    assert.equal(policy.name, 'production');
    assert.deepEqual(
      policy.targets.map((t) => t.spec),
      ['db.example.com', '2001:db8::10', 'www.example.com', 'api.example.com', '198.51.100.0/28'],
    );
    assert.deepEqual(
      policy.rules.map((r) => [
        r.pattern,
        r.ports.map((p) => `${p.from}/${p.protocol}${p.optional ? '?' : ''}`),
        r.source,
      ]),
      [
        ['www.example.com', ['80/tcp', '443/tcp'], 'ports.yml:12'],
        ['api.example.com', ['80/tcp', '443/tcp'], 'ports.yml:12'],
        ['198.51.100.0/28', ['22/tcp?'], 'ports.yml:13'],
        ['db.example.com', ['5432/tcp', '53/udp'], 'ports.yml:14'],
        ['2001:db8::10', [], 'ports.yml:15'],
        ['*', ['8080/tcp?'], 'ports.yml:16'],
      ],
    );
  });

  it('names the file, the line and the key of every mistake', () => {
    refuses(
      'targets: [a.example]\nrules:\n  a.example: [22, 22/sctp]\n',
      /ports\.yml:3, key 'rules\.a\.example': '22\/sctp'/,
    );
    refuses(
      'targets: [a.example]\nrule:\n  a.example: 22\n',
      /ports\.yml:2, key 'rule': unknown key/,
    );
    refuses(
      'targets:\n  - a.example\n  - -iL /etc/passwd\n',
      /ports\.yml:3, key 'targets': '-iL \/etc\/passwd' starts with '-'/,
    );
    refuses(
      'targets: [a.example]\nrules:\n  b.example: 22\n',
      /ports\.yml:3, key 'rules\.b\.example': 'b\.example' names no target/,
    );
    refuses('targets: [a.example]\nrules:\n  a.example:\n', /ports\.yml:3.*no ports/);
    refuses('targets: [a.example\n', /ports\.yml:\d+: not valid YAML/);
    refuses(
      'targets: [a.example]\ntargets: [b.example]\n',
      /ports\.yml:2, key 'targets': this key is there twice/,
    );
    refuses(
      'targets: [a.example]\nrules:\n  a.example: [0x50]\n',
      /ports\.yml:3, key 'rules\.a\.example': '0x50' is a hexadecimal YAML number \(80\).*write ports in decimal/,
    );
    refuses(
      'targets: [a.example]\nrules:\n  a.example: 0o120\n',
      /'0o120' is an octal YAML number \(80\)/,
    );
    refuses(
      'targets: [a.example]\nrules:\n  a.example: [22, 8e1]\n',
      /'8e1' is a YAML number \(80\)/,
    );
    refuses('', /the file is empty/);
    refuses('- a\n- b\n', /expected a mapping/);
    refuses('groups:\n  a.example: [a.example]\n', /key 'groups\.a\.example': a group name/);
    refuses('targets: [{ x: 1 }]\n', /ports\.yml:1, key 'targets': expected a string/);
  });

  it('writes a policy that reads back to the same targets, groups and rules', () => {
    const policy = parsePolicy(POLICY, 'ports.yml');
    const text = formatPolicy({ ...policy, targets: policy.targets.map((t) => t.spec) }, [
      'a header',
    ]);
    assert.match(text, /^# a header\n/);
    const again = parsePolicy(text, 'again.yml');
    assert.deepEqual(again.targets, policy.targets);
    const strip = (rules: typeof policy.rules): unknown =>
      [...rules]
        .sort((a, b) => a.pattern.localeCompare(b.pattern))
        .map((r) => [r.pattern, r.ports]);
    assert.deepEqual(strip(again.rules), strip(policy.rules));
  });

  it('merges the policy file with targets and expected, and lets expected name its groups', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-'));
    writeFileSync(join(dir, 'ports.yml'), POLICY);
    const s = readSettings(
      inputs({
        policy: 'ports.yml',
        targets: '203.0.113.5',
        expected: 'web: 8443\n203.0.113.5: 22',
      }),
      { GITHUB_WORKSPACE: dir },
    );
    assert.equal(s.name, 'production');
    assert.equal(s.targets[0]?.spec, '203.0.113.5');
    assert.equal(s.targets.length, 6);
    assert.deepEqual(
      s.rules.filter((r) => r.ports.some((p) => p.from === 8443)).map((r) => r.pattern),
      ['www.example.com', 'api.example.com'],
    );
  });

  it('has a JSON Schema that editors check it with, agreeing with the parser', () => {
    const schema = JSON.parse(readFileSync(join(repoRoot, 'policy.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true }).compile(schema);
    const recorded = formatPolicy({
      targets: ['a.example', '2001:db8::1'],
      rules: parsePolicy('targets: [a.example]\nrules:\n  a.example: [22, 53/udp, 161/udp?]\n', 'x')
        .rules,
    });
    for (const text of [POLICY, recorded]) {
      assert.ok(validate(parseYaml(text)), JSON.stringify(validate.errors));
    }
    for (const bad of [
      'targets: [a.example]\nrule: {}\n',
      'targets: ["-iL /etc/passwd"]\n',
      'targets: [a.example]\nrules:\n  a.example: [70000]\n',
      'targets: [a.example]\nrules:\n  a.example: "22/sctp"\n',
    ]) {
      assert.equal(validate(parseYaml(bad)), false, bad);
      assert.throws(() => parsePolicy(bad, 'bad.yml'), ConfigurationError);
    }
  });

  it('says which policy file it cannot read, and how to fix it', () => {
    assert.throws(
      () => readSettings(inputs({ policy: 'missing.yml' }), { GITHUB_WORKSPACE: tmpdir() }),
      /Input 'policy': cannot read missing\.yml \(ENOENT\).*actions\/checkout/,
    );
  });
});

describe('record mode', () => {
  const ALL_TCP: PortRange[] = [
    { from: 1, to: 65535, protocol: 'tcp' },
    { from: 1, to: 200, protocol: 'udp' },
  ];
  const obs = (
    address: string,
    targets: string[],
    open: number[],
    udp: [number, string][] = [],
  ): ObservedAddress => ({
    address,
    family: address.includes(':') ? 6 : 4,
    targets,
    hostnames: [],
    status: 'up',
    reason: 'syn-ack',
    ports: [
      ...open.map((port) => ({ port, protocol: 'tcp' as const, state: 'open', reason: 'syn-ack' })),
      ...udp.map(([port, state]) => ({
        port,
        protocol: 'udp' as const,
        state,
        reason: 'udp-response',
      })),
    ],
    extraports: [],
  });

  it('records rules that the same observed state passes: dual stack, blocks, UDP', () => {
    const targets = parsePolicy(
      'targets: [dual.example, 203.0.113.0/29, 2001:db8::9]\n',
      'p.yml',
    ).targets;
    const observed = [
      obs('203.0.113.1', ['dual.example', '203.0.113.0/29'], [22, 443]),
      obs('2001:db8::1', ['dual.example'], [22, 443, 6379]),
      obs(
        '203.0.113.2',
        ['203.0.113.0/29'],
        [80],
        [
          [53, 'open'],
          [161, 'open|filtered'],
        ],
      ),
      obs('2001:db8::9', ['2001:db8::9'], []),
    ];
    const rules = recordRules(targets, observed);
    assert.deepEqual(findDrift(rules, observed, ALL_TCP), []);
    const text = formatPolicy({ targets: targets.map((t) => t.spec), rules });
    const reread = parsePolicy(text, 'recorded.yml');
    assert.deepEqual(findDrift(reread.rules, observed, ALL_TCP), []);
    // The IPv6 side's extra Redis is recorded against that address only, not the name.
    assert.match(text, /dual\.example:\n\s+- 22\n\s+- 443\n/);
    assert.match(text, /2001:db8::1:\n\s+- 6379\n/);
    assert.match(text, /- 161\/udp\?/);
    // ...so a later change on the IPv4 side is still drift.
    const later = [
      obs('203.0.113.1', ['dual.example', '203.0.113.0/29'], [22, 443, 6379]),
      ...observed.slice(1),
    ];
    assert.deepEqual(
      findDrift(reread.rules, later, ALL_TCP).map((f) => [f.kind, f.address, f.port]),
      [['unexpected-open', '203.0.113.1', 6379]],
    );
  });
});
