// report.sarif: valid SARIF 2.1.0 that GitHub code scanning accepts, and alerts it can follow.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  FINGERPRINT_KEY,
  sarifText,
  toSarif,
  workflowPathFromRef,
} from '../../src/report/sarif.js';
import { sharedDir } from '../helpers/paths.js';
import { report, unresolved, up } from '../helpers/reports.js';
import { sarifValidator } from '../helpers/sarif.js';

const WORKFLOW = `name: exposure watch
on: { schedule: [{ cron: '17 * * * *' }] }
jobs:
  scan:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: OWNER/port-drift@v1
        with:
          targets: |
            web.example.com
            gone.example.com
            203.0.113.0/28
          expected: |
            # the web tier
            web.example.com: 80, 443
            203.0.113.0/28: 22?
`;

const down = unresolved('gone.example.com');

function fleet(version = '1.0'): ReturnType<typeof report> {
  return report(
    [
      up(
        '203.0.113.10',
        ['web.example.com'],
        [
          { port: 80, service: 'http' },
          { port: 6379, service: 'redis', version },
        ],
      ),
      up(
        '203.0.113.11',
        ['203.0.113.0/28'],
        [{ port: 27017, service: 'mongodb [click](https://evil.example) @admin' }],
      ),
      down,
    ],
    '# the web tier\nweb.example.com: 80, 443\n203.0.113.0/28: 22?',
    { targets: ['web.example.com', 'gone.example.com', '203.0.113.0/28'] },
  );
}

const sources = {
  workflowPath: '.github/workflows/watch.yml',
  workflowText: WORKFLOW,
  toolVersion: '0.1.0',
};

type Sarif = {
  runs: {
    tool: { driver: { rules: { id: string; help: { text: string } }[] } };
    results: {
      ruleId: string;
      level: string;
      message: { text: string };
      partialFingerprints: Record<string, string>;
      locations: {
        physicalLocation?: { artifactLocation: { uri: string }; region: { startLine: number } };
      }[];
    }[];
  }[];
};

