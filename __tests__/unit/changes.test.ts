import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classify,
  compare,
  describeChanges,
  findingKey,
  parseState,
  stateOf,
} from '../../src/memory/changes.js';
import type { Finding } from '../../src/base/types.js';

const open = (address: string, port: number, extra: Partial<Finding> = {}): Finding => ({
  kind: 'unexpected-open',
  target: address,
  address,
  port,
  protocol: 'tcp',
  expected: 'not open',
  observed: 'open',
  ...extra,
});
const missing: Finding = {
  kind: 'missing',
  target: 'web.example',
  address: '203.0.113.5',
  port: 443,
  protocol: 'tcp',
  expected: 'open',
  observed: 'filtered',
};
const unresolved: Finding = {
  kind: 'host-down',
  target: 'gone.example',
  address: '',
  expected: 'resolves',
  observed: 'unresolved',
};

describe('what changed since the last run', () => {
  it('is nothing when the same drift is seen again, whatever nmap said about the service', () => {
    const before = stateOf([open('203.0.113.9', 27017), missing]);
    const after = stateOf([
      missing,
      open('203.0.113.9', 27017, { service: { name: 'mongod', product: 'MongoDB 7' } }),
    ]);
    const changes = compare(before, after);
    assert.equal(changes.changed, false);
    assert.equal(describeChanges(changes), 'No change since the last run.');
  });

  it('lists new and resolved findings by kind, address, port and protocol', () => {
    const before = stateOf([open('203.0.113.9', 27017), missing]);
    const after = stateOf([open('203.0.113.9', 27017), open('203.0.113.9', 6379), unresolved]);
    const changes = compare(before, after);
    assert.equal(changes.changed, true);
    assert.deepEqual(changes.added.map(findingKey).sort(), [
      'host-down|name:gone.example|',
      'unexpected-open|203.0.113.9|6379/tcp',
    ]);
    assert.deepEqual(changes.resolved.map(findingKey), ['missing|203.0.113.5|443/tcp']);
    assert.equal(changes.kept, 1);
    assert.equal(describeChanges(changes), 'Since the last run: 2 new, 1 resolved, 1 unchanged.');
  });

  it('tells a port that moved from TCP to UDP apart, and a missing port from an open one', () => {
    const tcp = stateOf([open('203.0.113.9', 53)]);
    assert.equal(
      compare(tcp, stateOf([open('203.0.113.9', 53, { protocol: 'udp' })])).changed,
      true,
    );
    assert.equal(
      compare(tcp, stateOf([{ ...missing, address: '203.0.113.9', port: 53 }])).changed,
      true,
    );
  });

  it('reports everything as new when there is no last state', () => {
    const changes = compare(undefined, stateOf([missing]));
    assert.equal(changes.known, false);
    assert.equal(changes.added.length, 1);
    assert.equal(describeChanges(changes), 'First report of this drift.');
  });

  it('still sees a change when a state kept only its digest', () => {
    const full = stateOf([missing]);
    const digestOnly = { digest: full.digest, count: full.count };
    assert.equal(compare(digestOnly, full).changed, false);
    const other = compare(digestOnly, stateOf([unresolved]));
    assert.equal(other.changed, true);
    assert.equal(other.detailsLost, true);
  });

  it('reads back only well-formed states', () => {
    const state = stateOf([missing, unresolved]);
    assert.deepEqual(parseState(JSON.parse(JSON.stringify(state))), state);
    assert.equal(parseState({ digest: 'x', count: 1 }), undefined);
    assert.equal(parseState(null), undefined);
    // A forged finding makes the whole state none: the drift is then new, and Slack hears of it.
    assert.equal(parseState({ ...state, findings: [{ kind: 'evil', target: 1 }] }), undefined);
    assert.equal(parseState({ ...state, count: 1e300 }), undefined);
    assert.equal(
      parseState({ ...state, findings: [{ ...state.findings![0], target: 'a\nb' }] }),
      undefined,
    );
  });
});

describe('what a run says about the drift', () => {
  const inconclusive: Finding = { ...unresolved, kind: 'inconclusive', observed: 'not scanned' };
  const failOn = new Set(['unexpected-open', 'missing', 'host-down'] as const);

  it('is drift when a drift kind was found, clean when nothing was', () => {
    assert.equal(classify([missing], failOn, false).status, 'drift');
    assert.equal(classify([], failOn, false).status, 'clean');
  });

  it('is undecided, neither drift nor clean, when only inconclusive findings or nmap failed', () => {
    assert.equal(classify([inconclusive], failOn, false).status, 'undecided');
    assert.equal(classify([], failOn, true).status, 'undecided');
  });

  it('counts inconclusive findings as drift when fail-on lists them', () => {
    const r = classify([inconclusive], new Set(['inconclusive'] as const), false);
    assert.equal(r.status, 'drift');
    assert.equal(r.tracked.length, 1);
  });
});
