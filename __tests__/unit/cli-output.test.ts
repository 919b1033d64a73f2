// What the command line prints and keeps: the plain-text result (aligned, and safe in a terminal
// whatever a banner holds), the --state file (checked before a scan, replaced whole), and how a
// job's report comes to an outcome, which the action and the command line share.
import { quietLogger } from '../../src/base/log.js';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigurationError, NmapError } from '../../src/base/errors.js';
import { conclude, failureOf } from '../../src/run/job.js';
import { stateOf } from '../../src/memory/changes.js';
import { FileStateStore } from '../../src/memory/state-file.js';
import { columns, renderText } from '../../src/report/text.js';
import { readSettings } from '../../src/settings/settings.js';
import { inputs } from '../helpers/inputs.js';
import { down, report, up } from '../helpers/reports.js';

const log = quietLogger;

describe('the plain-text result', () => {
  it('aligns columns and trims trailing blanks', () => {
    assert.equal(
      columns([
        ['A', 'BB', 'C'],
        ['aaaa', 'b', ''],
      ]),
      'A     BB  C\naaaa  b',
    );
  });

  it('says the verdict first, one row per finding, one per address, and where report.json is', () => {
    const r = report(
      [up('203.0.113.5', ['db.example.com'], [{ port: 22 }, { port: 27017, service: 'mongodb' }])],
      'db.example.com: 22, 443',
      { name: 'edge' },
    );
    const text = renderText(r, '/var/lib/pd/report.json');
    const lines = text.split('\n');
    assert.equal(lines[0], 'Drift found: edge');
    assert.equal(lines[1], 'Drift: 1 unexpected-open, 1 missing.');
    const header = lines.find((l) => l.startsWith('TARGET') && l.includes('FINDING')) ?? '';
    const mongo = lines.find((l) => l.includes('27017/tcp')) ?? '';
    assert.match(mongo, /^db\.example\.com +203\.0\.113\.5 +27017\/tcp +unexpected-open +/);
    assert.equal(mongo.indexOf('unexpected-open'), header.indexOf('FINDING'));
    assert.match(text, /^db\.example\.com +203\.0\.113\.5 +443\/tcp +missing +open +/m);
    assert.match(text, /^db\.example\.com +203\.0\.113\.5 +up +22\/tcp,27017\/tcp/m);
    assert.equal(lines.at(-2), 'Report: /var/lib/pd/report.json');
    assert.doesNotMatch(text, /\*\*|`|\|/, 'no Markdown');
  });

  it('never passes a control character from a scanned host to the terminal', () => {
    const hostile = up(
      '203.0.113.9',
      ['203.0.113.9'],
      // An escape sequence that would clear the screen and a line break that would forge a row.
      [{ port: 8080, service: 'http\u001b[2J\u001b[1;1Hfake\nok  203.0.113.9  no drift\u2028x' }],
    );
    const text = renderText(report([hostile], '203.0.113.9: none'), 'r.json');
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
    assert.equal(text.split('\n').filter((l) => l.includes('no drift')).length, 1);
  });

  it('counts what it leaves out instead of printing thousands of rows', () => {
    const many = Array.from({ length: 250 }, (_, i) =>
      down(`198.51.100.${i % 250}`, [`h${i}.example.com`]),
    );
    const text = renderText(report(many, '*: 22'), 'r.json');
    assert.match(text, /^\.\.\. and 50 more findings in report\.json$/m);
    assert.match(text, /^\.\.\. and 150 more addresses in report\.json$/m);
  });
});

describe('the --state file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'port-drift-state-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const drift = stateOf(report([up('203.0.113.5', ['a'], [{ port: 23 }])], 'a: none').findings);

  it('starts empty, keeps the last state, and is replaced whole', async () => {
    const path = join(dir, 'edge.json');
    const first = await FileStateStore.open(path, 'edge', log);
    assert.equal(await first.load(), undefined);
    assert.equal(await first.save(drift), 'saved');
    first.close();
    const kept = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    assert.equal(kept['schema'], 'port-drift/state@1');
    assert.equal(kept['name'], 'edge');
    const again = await FileStateStore.open(path, 'edge', log);
    assert.deepEqual(await again.load(), drift);
    again.close();
  });

  it('refuses, naming the file and the fix: not a state file, another policy, no folder', async () => {
    const junk = join(dir, 'junk.json');
    writeFileSync(junk, 'not json');
    const other = join(dir, 'other.json');
    writeFileSync(
      other,
      JSON.stringify({ schema: 'port-drift/state@1', name: 'core', savedAt: '', state: drift }),
    );
    for (const [path, words] of [
      [junk, /junk\.json is not a port-drift state file .* delete this one to start afresh/],
      [other, /keeps the state of the policy named 'core', not of 'edge': give each policy/],
      [join(dir, 'none', 'x.json'), /the folder of .* does not exist/],
    ] as const) {
      await assert.rejects(
        FileStateStore.open(path, 'edge', log),
        (e: unknown) =>
          e instanceof ConfigurationError && e.input === '--state' && words.test(e.message),
      );
    }
  });

  it('ignores a forged last state with a warning naming the file: the drift is new', async () => {
    const path = join(dir, 'forged.json');
    writeFileSync(
      path,
      JSON.stringify({
        schema: 'port-drift/state@1',
        name: 'edge',
        savedAt: '',
        state: { ...drift, count: 1e300 },
      }),
    );
    const warnings: string[] = [];
    const store = await FileStateStore.open(path, 'edge', {
      ...log,
      warning: (m) => warnings.push(m),
    });
    store.close();
    assert.equal(await store.load(), undefined);
    assert.deepEqual(warnings, [
      `${path}: the last state is not one port-drift writes (count: want a whole number in 0-1000000000, found 1e+300): ignored, so the drift counts as new.`,
    ]);
  });

  it('a state that cannot be written is a warning and `failed`, never a lost verdict', async () => {
    const gone = mkdtempSync(join(tmpdir(), 'port-drift-state-gone-'));
    const warnings: string[] = [];
    const store = await FileStateStore.open(join(gone, 'edge.json'), 'edge', {
      ...log,
      warning: (m) => warnings.push(m),
    });
    store.close();
    rmSync(gone, { recursive: true, force: true });
    assert.equal(await store.save(drift), 'failed');
    assert.match(warnings[0] ?? '', /could not be written .* The next run may repeat this message/);
  });
});

describe('what a job comes to', () => {
  const settings = (values: Record<string, string> = {}) =>
    readSettings(inputs({ targets: '203.0.113.5', expected: '203.0.113.5: 22', ...values }));
  const clean = report([up('203.0.113.5', ['203.0.113.5'], [{ port: 22 }])], '203.0.113.5: 22');
  const drifting = report(
    [up('203.0.113.5', ['203.0.113.5'], [{ port: 22 }, { port: 23 }])],
    '203.0.113.5: 22',
  );

  it('passes clean, fails on drift in fail-on, warns on drift outside it', () => {
    assert.deepEqual(conclude(clean, settings()), {
      outcome: 'pass',
      level: 'info',
      message: clean.verdict.message,
      notify: true,
    });
    assert.equal(conclude(drifting, settings()).outcome, 'drift');
    assert.equal(conclude(drifting, settings()).level, 'error');
    const lenient = report(
      [up('203.0.113.5', ['203.0.113.5'], [{ port: 22 }, { port: 23 }])],
      '203.0.113.5: 22',
      { failOn: ['missing'] },
    );
    assert.deepEqual(
      [conclude(lenient, settings()).outcome, conclude(lenient, settings()).level],
      ['pass', 'warning'],
    );
  });

  it('a shard never fails nor notifies for drift: its merge job does; nmap failing fails it', () => {
    const shard = settings({ shard: '2/3' });
    const c = conclude(drifting, shard);
    assert.deepEqual([c.outcome, c.level, c.notify], ['pass', 'notice', false]);
    assert.match(c.message, /^Shard 2\/3: Drift: 1 unexpected-open\. The merge job reports/);
    const broken = { ...drifting, failure: 'nmap: Failed to open device eth9' };
    assert.deepEqual(
      [conclude(broken, shard).outcome, conclude(broken, shard).message],
      ['failure', 'nmap: Failed to open device eth9'],
    );
  });

  it('one place for errors: configuration, nmap, and anything else with its stack', () => {
    assert.deepEqual(failureOf(new ConfigurationError('ports', 'is wrong.')), {
      outcome: 'configuration-error',
      message: "Input 'ports': is wrong.",
    });
    assert.deepEqual(failureOf(new NmapError('nmap: no')), {
      outcome: 'failure',
      message: 'nmap: no',
    });
    const bug = failureOf(new TypeError('x is undefined'));
    assert.equal(bug.message, 'port-drift failed: x is undefined');
    assert.match(bug.stack ?? '', /TypeError: x is undefined\n\s+at /);
  });
});
