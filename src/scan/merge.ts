// Passes that run side by side each decide their own addresses (the careful probe those that were
// silent, the every-port check and the rescue those that answered), and their results are merged
// by address, never by position in a list. Pure.
import type { ObservedAddress } from '../base/types.js';

/**
 * `base` with each entry a pass decided replaced by the pass's entry for that address. `decides`
 * says which entries of `base` the pass is about (an address may also stand in `base` as an entry
 * no pass scanned, such as a name's address reported unreachable: it stays). The order is
 * `base`'s; an entry of `updates` for an address `base` does not hold at all is added at the end.
 * No address is lost and none doubled: each update replaces at most one entry, the first one
 * `decides` accepts, and one that has no such entry and whose address `base` holds is left out
 * (the entry of `base` stands). Of several updates for one address, the last is the pass's word.
 */
export function mergeByAddress(
  base: readonly ObservedAddress[],
  updates: readonly ObservedAddress[],
  decides: (before: ObservedAddress) => boolean = () => true,
): ObservedAddress[] {
  const byAddress = new Map(updates.map((u) => [u.address, u]));
  const used = new Set<string>();
  const merged = base.map((before) => {
    const update = byAddress.get(before.address);
    if (update === undefined || used.has(before.address) || !decides(before)) return before;
    used.add(before.address);
    return update;
  });
  const known = new Set(base.map((o) => o.address));
  return [...merged, ...[...byAddress.values()].filter((u) => !known.has(u.address))];
}
