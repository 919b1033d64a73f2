// Reports that outlive the runner, end to end: the built action uploads report.json, report.sarif,
// nmap's XML and the summary as one workflow artifact through the real @actions/artifact client, to
// a loopback stand-in of the artifact service (helpers/artifact-server.ts); the summary, the issue
// and the pull-request comment link to it; a failing or hanging service is a warning and the
// verdict stands; shards upload under names a merge job finds, and the merge takes them from the
// run. The check runs read small nmap XML files (`xml`); the shards scan listeners on loopback.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAction, type ActionRun } from '../helpers/action.js';
import {
  startArtifactServer,
  unzip,
  zip,
  type ArtifactServer,
  type StoredArtifact,
} from '../helpers/artifact-server.js';
import { pullRequestEvent } from '../helpers/events.js';
import { runCommand } from '../helpers/exec.js';
import { startGitHubServer, type GitHubServer } from '../helpers/github-server.js';
import { listenTcp } from '../helpers/loopback.js';
import { writeNmapXml, type XmlHost } from '../helpers/nmap-xml.js';
import { findOnPath } from '../../src/base/process.js';

const HOST = '203.0.113.20';
const PORTS = [22, 443, 27017];
const MONGO: XmlHost['open'] = { 22: 'ssh', 443: 'https', 27017: 'mongodb' };
const OWNER_REPO = /https:\/\/github\.com\/octo\/fleet\/actions\/runs\/(\d+)\/artifacts\/(\d+)/;

let work: string;
let runNo = 700;

const warnings = (run: ActionRun): string[] =>
  run.stdout.split('\n').filter((l) => l.startsWith('::warning::'));

/** The artifact's files, as a reviewer who downloads it from the run reads them. */
function download(artifact: StoredArtifact | undefined): Map<string, Buffer> {
  assert.ok(artifact?.finalized && artifact.data, 'the artifact was uploaded and finalized');
  return unzip(artifact.data);
}

interface RunOptions {
  inputs?: Record<string, string>;
  env?: Record<string, string | undefined>;
}

/** One run of the action on an nmap XML file, on run `runNo` of octo/fleet. */
function checkRun(
  gh: GitHubServer,
  server: ArtifactServer | undefined,
  { inputs = {}, env = {} }: RunOptions = {},
): Promise<ActionRun> {
  const xml = writeNmapXml(join(work, `scan-${++runNo}.xml`), PORTS, [
    { address: HOST, open: MONGO },
  ]);
  return runAction(
    {
      name: 'edge watch',
      xml,
      targets: HOST,
      expected: `${HOST}: 22, 443`,
      issue: 'true',
      'github-token': gh.tokens.write,
      ...inputs,
    },
    runCommand,
    {
      GITHUB_API_URL: gh.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`,
      GITHUB_RUN_ID: String(runNo),
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_EVENT_NAME: 'schedule',
      GITHUB_EVENT_PATH: undefined,
      ACTIONS_CACHE_URL: undefined,
      ACTIONS_CACHE_SERVICE_V2: undefined,
      ACTIONS_RESULTS_URL: undefined,
      ACTIONS_RUNTIME_TOKEN: undefined,
      ...(server ? server.env(`run-${runNo}`, 'check') : {}),
      ...env,
    },
  );
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'port-drift-artifact-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

describe('the reports as one workflow artifact', () => {
  let gh: GitHubServer;
  let server: ArtifactServer;
  let run: ActionRun;
  let artifact: StoredArtifact | undefined;

  before(async () => {
    gh = await startGitHubServer();
    server = await startArtifactServer();
    run = await checkRun(gh, server, { inputs: { 'artifact-retention-days': '7' } });
    artifact = server.artifacts[0];
  });
  after(async () => {
    await gh.close();
    await server.close();
  });

  it('uploads one artifact, port-drift-<name>, kept for the days asked', () => {
    assert.equal(run.code, 1, run.stdout);
    assert.deepEqual(warnings(run), [], run.stdout);
    assert.equal(server.artifacts.length, 1);
    assert.equal(artifact?.name, 'port-drift-edge watch');
    const days = (Date.parse(artifact?.expiresAt ?? '') - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days <= 7, `expires in ${days} days`);
    assert.match(artifact?.hash ?? '', /^sha256:[0-9a-f]{64}$/);
  });

  it('holds report.json, report.sarif and summary.md that read back as the run wrote them', () => {
    const files = download(artifact);
    assert.deepEqual([...files.keys()].sort(), ['report.json', 'report.sarif', 'summary.md']);
    const report = JSON.parse(files.get('report.json')!.toString()) as typeof run.report;
    assert.deepEqual(report, run.report);
    const sarif = JSON.parse(files.get('report.sarif')!.toString()) as { runs: unknown[] };
    assert.equal(sarif.runs.length, 1);
    const summary = files.get('summary.md')!.toString();
    assert.match(summary, /^## ❌ Drift found: `edge watch`/);
    assert.match(summary, /27017\/tcp/);
    assert.match(
      summary,
      /Reports: report\.json, report\.sarif and nmap's XML, beside this summary/,
    );
  });

  it('links the summary and the issue to the artifact on the run, not to runner paths', () => {
    const link = `https://github.com/octo/fleet/actions/runs/${runNo}/artifacts/${artifact?.id}`;
    assert.ok(run.summary.includes(`](${link})`), run.summary);
    assert.equal(run.outputs['artifact-url'], link);
    assert.doesNotMatch(run.summary, /report: `\//);
    const body = gh.issues[0]?.body ?? '';
    assert.ok(body.includes(`[artifact \`port-drift-edge watch\`](${link})`), body);
    assert.match(
      run.stdout,
      new RegExp(`kept as artifact port-drift-edge watch: ${link.replace(/[./]/g, '\\$&')}`),
    );
  });
});

