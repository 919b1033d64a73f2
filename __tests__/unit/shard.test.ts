// Sharding: n jobs with shard: i/n scan every address exactly once between them, and every finding
// that is not about an address (a name that does not resolve) is made by exactly one of them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makePlan, shardPlan, type PlanFacts } from '../../src/plan/plan.js';
import { readSettings } from '../../src/settings/settings.js';
import { expandBlock } from '../../src/settings/targets.js';
import { inputs } from '../helpers/inputs.js';

const facts: PlanFacts = {
  resolved: new Map<string, string[] | { error: string }>([
    // One name, two addresses that land in different shards, one of them also written as an IP.
    ['web.example.com', ['203.0.113.40', '203.0.113.7', '2001:db8::40']],
    ['gone.example.com', { error: 'does not resolve' }],
    ['old.example.com', { error: 'does not resolve' }],
  ]),
  unreachable: new Map([['2001:db8::99', 'this runner has no IPv6 route to 2001:db8::99']]),
  topPorts: () => [],
};

function plan(): ReturnType<typeof makePlan> {
  const settings = readSettings(
    inputs({
      targets:
        'web.example.com, gone.example.com, 203.0.113.0/28, 203.0.113.7, old.example.com, 2001:db8::99, 2001:db8::/126',
      ports: '22',
    }),
    {},
  );
  return makePlan(settings, facts);
}

function units(p: ReturnType<typeof makePlan>): string[] {
  return [
    ...p.runs.flatMap((r) => r.targets.flatMap((t) => (t.includes('/') ? expandBlock(t) : [t]))),
    ...p.unresolved.map((u) => `unresolved ${u.target}`),
    ...p.unreachable.map((u) => `unreachable ${u.address}`),
  ];
}

describe('sharding', () => {
  it('expands CIDR blocks into their addresses, in order', () => {
    assert.deepEqual(expandBlock('203.0.113.8/30'), [
      '203.0.113.8',
      '203.0.113.9',
      '203.0.113.10',
      '203.0.113.11',
    ]);
    assert.deepEqual(expandBlock('203.0.113.9/31'), ['203.0.113.8', '203.0.113.9']);
    assert.deepEqual(expandBlock('2001:db8::/127'), ['2001:db8::', '2001:db8::1']);
    assert.equal(expandBlock('203.0.113.0/24').length, 256);
  });

  for (const n of [1, 2, 3, 7, 40]) {
    it(`gives every address and every unresolved name to exactly one of ${n} shards`, () => {
      const all = new Set(units(plan()));
      const shards = Array.from({ length: n }, (_, i) =>
        units(shardPlan(plan(), { index: i + 1, count: n })),
      );
      const seen = shards.flat();
      assert.equal(seen.length, new Set(seen).size, 'nothing twice');
      assert.deepEqual(new Set(seen), all, 'nothing left out');
      assert.equal(
        all.size,
        16 + 2 + 4 + 2 + 1 + 0,
        'the /28, web (.40 and ::40), the /126, two names, the unreachable IP',
      );
      const sizes = shards.map((s) => s.length);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `balanced: ${sizes.join(', ')}`);
    });
  }

  it('is deterministic, and keeps every name resolution so an address keeps all its targets', () => {
    const a = shardPlan(plan(), { index: 2, count: 3 });
    const b = shardPlan(plan(), { index: 2, count: 3 });
    assert.deepEqual(a, b);
    assert.deepEqual(a.resolved, plan().resolved);
    assert.equal(
      a.addressCount,
      a.runs.reduce((n, r) => n + r.targets.length, 0),
    );
  });

  it('leaves the plan alone without a shard', () => {
    assert.deepEqual(shardPlan(plan(), undefined), plan());
  });
});
