// observe(): what nmap wrote becomes the observed state of every planned address. What a user
// relies on: every address ends as an observation or says why not, silence is never "up", and one
// address seen by several runs is one entry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNmapXml } from '../../src/nmap/parse.js';
import { observe, type RunResult } from '../../src/scan/observe.js';
import type { ScanPlan } from '../../src/plan/plan.js';
import { parseTargets } from '../../src/settings/targets.js';
import { nmapXml } from '../helpers/nmap-xml.js';

const ALL = [{ from: 1, to: 65535, protocol: 'tcp' as const }];

function plan(extra: Partial<ScanPlan> = {}): ScanPlan {
  return {
    tcp: ALL,
    udp: [],
    runs: [],
    resolved: new Map(),
    unresolved: [],
    unreachable: [],
    addressCount: 1,
    ...extra,
  };
}

const run = (xml: string, targets: string[], extra: Partial<RunResult> = {}): RunResult => ({
  run: parseNmapXml(xml),
  finished: true,
  targets,
  protocols: ['tcp'],
  ...extra,
});

/** A host nmap reports up (as -Pn makes it) whose every probe went unanswered. */
const silentHost = (address: string): string =>
  [
    '<?xml version="1.0"?>',
    '<nmaprun scanner="nmap" args="nmap -sS -Pn" start="1" version="7.93" xmloutputversion="1.05">',
    '<scaninfo type="syn" protocol="tcp" numservices="1000" services="1-1000"/>',
    `<host><status state="up" reason="user-set" reason_ttl="0"/><address addr="${address}" addrtype="ipv4"/>`,
    '<ports><extraports state="filtered" count="1000"><extrareasons reason="no-response" count="1000" proto="tcp" ports="1-1000"/></extraports></ports></host>',
    '<runstats><finished time="2" elapsed="1" exit="success"/><hosts up="1" down="0" total="1"/></runstats>',
    '</nmaprun>',
  ].join('\n');

describe('observe', () => {
  it('names each address by every target entry that covers it, and by the hostname that resolved to it', () => {
    const targets = parseTargets('targets', 'web.example.com\n203.0.113.0/30', 4096);
    const xml = nmapXml([22, 443], [{ address: '203.0.113.1', open: { 443: 'https' } }]);
    const [obs] = observe(
      targets,
      plan({ resolved: new Map([['web.example.com', ['203.0.113.1']]]) }),
      [run(xml, ['203.0.113.0/30'])],
    );
    assert.equal(obs?.status, 'up');
    assert.deepEqual(obs?.targets, ['web.example.com', '203.0.113.0/30']);
    assert.deepEqual(obs?.hostnames, ['web.example.com']);
    assert.deepEqual(
      obs?.ports.map((p) => [p.port, p.state]),
      [
        [22, 'closed'],
        [443, 'open'],
      ],
    );
  });

  it('calls a host that answered on no port down, saying so, even when nmap says up (-Pn)', () => {
    const targets = parseTargets('targets', '203.0.113.9', 4096);
    const [obs] = observe(targets, plan(), [run(silentHost('203.0.113.9'), ['203.0.113.9'])]);
    assert.equal(obs?.status, 'down');
    assert.equal(obs?.reason, 'no answer on any of 1000 scanned ports');
  });

  it('leaves out no address: an unresolved name, an unreachable family and an unfinished block each say why', () => {
    const targets = parseTargets('targets', 'gone.example.com\n2001:db8::5\n198.51.100.0/30', 4096);
    const observed = observe(
      targets,
      plan({
        unresolved: [{ target: 'gone.example.com', reason: 'has no A or AAAA record' }],
        unreachable: [
          {
            target: '2001:db8::5',
            address: '2001:db8::5',
            reason: 'no IPv6 route from this runner',
          },
        ],
      }),
      [
        {
          run: null,
          finished: false,
          targets: ['198.51.100.0/30'],
          protocols: ['tcp'],
          why: 'stopped at the scan-timeout budget',
        },
      ],
    );
    assert.deepEqual(
      observed.map((o) => [o.targets[0], o.status, o.reason]),
      [
        ['gone.example.com', 'unresolved', 'gone.example.com has no A or AAAA record'],
        ['2001:db8::5', 'inconclusive', 'no IPv6 route from this runner'],
        [
          '198.51.100.0/30',
          'inconclusive',
          'only part of the block was scanned: stopped at the scan-timeout budget',
        ],
      ],
    );
  });

  it('makes one entry of an address two runs saw (TCP then UDP), up when either saw it answer', () => {
    const targets = parseTargets('targets', '203.0.113.7', 4096);
    const tcp = run(nmapXml([22], [{ address: '203.0.113.7', open: { 22: 'ssh' } }]), [
      '203.0.113.7',
    ]);
    const udp = run(silentHost('203.0.113.7'), ['203.0.113.7'], { protocols: ['udp'] });
    const observed = observe(targets, plan(), [udp, tcp]);
    assert.equal(observed.length, 1);
    assert.equal(observed[0]?.status, 'up');
    assert.deepEqual(
      observed[0]?.ports.map((p) => [p.port, p.protocol, p.state]),
      [[22, 'tcp', 'open']],
    );
  });

  it('marks the protocol of a run that stopped before reaching an address as unscanned, not closed', () => {
    const targets = parseTargets('targets', '203.0.113.8', 4096);
    const tcp = run(nmapXml([22], [{ address: '203.0.113.8', open: { 22: 'ssh' } }]), [
      '203.0.113.8',
    ]);
    const udp: RunResult = {
      run: null,
      finished: false,
      targets: ['203.0.113.8'],
      protocols: ['udp'],
      why: 'stopped at the scan-timeout budget',
    };
    const [obs] = observe(targets, plan(), [tcp, udp]);
    assert.equal(obs?.status, 'up');
    assert.deepEqual(obs?.unscanned, ['udp']);
  });
});
