import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError } from '../../src/base/errors.js';
import { expectationFor, isAllowed, parseRules } from '../../src/settings/rules.js';

describe('rule grammar', () => {
  it('reads N, N-M, /tcp, /udp, ? and none', () => {
    const rules = parseRules(
      'expected',
      'web.example.com: 80, 443/tcp, 8000-8010, 53/udp, 8080?\n*: none',
    );
    assert.equal(rules.length, 2);
    assert.deepEqual(rules[0]?.ports, [
      { from: 80, to: 80, protocol: 'tcp', optional: false },
      { from: 443, to: 443, protocol: 'tcp', optional: false },
      { from: 8000, to: 8010, protocol: 'tcp', optional: false },
      { from: 53, to: 53, protocol: 'udp', optional: false },
      { from: 8080, to: 8080, protocol: 'tcp', optional: true },
    ]);
    assert.deepEqual(rules[1], { pattern: '*', ports: [], source: 'expected line 2' });
  });

  it('reads IPv6 patterns, with or without brackets, and CIDR patterns', () => {
    const rules = parseRules(
      'expected',
      '2001:db8::10: 22\n[2001:db8::11]: 443\n203.0.113.0/24: 22?\nhost:25',
    );
    assert.deepEqual(
      rules.map((r) => [r.pattern, r.ports.map((p) => p.from)]),
      [
        ['2001:db8::10', [22]],
        ['2001:db8::11', [443]],
        ['203.0.113.0/24', [22]],
        ['host', [25]],
      ],
    );
  });

  it('skips blank lines and comments, and names the line of a mistake', () => {
    assert.equal(parseRules('expected', '# web\n\n*: 22 # ssh\n').length, 1);
    assert.throws(
      () => parseRules('expected', '*: 22\n*: 22/sctp'),
      (e: unknown) => {
        assert.ok(e instanceof ConfigurationError);
        assert.match(e.message, /line 2 .*'22\/sctp'/);
        return true;
      },
    );
    assert.throws(() => parseRules('expected', 'just words'), /not 'PATTERN: PORTS'/);
    assert.throws(() => parseRules('expected', '*: 0'), /outside 1-65535/);
    assert.throws(() => parseRules('expected', '*:'), /no ports after the colon/);
    assert.throws(() => parseRules('expected', '-oN x: 22'), /never nmap options/);
    assert.throws(() => parseRules('expected', '*: 22,,23'), /empty item/);
  });

  it('an address obeys the union of rules naming its target, covering it, or *', () => {
    const rules = parseRules(
      'expected',
      'web.example.com: 443\n203.0.113.0/24: 22\n203.0.113.7: 25?\n*: 80\nother.example.com: 3306',
    );
    const exp = expectationFor(rules, '203.0.113.7', ['web.example.com'], 0);
    assert.deepEqual(
      exp.required.map((r) => r.from),
      [443, 22, 80],
    );
    assert.ok(isAllowed(exp, 25, 'tcp'));
    assert.ok(!isAllowed(exp, 25, 'udp'));
    assert.ok(!isAllowed(exp, 3306, 'tcp'));
    // Target names match case-insensitively, as DNS does.
    assert.equal(expectationFor(rules, '198.51.100.1', ['WEB.example.com'], 0).required.length, 2);
  });
});
