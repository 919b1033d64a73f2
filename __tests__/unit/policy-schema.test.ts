// policy.schema.json is what editors check a policy file with: it must accept the exceptions the
// parser reads ({port, until, reason}) and refuse the ones the parser refuses, and the policy that
// record mode writes and the reference's example must pass it.
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ConfigurationError } from '../../src/base/errors.js';
import { formatPolicy, parsePolicy } from '../../src/settings/policy.js';
import { repoRoot } from '../helpers/paths.js';

const schema = JSON.parse(readFileSync(join(repoRoot, 'policy.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true }).compile(schema);

/** A policy of one target whose one rule is `value` (YAML, as written after the key). */
const rule = (value: string): string =>
  `targets: [db.example.com]\nrules:\n  db.example.com: ${value}\n`;

const ACCEPTED = [
  rule("[22, {port: 5432, until: 2027-01-31, reason: 'OPS-12, approved by alice'}]"),
  rule('{port: 5432, until: 2027-01-31, reason: OPS-12}'),
  rule("{port: '8000-8100', until: 2027-01-31T18:00:00Z, reason: OPS-12}"),
  rule('{port: 53/udp, until: "2027-01-31T18:00+01:00", reason: OPS-12}'),
  rule("{port: '5432, 6432', until: 2027-01-31T18:00:00.5-05:00, reason: OPS-12}"),
  rule('\n    - 22\n    - port: 5432\n      until: 2027-01-31\n      reason: "OPS-12 # approved"'),
];

const REFUSED = [
  rule('{port: 5432, until: 2027-01-31}'),
  rule('{port: 5432, reason: OPS-12}'),
  rule('{until: 2027-01-31, reason: OPS-12}'),
  rule('{port: 5432, until: 2027-01-31, reason: OPS-12, owner: alice}'),
  rule("{port: 5432, until: 2027-01-31, reason: ''}"),
  rule('{port: 5432, until: 2027-1-31, reason: OPS-12}'),
  rule('{port: 5432, until: next week, reason: OPS-12}'),
  rule('{port: 5432, until: 2027-01-31T18:00:00, reason: OPS-12}'),
  rule('{port: none, until: 2027-01-31, reason: OPS-12}'),
  rule('{port: 70000, until: 2027-01-31, reason: OPS-12}'),
  rule('{port: 22/sctp, until: 2027-01-31, reason: OPS-12}'),
  rule('[[{port: 5432, until: 2027-01-31, reason: OPS-12}]]'),
  // A reason that shows nothing, and a '?' on an exception's port.
  rule('{port: 5432, until: 2027-01-31, reason: "\\u200b\\u2060\\ufeff"}'),
  rule('{port: 5432, until: 2027-01-31, reason: "\\u202e \\u200d"}'),
  rule("{port: '27017?', until: 2027-01-31, reason: OPS-12}"),
  rule("[22, {port: '5432, 53/udp?', until: 2027-01-31, reason: OPS-12}]"),
];

describe('policy.schema.json', () => {
  it('accepts the exceptions the parser reads', () => {
    for (const text of ACCEPTED) {
      assert.ok(validate(parseYaml(text)), `${text}\n${JSON.stringify(validate.errors)}`);
      const ports = parsePolicy(text, 'ok.yml').rules.flatMap((r) => r.ports);
      assert.ok(
        ports.some((p) => p.exception),
        text,
      );
    }
  });

  it('refuses the exceptions the parser refuses', () => {
    for (const text of REFUSED) {
      assert.equal(validate(parseYaml(text)), false, text);
      assert.throws(() => parsePolicy(text, 'bad.yml'), ConfigurationError, text);
    }
  });

  it('accepts the policy record mode writes, exceptions included', () => {
    const written = formatPolicy({
      targets: ['db.example.com'],
      rules: parsePolicy(ACCEPTED[0] ?? '', 'x').rules,
    });
    assert.match(written, /until: 2027-01-31/);
    assert.ok(validate(parseYaml(written)), JSON.stringify(validate.errors));
  });

  it("accepts the reference's policy file example", () => {
    const reference = readFileSync(join(repoRoot, 'docs/reference.md'), 'utf8');
    const section = reference.split(/^## /m).find((x) => x.startsWith('Policy file\n')) ?? '';
    const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    assert.ok(
      parsePolicy(example, 'example').rules.some((r) => r.ports.some((p) => p.exception)),
      'the example shows an exception',
    );
    assert.ok(validate(parseYaml(example)), JSON.stringify(validate.errors));
  });
});
