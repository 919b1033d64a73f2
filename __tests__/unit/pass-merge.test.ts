// mergeByAddress(): the results of passes that ran side by side (the careful probe of the silent
// addresses, the every-port check and rescue of those that answered) are merged by address, never
// by position. What a user relies on: whatever order a pass hands its addresses back in, and
// whichever addresses it leaves out, every address of the scan ends in the report exactly once,
// with the word of the pass that decided it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeByAddress } from '../../src/scan/merge.js';
import type { ObservedAddress } from '../../src/base/types.js';

function obs(
  address: string,
  status: ObservedAddress['status'],
  reason = 'swept',
): ObservedAddress {
  return {
    address,
    family: address.includes(':') ? 6 : 4,
    targets: [address || 'name.example'],
    hostnames: [],
    status,
    reason,
    ports: [],
    extraports: [],
  };
}

const down = (o: ObservedAddress): boolean => o.status === 'down';
const addresses = (list: readonly ObservedAddress[]): string[] => list.map((o) => o.address);

describe('mergeByAddress', () => {
  it('replaces each entry with the update for its own address, whatever order the updates come in', () => {
    const base = [
      obs('203.0.113.1', 'down'),
      obs('203.0.113.2', 'up'),
      obs('203.0.113.3', 'down'),
      obs('2001:db8::4', 'down'),
    ];
    const updates = [
      obs('2001:db8::4', 'inconclusive', 'careful probe stopped'),
      obs('203.0.113.3', 'up', 'answered the careful probe'),
      obs('203.0.113.1', 'down', 'nor to a careful probe'),
    ];
    const merged = mergeByAddress(base, updates, down);
    assert.deepEqual(addresses(merged), addresses(base));
    assert.deepEqual(
      merged.map((o) => [o.address, o.status, o.reason]),
      [
        ['203.0.113.1', 'down', 'nor to a careful probe'],
        ['203.0.113.2', 'up', 'swept'],
        ['203.0.113.3', 'up', 'answered the careful probe'],
        ['2001:db8::4', 'inconclusive', 'careful probe stopped'],
      ],
    );
  });

  it('keeps an entry no update names as it was (an address the pass did not decide)', () => {
    const base = [obs('203.0.113.1', 'down'), obs('203.0.113.2', 'down')];
    const merged = mergeByAddress(base, [obs('203.0.113.2', 'up', 'answered')], down);
    assert.equal(merged[0], base[0]);
    assert.deepEqual(
      merged.map((o) => o.status),
      ['down', 'up'],
    );
    assert.deepEqual(mergeByAddress(base, [], down), base);
  });

  it('does not shift when the lists differ in length: a position-wise merge would pair the wrong addresses', () => {
    // The pass hands back only what it decided: the second silent address, in a list of one.
    const base = [obs('203.0.113.1', 'up'), obs('203.0.113.2', 'down'), obs('203.0.113.3', 'up')];
    const merged = mergeByAddress(base, [obs('203.0.113.2', 'up', 'answered')], down);
    assert.deepEqual(
      merged.map((o) => [o.address, o.reason]),
      [
        ['203.0.113.1', 'swept'],
        ['203.0.113.2', 'answered'],
        ['203.0.113.3', 'swept'],
      ],
    );
  });

  it('leaves the entries `decides` rejects: an up address the other pass owns, a placeholder sharing an address', () => {
    const base = [
      // A name that resolved to the runner's own address: reported, never scanned...
      obs('127.0.0.1', 'inconclusive', 'the runner itself'),
      // ...and the same address as a literal target, silent in the sweep.
      obs('127.0.0.1', 'down'),
      obs('203.0.113.9', 'up'),
    ];
    const merged = mergeByAddress(
      base,
      [obs('127.0.0.1', 'up', 'answered the careful probe'), obs('203.0.113.9', 'down', 'stale')],
      down,
    );
    assert.deepEqual(
      merged.map((o) => [o.address, o.status, o.reason]),
      [
        ['127.0.0.1', 'inconclusive', 'the runner itself'],
        ['127.0.0.1', 'up', 'answered the careful probe'],
        ['203.0.113.9', 'up', 'swept'],
      ],
    );
  });

  it('keeps every entry without an address (unresolved names) and adds none for them', () => {
    const base = [obs('', 'unresolved', 'a.example'), obs('', 'unresolved', 'b.example')];
    const merged = mergeByAddress(base, [obs('', 'down', 'bogus')], down);
    assert.deepEqual(merged, base);
  });

  it('adds an update for an address the base does not hold, once, at the end', () => {
    const base = [obs('203.0.113.1', 'down')];
    const merged = mergeByAddress(base, [
      obs('203.0.113.7', 'up'),
      obs('203.0.113.7', 'up', 'later'),
    ]);
    assert.deepEqual(
      merged.map((o) => [o.address, o.reason]),
      [
        ['203.0.113.1', 'swept'],
        ['203.0.113.7', 'later'],
      ],
    );
  });

  it('loses and doubles no address, over many shuffled and partial updates', () => {
    // A small deterministic generator: the same cases on every run.
    let seed = 21;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const size = 1 + next(12);
      const base = Array.from({ length: size }, (_, i) =>
        obs(`203.0.113.${i + 1}`, next(2) ? 'up' : 'down'),
      );
      const silent = base.filter(down);
      // Some silent addresses decided, shuffled; some extra ones the base never held.
      const decided = silent
        .filter(() => next(3) > 0)
        .map((o) => obs(o.address, next(2) ? 'up' : 'inconclusive', 'decided'));
      for (let i = decided.length - 1; i > 0; i--) {
        const j = next(i + 1);
        [decided[i], decided[j]] = [decided[j]!, decided[i]!];
      }
      const extra = Array.from({ length: next(3) }, (_, i) => obs(`198.51.100.${i + 1}`, 'up'));
      const merged = mergeByAddress(base, [...decided, ...extra], down);

      const seen = addresses(merged);
      assert.equal(new Set(seen).size, seen.length, `round ${round}: an address twice`);
      assert.deepEqual(seen, [...addresses(base), ...addresses(extra)], `round ${round}`);
      for (const o of merged) {
        const update = decided.find((d) => d.address === o.address);
        const before = base.find((b) => b.address === o.address);
        if (update) assert.equal(o, update, `round ${round}: ${o.address} not the pass's word`);
        else if (before) assert.equal(o, before, `round ${round}: ${o.address} changed`);
      }
    }
  });
});
