// Targets that are not the target: a name whose address is the runner's own (loopback, link-local,
// unspecified, a cloud metadata service) is inconclusive and never scanned; an address the user
// wrote as such is scanned as written, and the result says what it is.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findDrift } from '../../src/findings/drift.js';
import { remedyFor } from '../../src/findings/hints.js';
import { parseNmapXml } from '../../src/nmap/parse.js';
import { observe } from '../../src/scan/observe.js';
import { makePlan, type PlanFacts } from '../../src/plan/plan.js';
import { renderSummary } from '../../src/report/summary.js';
import { renderText } from '../../src/report/text.js';
import { readSettings } from '../../src/settings/settings.js';
import { runnerNoteOf, runnerRange } from '../../src/settings/targets.js';
import { decide } from '../../src/findings/verdict.js';
import { inputs } from '../helpers/inputs.js';
import { nmapXml } from '../helpers/nmap-xml.js';
import { report, up } from '../helpers/reports.js';

describe('runnerRange', () => {
  it('knows the runner itself, its own link and its provider, in every form a packet reaches them', () => {
    const cases: [string, string | undefined][] = [
      ['127.0.0.1', 'loopback'],
      ['127.8.9.10', 'loopback'],
      ['::1', 'loopback'],
      ['0.0.0.0', 'unspecified'],
      ['::', 'unspecified'],
      ['169.254.1.1', 'link-local'],
      ['fe80::1', 'link-local'],
      ['febf::1', 'link-local'],
      ['169.254.169.254', 'metadata'],
      ['169.254.170.2', 'metadata'],
      ['fd00:ec2::254', 'metadata'],
      ['fd20:ce::254', 'metadata'],
      ['100.100.100.200', 'metadata'],
      ['192.0.0.192', 'metadata'],
      // IPv4-mapped and NAT64 forms reach the IPv4 address inside them.
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:a9fe:a9fe', 'metadata'],
      ['64:ff9b::7f00:1', 'loopback'],
      ['64:ff9b::169.254.169.254', 'metadata'],
      // Hosts of a fleet, private or public, and their neighbours: none of the runner's own.
      ['203.0.113.5', undefined],
      ['10.0.0.1', undefined],
      ['100.100.100.201', undefined],
      ['fd00:ec2::253', undefined],
      ['fec0::1', undefined],
      ['2001:db8::1', undefined],
      ['::ffff:203.0.113.5', undefined],
      ['not an address', undefined],
    ];
    for (const [address, range] of cases) assert.equal(runnerRange(address), range, address);
  });

  it('says what a literal or a block the user wrote is, and nothing of other entries', () => {
    assert.equal(runnerNoteOf('127.0.0.1'), 'is the runner itself (loopback)');
    assert.equal(
      runnerNoteOf('169.254.169.254'),
      "is a cloud metadata address, the runner's own provider's service",
    );
    assert.equal(runnerNoteOf('127.0.0.0/30'), 'is within the loopback range, the runner itself');
    assert.equal(
      runnerNoteOf('169.254.169.0/24'),
      "holds 169.254.169.254, a cloud metadata address, the runner's own provider's service",
    );
    assert.equal(
      runnerNoteOf('fe80::/120'),
      "is within the link-local range, the runner's own network link",
    );
    for (const other of ['203.0.113.0/24', '126.0.0.0/7', 'localhost', '2001:db8::1', 'x y']) {
      assert.equal(runnerNoteOf(other), undefined, other);
    }
  });
});

const facts = (resolved: Record<string, string[]>): PlanFacts => ({
  resolved: new Map(Object.entries(resolved)),
  unreachable: new Map(),
  topPorts: () => [],
});

const settingsFor = (targets: string, expected = '*: 22') =>
  readSettings(inputs({ targets, expected, ports: '22, 80' }), {});

