import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findDrift } from '../../src/findings/drift.js';
import { parseRules } from '../../src/settings/rules.js';
import type { ObservedAddress, ObservedPort, PortRange } from '../../src/base/types.js';
import { decide } from '../../src/findings/verdict.js';

const TCP_1000: PortRange[] = [{ from: 1, to: 30000, protocol: 'tcp' }];

function host(
  address: string,
  targets: string[],
  open: number[],
  extra: Partial<ObservedAddress> = {},
  more: ObservedPort[] = [],
): ObservedAddress {
  return {
    address,
    family: 4,
    targets,
    hostnames: [],
    status: 'up',
    reason: 'user-set',
    ports: [
      ...open.map((port) => ({ port, protocol: 'tcp' as const, state: 'open', reason: 'syn-ack' })),
      ...more,
    ],
    extraports: [{ state: 'closed', count: 990, protocol: 'tcp' }],
    ...extra,
  };
}

describe('drift', () => {
  const rules = parseRules('expected', 'web: 22, 443\ndb: 5432\n*: 8080?');

  it('finds nothing when exactly the expected ports are open', () => {
    assert.deepEqual(
      findDrift(rules, [host('203.0.113.10', ['web'], [22, 443, 8080])], TCP_1000),
      [],
    );
  });

  it('reports an unexpected MongoDB and Redis with the service nmap saw', () => {
    const mongo: ObservedPort = {
      port: 27017,
      protocol: 'tcp',
      state: 'open',
      reason: 'syn-ack',
      service: { name: 'mongodb', product: 'MongoDB', version: '4.4' },
    };
    const findings = findDrift(
      rules,
      [host('203.0.113.11', ['web'], [22, 443, 6379], {}, [mongo])],
      TCP_1000,
    );
    assert.deepEqual(
      findings.map((f) => [f.kind, f.port, f.observed]),
      [
        ['unexpected-open', 6379, 'open'],
        ['unexpected-open', 27017, 'open'],
      ],
    );
    assert.deepEqual(findings[1]?.service, mongo.service);
    assert.equal(findings[1]?.target, 'web');
    assert.equal(findings[1]?.address, '203.0.113.11');
    assert.equal(findings[1]?.expected, 'not open');
  });

  it('reports an expected port behind a dropping firewall as missing, with its state', () => {
    const filtered: ObservedPort = {
      port: 443,
      protocol: 'tcp',
      state: 'filtered',
      reason: 'no-response',
    };
    const findings = findDrift(
      rules,
      [host('203.0.113.12', ['web'], [22], {}, [filtered])],
      TCP_1000,
    );
    assert.deepEqual(
      findings.map((f) => [f.kind, f.port, f.expected, f.observed]),
      [['missing', 443, 'open', 'filtered']],
    );
  });

  it('takes the state of a folded-away expected port from extraports', () => {
    const findings = findDrift(rules, [host('203.0.113.13', ['db'], [])], TCP_1000);
    assert.deepEqual(
      findings.map((f) => [f.kind, f.port, f.observed]),
      [['missing', 5432, 'closed']],
    );
  });

  it('reports a named address where nothing answers as host-down, once, without per-port noise', () => {
    const findings = findDrift(
      rules,
      [
        host('203.0.113.250', ['web'], [], {
          status: 'down',
          reason: 'no answer on any of 1000 scanned ports',
        }),
      ],
      TCP_1000,
    );
    assert.deepEqual(
      findings.map((f) => [f.kind, f.port, f.detail]),
      [['host-down', undefined, 'no answer on any of 1000 scanned ports']],
    );
  });

  it('does not report empty addresses of a CIDR block unless a rule requires ports there', () => {
    const blockRules = parseRules('expected', '203.0.113.0/24: none');
    const empty = host('203.0.113.99', ['203.0.113.0/24'], [], { status: 'down' });
    assert.deepEqual(findDrift(blockRules, [empty], TCP_1000), []);
    const needs = parseRules('expected', '203.0.113.0/24: 22');
    assert.equal(findDrift(needs, [empty], TCP_1000)[0]?.kind, 'host-down');
  });

  it('reports a name that does not resolve as host-down, and an unfinished address as inconclusive', () => {
    const findings = findDrift(
      rules,
      [
        host('', ['gone.example'], [], {
          status: 'unresolved',
          reason: 'gone.example does not resolve',
        }),
        host('2001:db8::1', ['web'], [], { status: 'inconclusive', reason: 'no IPv6 route' }),
      ],
      TCP_1000,
    );
    assert.deepEqual(
      findings.map((f) => [f.kind, f.target, f.observed]),
      [
        ['host-down', 'gone.example', 'unresolved'],
        ['inconclusive', 'web', 'not scanned'],
      ],
    );
  });

  it('calls a required UDP port in open|filtered inconclusive, never missing nor passed', () => {
    const udpRules = parseRules('expected', 'dns: 53/udp');
    const obs = host('203.0.113.53', ['dns'], [], {}, [
      { port: 53, protocol: 'udp', state: 'open|filtered', reason: 'no-response' },
      { port: 161, protocol: 'udp', state: 'open|filtered', reason: 'no-response' },
    ]);
    const findings = findDrift(
      udpRules,
      [obs],
      [...TCP_1000, { from: 1, to: 200, protocol: 'udp' }],
    );
    assert.deepEqual(
      findings.map((f) => [f.kind, f.port, f.protocol]),
      [['inconclusive', 53, 'udp']],
    );
  });

  it('calls a required port that was not scanned inconclusive', () => {
    const findings = findDrift(
      parseRules('expected', 'web: 40000'),
      [host('203.0.113.10', ['web'], [])],
      TCP_1000,
    );
    assert.deepEqual(
      findings.map((f) => [f.kind, f.observed]),
      [['inconclusive', 'not scanned']],
    );
  });

  it('fails only on the kinds in fail-on, and counts by kind in one line', () => {
    const findings = findDrift(rules, [host('203.0.113.11', ['web'], [22, 6379])], TCP_1000);
    const strict = decide(findings, new Set(['unexpected-open', 'missing']));
    assert.equal(strict.failed, true);
    assert.equal(strict.drift, true);
    assert.equal(strict.message, 'Drift: 1 unexpected-open, 1 missing.');
    const lenient = decide(findings, new Set());
    assert.equal(lenient.failed, false);
    assert.equal(lenient.drift, true);
    assert.equal(decide([], new Set(['missing'])).drift, false);
  });
});