describe('the pull-request comment', () => {
  it('links to the artifact of its run', async () => {
    const gh = await startGitHubServer();
    const server = await startArtifactServer();
    try {
      const pull = gh.addPullRequest('Open the firewall a little');
      const event = join(work, 'event.json');
      writeFileSync(
        event,
        JSON.stringify(pullRequestEvent({ number: pull, head: 'a1b2c3d4e5f6' })),
      );
      const run = await checkRun(gh, server, {
        inputs: { issue: 'false', artifact: 'firewall-gate' },
        env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event },
      });
      assert.deepEqual(warnings(run), [], run.stdout);
      const comment = gh.issues.find((i) => i.number === pull)?.comments[0]?.body ?? '';
      const [, runId, id] = OWNER_REPO.exec(comment) ?? [];
      assert.equal(runId, String(runNo), comment);
      assert.equal(id, String(server.artifacts[0]?.id));
      assert.match(comment, /\[artifact `firewall-gate`\]/);
    } finally {
      await gh.close();
      await server.close();
    }
  });
});

describe('an artifact service that fails or hangs', () => {
  let gh: GitHubServer;
  let server: ArtifactServer;

  before(async () => {
    gh = await startGitHubServer();
    server = await startArtifactServer();
  });
  after(async () => {
    await gh.close();
    await server.close();
  });

  for (const [what, fault, faultOn, cause] of [
    [
      'refuses CreateArtifact (403)',
      { status: 403 },
      /CreateArtifact/,
      /CreateArtifact.*\(403\) Forbidden: failing on purpose/,
    ],
    [
      'answers 500 to every CreateArtifact it is retried with',
      { status: 500 },
      /CreateArtifact/,
      /gave no answer within 4 s/,
    ],
    [
      'refuses the blob upload (403)',
      { status: 403 },
      /devstoreaccount1/,
      /failing on purpose|AuthenticationFailed/,
    ],
    ['never answers', { hang: true }, undefined, /the artifact service gave no answer within 4 s/],
  ] as const) {
    it(`${what}: a warning naming the artifact and the cause, the verdict, runner paths`, async () => {
      server.fault = fault;
      server.faultOn = faultOn;
      const started = Date.now();
      const run = await checkRun(gh, server, { env: { PORT_DRIFT_HTTP_TIMEOUT: '4s' } });
      const took = Date.now() - started;
      server.fault = undefined;
      assert.equal(run.code, 1, run.stdout);
      assert.match(run.stdout, /^::error::Drift: 1 unexpected-open\.$/m);
      const w = warnings(run).join('\n');
      assert.match(w, /The reports were not uploaded as artifact port-drift-edge watch: /);
      assert.match(w, cause);
      assert.ok(took < 20_000, `the run took ${took} ms`);
      assert.match(
        run.summary,
        /report: `\/.*report\.json` · SARIF: `\/.*report\.sarif`, on the runner only: `the upload of artifact port-drift-edge watch failed/,
      );
      assert.ok(run.report, 'report.json written');
      assert.match(gh.issues[0]?.body ?? '', /on the runner only/);
    });
  }
});

describe('no artifact', () => {
  it('with artifact: false, uploads nothing and the summary names the runner paths and why', async () => {
    const gh = await startGitHubServer();
    const server = await startArtifactServer();
    try {
      const run = await checkRun(gh, server, { inputs: { artifact: 'false' } });
      assert.deepEqual(server.requests, []);
      assert.deepEqual(warnings(run), [], run.stdout);
      assert.match(
        run.summary,
        /report: `\/.*` · SARIF: `\/.*`, on the runner only: `artifact is false`/,
      );
    } finally {
      await gh.close();
      await server.close();
    }
  });

  it('refuses an artifact name GitHub would refuse, naming the input', async () => {
    const gh = await startGitHubServer();
    try {
      const run = await checkRun(gh, undefined, { inputs: { artifact: 'reports/edge' } });
      assert.equal(run.code, 1);
      assert.match(
        run.stdout,
        /^::error::Input 'artifact': 'reports\/edge' cannot name an artifact/m,
      );
      const days = await checkRun(gh, undefined, { inputs: { 'artifact-retention-days': '0' } });
      assert.match(
        days.stdout,
        /^::error::Input 'artifact-retention-days': '0' is not a number of days/m,
      );
    } finally {
      await gh.close();
    }
  });
});

const noNmap = findOnPath('nmap') ? false : 'nmap is not installed';

describe(
  'shards upload their artifacts and the merge takes them from the run',
  { skip: noNmap },
  () => {
    let server: ArtifactServer;
    let listener: Server;
    let shards: ActionRun[];
    let merge: ActionRun;
    let port: number;

    before(async () => {
      server = await startArtifactServer();
      listener = await listenTcp();
      port = (listener.address() as { port: number }).port;
      const inputs = {
        name: 'loop watch',
        targets: '127.0.0.1, 127.0.0.2',
        expected: `*: none`,
        ports: String(port),
        'scan-type': 'connect',
        'install-nmap': 'false',
      };
      const env = (job: string): Record<string, string | undefined> => ({
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'octo/fleet',
        GITHUB_RUN_ID: '800',
        ...server.env('run-800', job),
      });
      shards = [];
      for (const i of [1, 2]) {
        shards.push(await runAction({ ...inputs, shard: `${i}/2` }, runCommand, env(`shard-${i}`)));
      }
      merge = await runAction({ mode: 'merge' }, runCommand, env('merge'));
    });
    after(async () => {
      await server.close();
      listener.close();
    });

    it('names each shard artifact <artifact>-shard-<i>-of-<n>', () => {
      for (const s of shards) assert.deepEqual(warnings(s), [], s.stdout);
      assert.deepEqual(
        server.artifacts.slice(0, 2).map((a) => a.name),
        ['port-drift-loop watch-shard-1-of-2', 'port-drift-loop watch-shard-2-of-2'],
      );
      const xml: string[] = [];
      shards.forEach((s, i) => {
        const files = download(server.artifacts[i]);
        assert.deepEqual(JSON.parse(files.get('report.json')!.toString()), s.report);
        assert.match(files.get('summary.md')!.toString(), new RegExp(`^## .* Shard ${i + 1}/2: `));
        // nmap's XML of the shard, every file its report names, as nmap wrote it.
        const runs = (s.report?.['scan'] as { runs: { xml: string }[] }).runs;
        const names = [...files.keys()].filter((f) => f.endsWith('.xml')).sort();
        assert.deepEqual(names, [...new Set(runs.map((r) => basename(r.xml)))].sort());
        xml.push(...names.map((n) => files.get(n)!.toString()));
      });
      assert.ok(xml.length > 0 && xml.every((x) => x.includes('<nmaprun')));
      const open = new RegExp(
        `<address addr="127\\.0\\.0\\.1"[\\s\\S]*portid="${port}"><state state="open"`,
      );
      assert.ok(
        xml.some((x) => open.test(x)),
        'the open port is in the XML',
      );
    });

    it('merges the shard artifacts of the run with results left empty, as one run would', () => {
      assert.equal(merge.code, 1, merge.stdout + merge.stderr);
      assert.match(
        merge.stdout,
        /Merging the shard artifacts port-drift-loop watch-shard-1-of-2, port-drift-loop watch-shard-2-of-2/,
      );
      const kinds = merge.findings.map((f) => `${f.kind} ${f.address} ${f.port ?? ''}`);
      assert.deepEqual(kinds, [`unexpected-open 127.0.0.1 ${port}`]);
      assert.equal(
        merge.report?.['merged'] && (merge.report['merged'] as { shards: number }).shards,
        2,
      );
      assert.equal(server.artifacts[2]?.name, 'port-drift-loop watch');
      const link = `https://github.com/octo/fleet/actions/runs/800/artifacts/${server.artifacts[2]?.id}`;
      assert.ok(merge.summary.includes(link), merge.summary);
    });

    it('keeps the recorded policy file in the artifact of a record run', async () => {
      const recorded = await runAction(
        {
          name: 'loop record',
          mode: 'record',
          targets: '127.0.0.1',
          ports: String(port),
          'scan-type': 'connect',
          'install-nmap': 'false',
        },
        runCommand,
        {
          GITHUB_SERVER_URL: 'https://github.com',
          GITHUB_REPOSITORY: 'octo/fleet',
          GITHUB_RUN_ID: '803',
          ...server.env('run-803', 'record'),
        },
      );
      assert.equal(recorded.code, 0, recorded.stdout);
      const files = download(server.artifacts.find((a) => a.name === 'port-drift-loop record'));
      assert.ok(files.has('report.json') && files.has('summary.md'), [...files.keys()].join(' '));
      assert.match(
        files.get('policy.yml')?.toString() ?? '',
        new RegExp(`127\\.0\\.0\\.1[\\s\\S]*${port}`),
      );
    });

    it('treats a shard artifact as untrusted: a forged one fails the merge, naming the file, and writes nothing outside', async () => {
      const escape = `pd-escape-${process.pid}-${Date.now()}.txt`;
      server.put(
        'run-801',
        'forger',
        'port-drift-loop watch-shard-1-of-2',
        zip({ 'report.json': '{"not": json', [`../../../../../../../tmp/${escape}`]: 'x' }),
      );
      const forged = await runAction({ mode: 'merge', name: 'loop watch' }, runCommand, {
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'octo/fleet',
        GITHUB_RUN_ID: '801',
        ...server.env('run-801', 'merge'),
      });
      assert.equal(forged.code, 1);
      assert.match(
        forged.stdout,
        /^::error::Input 'results': \/\S+\/port-drift-shards-\w+\/\d+\/report\.json is not JSON/m,
      );
      assert.doesNotMatch(forged.stdout, /"not": json/);
      assert.equal(existsSync(join('/tmp', escape)), false, 'nothing written outside its folder');
    });

    it('fails naming results when the run has no shard artifact', async () => {
      const none = await runAction({ mode: 'merge', name: 'loop watch' }, runCommand, {
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'octo/fleet',
        GITHUB_RUN_ID: '802',
        ...server.env('run-802', 'merge'),
      });
      assert.equal(none.code, 1);
      assert.match(
        none.stdout,
        /^::error::Input 'results': is empty, so the shard artifacts of this run are merged, and this run has none named port-drift-loop watch-shard-<i>-of-<n>\./m,
      );
    });
  },
);