describe('a name that resolves to the runner itself', () => {
  it('is never scanned: each such address is inconclusive, saying what it is', () => {
    const settings = settingsFor('parked.example, meta.example, split.example');
    const plan = makePlan(
      settings,
      facts({
        'parked.example': ['127.0.0.1', '::1'],
        'meta.example': ['::ffff:169.254.169.254'],
        'split.example': ['203.0.113.7', '0.0.0.0'],
      }),
    );
    assert.deepEqual(plan.runs, [{ family: 4, targets: ['203.0.113.7'] }]);
    assert.equal(plan.addressCount, 1);
    assert.deepEqual(
      plan.unreachable.map((u) => `${u.target} ${u.address}: ${u.reason}`),
      [
        'parked.example 127.0.0.1: parked.example resolves to 127.0.0.1, the runner itself (loopback): not scanned. Fix its DNS record, or write the address in targets to scan it as written.',
        'parked.example ::1: parked.example resolves to ::1, the runner itself (loopback): not scanned. Fix its DNS record, or write the address in targets to scan it as written.',
        "meta.example 169.254.169.254: meta.example resolves to 169.254.169.254, a cloud metadata address, the runner's own provider's service: not scanned. Fix its DNS record, or write the address in targets to scan it as written.",
        'split.example 0.0.0.0: split.example resolves to 0.0.0.0, the unspecified address, which reaches the runner itself: not scanned. Fix its DNS record, or write the address in targets to scan it as written.',
      ],
    );
  });

  it('ends as an inconclusive finding, and a run with nothing else to judge does not pass', () => {
    const settings = settingsFor('parked.example');
    const plan = makePlan(settings, facts({ 'parked.example': ['127.0.0.1'] }));
    const observed = observe(settings.targets, plan, []);
    const findings = findDrift(settings.rules, observed, plan.tcp);
    assert.deepEqual(
      findings.map((f) => [f.kind, f.target, f.address, f.observed]),
      [['inconclusive', 'parked.example', '127.0.0.1', 'not scanned']],
    );
    assert.match(findings[0]?.detail ?? '', /resolves to 127\.0\.0\.1, the runner itself/);
    assert.match(remedyFor(findings[0]!), /fix the name's DNS record/);
    const verdict = decide(findings, settings.failOn, { observed });
    assert.equal(verdict.failed, true);
    assert.equal(verdict.undecided, 'nothing');
  });

  it('does not take the scan of the same address written as a literal for its own', () => {
    const settings = settingsFor('127.0.0.1, parked.example', '127.0.0.1: 22\nparked.example: 80');
    const plan = makePlan(settings, facts({ 'parked.example': ['127.0.0.1'] }));
    assert.deepEqual(plan.runs, [{ family: 4, targets: ['127.0.0.1'] }]);
    const xml = nmapXml([22, 80], [{ address: '127.0.0.1', open: { 22: 'ssh' } }]);
    const observed = observe(settings.targets, plan, [
      { run: parseNmapXml(xml), finished: true, targets: ['127.0.0.1'], protocols: ['tcp'] },
    ]);
    const scanned = observed.find((o) => o.status === 'up');
    assert.deepEqual(scanned?.targets, ['127.0.0.1']);
    assert.deepEqual(scanned?.hostnames, []);
    // parked.example's rule (80 required) is not judged on the runner's ports: inconclusive only.
    assert.deepEqual(
      findDrift(settings.rules, observed, plan.tcp).map((f) => `${f.kind} ${f.target}`),
      ['inconclusive parked.example'],
    );
  });
});

describe('an address of the runner written as a target', () => {
  it('is scanned, and the summary and the text output say what it is', () => {
    const r = report([up('127.0.0.1', ['127.0.0.1'], [{ port: 22, service: 'ssh' }])], '*: 22', {
      targets: ['127.0.0.1', '169.254.169.0/24', '203.0.113.9'],
    });
    const summary = renderSummary(r, '/tmp/report.json');
    assert.match(
      summary,
      /^> `127\.0\.0\.1` is the runner itself \(loopback\): scanned as written\.$/m,
    );
    assert.match(
      summary,
      /^> `169\.254\.169\.0\/24` holds 169\.254\.169\.254, a cloud metadata address/m,
    );
    assert.doesNotMatch(summary, /`203\.0\.113\.9` is/);
    assert.match(
      renderText(r, '/tmp/report.json'),
      /^Note: 127\.0\.0\.1 is the runner itself \(loopback\): scanned as written\.$/m,
    );
  });

  it('is not called the runner when another machine scanned it (xml)', () => {
    const r = report([up('127.0.0.1', ['127.0.0.1'], [{ port: 22, service: 'ssh' }])], '*: 22');
    const xml = { ...r, scan: { ...r.scan, source: 'xml' as const } };
    assert.doesNotMatch(renderSummary(xml, '/tmp/report.json'), /runner itself/);
  });
});
