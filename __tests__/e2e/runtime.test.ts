// The Node the action runs on, made visible: the built action and the command line report, from
// inside their own process, the version of the Node that ran them; it is the one
// helpers/runtime.ts chose (PORT_DRIFT_TEST_NODE, else the tests' own), and under
// `npm run test:node24` the major version action.yml names (`runs.using: node24`). A variable the
// helpers ignored would fail here. Needs neither root nor nmap: the runs read nmap XML.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { brief, runAction } from '../helpers/action.js';
import { runCommand } from '../helpers/exec.js';
import { fixturesDir, repoRoot } from '../helpers/paths.js';
import {
  NODE_VARIABLE,
  actionNode,
  actionNodeChosen,
  actionNodeVersion,
} from '../helpers/runtime.js';

/** The Node major version action.yml runs the action on (`using: node24`). */
const declared = /^runs:\n(?:[ \t]+.*\n)*?[ \t]+using:\s*['"]?node(\d+)['"]?\s*$/m.exec(
  readFileSync(join(repoRoot, 'action.yml'), 'utf8'),
)?.[1];

const INPUTS = {
  xml: join(fixturesDir, 'nmap/fleet-ipv4.xml'),
  targets: '203.0.113.20\n203.0.113.21',
  expected: '203.0.113.20: 22, 80, 443\n203.0.113.21: 2222, 5432',
};
const DRIFT = [
  'missing 203.0.113.21 203.0.113.21 5432/tcp filtered',
  'unexpected-open 203.0.113.21 203.0.113.21 27017/tcp open',
];

describe('the Node the action runs on', () => {
  const work = mkdtempSync(join(tmpdir(), 'port-drift-runtime-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  /** Variables that make the run record the Node that runs it into `file`. */
  const recording = (file: string): Record<string, string> => ({
    NODE_OPTIONS: `--import=${pathToFileURL(join(repoRoot, '__tests__/helpers/record-runtime.mjs')).href}`,
    PORT_DRIFT_TEST_RUNTIME_FILE: file,
  });
  const recorded = (file: string): { version: string; execPath: string } =>
    JSON.parse(readFileSync(file, 'utf8')) as { version: string; execPath: string };

  it(`runs the action on Node ${actionNodeVersion} (${actionNode})`, async () => {
    const file = join(work, 'action.json');
    const run = await runAction(INPUTS, undefined, recording(file));
    assert.deepEqual(brief(run.findings), DRIFT, run.stdout + run.stderr);
    assert.equal(run.code, 1);
    assert.deepEqual(recorded(file), { version: actionNodeVersion, execPath: actionNode });
  });

  it(`runs the command line on Node ${actionNodeVersion}`, async () => {
    const file = join(work, 'cli.json');
    const cli = await runCommand(
      [
        actionNode,
        join(repoRoot, 'dist/cli/index.js'),
        '--xml',
        INPUTS.xml,
        '--targets',
        INPUTS.targets.replace('\n', ','),
        '--expected',
        '203.0.113.20: 22, 80, 443',
        '--expected',
        '203.0.113.21: 2222, 5432',
        '--report-dir',
        join(work, 'cli-report'),
        '--format',
        'json',
      ],
      {
        env: {
          ...recording(file),
          GITHUB_ACTIONS: undefined,
          GITHUB_OUTPUT: undefined,
          XDG_STATE_HOME: work,
        },
      },
    );
    assert.equal(cli.code, 1, cli.stdout + cli.stderr);
    const report = JSON.parse(cli.stdout) as { findings: Parameters<typeof brief>[0] };
    assert.deepEqual(brief(report.findings), DRIFT);
    assert.deepEqual(recorded(file), { version: actionNodeVersion, execPath: actionNode });
  });

  it(
    `is Node ${declared ?? '?'}, the runtime action.yml names, when ${NODE_VARIABLE} chose it`,
    {
      skip: actionNodeChosen
        ? false
        : `${NODE_VARIABLE} is not set: the action runs on the tests' own Node (npm run test:node24 runs these tests on Node ${declared ?? '?'})`,
    },
    () => {
      assert.ok(declared, 'action.yml names its runtime: runs.using: nodeNN');
      assert.equal(actionNodeVersion.replace(/^v(\d+)\..*$/, '$1'), declared, actionNodeVersion);
    },
  );
});