describe('SARIF', () => {
  const schemaPath = join(sharedDir, 'schemas/sarif-schema-2.1.0.json');
  it(
    'is valid SARIF 2.1.0 by the schema GitHub upload-sarif uses',
    { skip: existsSync(schemaPath) ? false : `no SARIF schema at ${schemaPath}` },
    () => {
      const validate = sarifValidator(readFileSync(schemaPath, 'utf8'));
      for (const sarif of [toSarif(fleet(), sources), toSarif(fleet(), { toolVersion: '0.1.0' })]) {
        assert.equal(validate(sarif), true, JSON.stringify(validate.errors, null, 2));
      }
    },
  );

  it('has one rule per drift kind, with help, and one result per finding', () => {
    const sarif = toSarif(fleet(), sources) as Sarif;
    const run = sarif.runs[0]!;
    assert.deepEqual(
      run.tool.driver.rules.map((r) => r.id),
      [
        'unexpected-open',
        'missing',
        'host-down',
        'service-changed',
        'tls-expired',
        'tls-expiring',
        'tls-name-mismatch',
        'inconclusive',
      ],
    );
    assert.ok(run.tool.driver.rules.every((r) => r.help.text.length > 40));
    assert.deepEqual(
      run.results.map((r) => `${r.ruleId} ${r.level}`),
      ['missing error', 'unexpected-open error', 'unexpected-open error', 'host-down error'],
    );
  });

  it('stays within code scanning’s 25,000 results, keeping the errors and saying what is left out', () => {
    const address = (i: number): string => `2001:db8::${i.toString(16)}`;
    const observed = [
      ...Array.from({ length: 25_000 }, (_, i) =>
        up(address(i), [address(i)], [{ port: 22 }, { port: 80 }]),
      ),
      ...Array.from({ length: 10 }, (_, i) => up(address(30_000 + i), [address(30_000 + i)], [])),
    ];
    const r = report(observed, '*: 22', { failOn: ['missing'], targets: [] });
    assert.equal(r.findings.length, 25_010);
    const sarif = toSarif(r, sources) as Sarif & {
      runs: { invocations: { toolExecutionNotifications: { message: { text: string } }[] }[] }[];
    };
    const run = sarif.runs[0]!;
    assert.equal(run.results.length, 25_000);
    assert.equal(run.results.filter((x) => x.level === 'error').length, 10, 'every missing port');
    assert.deepEqual(
      run.invocations[0]!.toolExecutionNotifications.map((n) => n.message.text),
      [
        '10 of 25010 findings are not in this file: code scanning takes at most 25000 results in a run. report.json has them all.',
      ],
    );
    if (existsSync(schemaPath)) {
      const validate = sarifValidator(readFileSync(schemaPath, 'utf8'));
      assert.equal(validate(sarif), true, JSON.stringify(validate.errors?.slice(0, 3)));
    }
  });

  it('marks kinds outside fail-on as warnings', () => {
    const r = report(
      [up('203.0.113.10', ['web.example.com'], [{ port: 80 }])],
      'web.example.com: 80, 443',
      {
        failOn: ['unexpected-open'],
      },
    );
    const sarif = toSarif(r, sources) as Sarif;
    assert.deepEqual(
      sarif.runs[0]!.results.map((x) => `${x.ruleId} ${x.level}`),
      ['missing warning'],
    );
  });

  it('points each result at the workflow line that declared its rule or target', () => {
    const sarif = toSarif(fleet(), sources) as Sarif;
    const at = sarif.runs[0]!.results.map((r) => {
      const loc = r.locations[0]?.physicalLocation;
      return `${r.ruleId} ${loc?.artifactLocation.uri}:${loc?.region.startLine}`;
    });
    const line = (text: string): number =>
      WORKFLOW.split('\n').findIndex((l) => l.includes(text)) + 1;
    assert.deepEqual(at, [
      `missing .github/workflows/watch.yml:${line('web.example.com: 80, 443')}`,
      `unexpected-open .github/workflows/watch.yml:${line('web.example.com: 80, 443')}`,
      `unexpected-open .github/workflows/watch.yml:${line('203.0.113.0/28: 22?')}`,
      `host-down .github/workflows/watch.yml:${line('  gone.example.com')}`,
    ]);
  });

  it('points at the policy file line when the rule came from a policy file', () => {
    const r = fleet();
    const rules = r.settings['rules'] as { source: string }[];
    rules[0]!.source = '/repo/policy/ports.yml:12';
    const sarif = toSarif(r, { ...sources, workspace: '/repo' }) as Sarif;
    const loc = sarif.runs[0]!.results[0]!.locations[0]?.physicalLocation;
    assert.equal(loc?.artifactLocation.uri, 'policy/ports.yml');
    assert.equal(loc?.region.startLine, 12);
  });

  it('derives the workflow path from GITHUB_WORKFLOW_REF', () => {
    assert.equal(
      workflowPathFromRef('octo/ops/.github/workflows/watch.yml@refs/heads/main'),
      '.github/workflows/watch.yml',
    );
    assert.equal(workflowPathFromRef(undefined), undefined);
  });

  it('keeps fingerprints stable across runs whatever the service version, and distinct per finding', () => {
    const a = (toSarif(fleet('1.0'), sources) as Sarif).runs[0]!.results;
    const b = (toSarif({ ...fleet('2.0'), startedAt: '2027-01-01T00:00:00Z' }, sources) as Sarif)
      .runs[0]!.results;
    const prints = (rs: typeof a): string[] =>
      rs.map((r) => r.partialFingerprints[FINGERPRINT_KEY]!);
    assert.deepEqual(prints(a), prints(b));
    assert.equal(new Set(prints(a)).size, a.length);
  });

  it('escapes untrusted text so that a banner cannot become a link', () => {
    const text = (toSarif(fleet(), sources) as Sarif).runs[0]!.results[2]!.message.text;
    assert.match(text, /mongodb \\\[click\\\]\(https:\/\/evil\.example\)/);
    assert.equal(sarifText('a\u0007b\nc'), 'a b c');
  });
});
