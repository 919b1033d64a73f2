// End to end: the built action writes report.sarif that GitHub code scanning accepts, pointing each
// alert at the workflow line that declared its rule. Reads recorded nmap XML: no scan, no root.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FINGERPRINT_KEY } from '../../src/report/sarif.js';
import { runAction, type ActionRun } from '../helpers/action.js';
import { fixturesDir, sharedDir } from '../helpers/paths.js';
import { sarifValidator } from '../helpers/sarif.js';

const WORKFLOW = `name: watch
on: push
permissions:
  contents: read
  security-events: write
jobs:
  scan:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: scan
        uses: OWNER/port-drift@v1
        with:
          xml: scans/*.xml
          targets: |
            203.0.113.20
            203.0.113.21
          expected: |
            203.0.113.20: 22, 80, 443
            203.0.113.21: 2222, 5432
`;

interface Sarif {
  runs: {
    automationDetails: { id: string };
    results: {
      ruleId: string;
      level: string;
      partialFingerprints: Record<string, string>;
      locations: {
        physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
      }[];
    }[];
  }[];
}

describe('report.sarif from the action', () => {
  let workspace: string;
  const runs: { run: ActionRun; sarif: Sarif }[] = [];

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'port-drift-sarif-'));
    mkdirSync(join(workspace, '.github/workflows'), { recursive: true });
    writeFileSync(join(workspace, '.github/workflows/watch.yml'), WORKFLOW);
    for (const i of [1, 2]) {
      const reportDir = join(workspace, `out-${i}`);
      const run = await runAction(
        {
          name: 'sarif watch',
          xml: join(fixturesDir, 'nmap/fleet-ipv4.xml'),
          targets: '203.0.113.20\n203.0.113.21',
          expected: '203.0.113.20: 22, 80, 443\n203.0.113.21: 2222, 5432',
          'report-dir': reportDir,
        },
        undefined,
        {
          GITHUB_WORKSPACE: workspace,
          GITHUB_WORKFLOW_REF: 'octo/ops/.github/workflows/watch.yml@refs/heads/main',
        },
      );
      const sarif = JSON.parse(readFileSync(join(reportDir, 'report.sarif'), 'utf8')) as Sarif;
      runs.push({ run, sarif });
    }
  });

  after(() => {
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it('sets the sarif output to report.sarif beside report.json', () => {
    const { run } = runs[0]!;
    assert.equal(run.code, 1, run.stdout);
    assert.equal(run.outputs['sarif'], join(workspace, 'out-1', 'report.sarif'));
    assert.equal(run.outputs['report'], join(workspace, 'out-1', 'report.json'));
  });

  it(
    'is valid SARIF 2.1.0',
    {
      skip: existsSync(join(sharedDir, 'schemas'))
        ? false
        : `no ${join(sharedDir, 'schemas')}: cannot validate`,
    },
    () => {
      const validate = sarifValidator(
        readFileSync(join(sharedDir, 'schemas/sarif-schema-2.1.0.json'), 'utf8'),
      );
      assert.equal(validate(runs[0]!.sarif), true, JSON.stringify(validate.errors));
    },
  );

  it('has one error per finding, at the workflow line of the rule it breaks', () => {
    const { run, sarif } = runs[0]!;
    const line = WORKFLOW.split('\n').findIndex((l) => l.includes('203.0.113.21: 2222, 5432')) + 1;
    assert.deepEqual(
      sarif.runs[0]!.results.map((r) => {
        const at = r.locations[0]!.physicalLocation;
        return `${r.ruleId} ${r.level} ${at.artifactLocation.uri}:${at.region.startLine}`;
      }),
      run.findings.map((f) => `${f.kind} error .github/workflows/watch.yml:${line}`),
    );
    assert.equal(run.findings.length, 2);
    assert.equal(sarif.runs[0]!.automationDetails.id, 'port-drift/sarif watch/');
  });

  it('gives the same fingerprints on the next run, so code scanning follows each alert', () => {
    const prints = (s: Sarif): string[] =>
      s.runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]!);
    assert.deepEqual(prints(runs[1]!.sarif), prints(runs[0]!.sarif));
  });
});
