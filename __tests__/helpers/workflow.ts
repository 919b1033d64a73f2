// One workflow as GitHub starts it: `.github/workflows/watch.yml`, job `scan`, run by the built
// action for an event (schedule, pull_request, push), in a checkout that holds the policy file
// `ports.yml` for one host, against the loopback GitHub (and Slack and Actions cache when given).
// The scan is a small nmap XML file (the `xml` input): no nmap, no root.
import { pullRequestEvent, pushEvent, scheduleEvent } from './events.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAction, type ActionRun } from './action.js';
import type { CacheServer } from './cache-server.js';
import { runCommand } from './exec.js';
import type { GitHubServer } from './github-server.js';
import { writeNmapXml, type XmlHost } from './nmap-xml.js';
import type { SlackServer } from './slack-server.js';

export const HOST = '203.0.113.20';
const PORTS = [22, 443, 27017];
export const CLEAN = { 22: 'ssh', 443: 'https' };
export const MONGO = { ...CLEAN, 27017: 'mongodb' };
/** The pull request's base commit. */
export const BASE = 'ba5e000000000000000000000000000000000001';

/** The policy file: the host and its ports, as YAML flow items (`22, 443`). */
export const policy = (ports: string, name = 'edge'): string =>
  [`name: ${name}`, `targets: [${HOST}]`, 'rules:', `  ${HOST}: [${ports}]`, ''].join('\n');
/** The default branch's policy: SSH and HTTPS. */
export const MAIN_POLICY = policy('22, 443');
/** A pull request's: MongoDB may be open too. */
export const RELAXED_POLICY = policy("22, 443, '27017?'");

export interface Run {
  gh: GitHubServer;
  slack?: SlackServer;
  cache?: CacheServer;
  open: XmlHost['open'];
  /** The policy file in the checkout; MAIN_POLICY by default. */
  policyText?: string;
  /** The event: the runner's variables (an `Events` method's result). */
  event: Record<string, string | undefined>;
  inputs?: Record<string, string>;
}

export interface Workflow {
  run(r: Run): Promise<ActionRun>;
  /** The scheduled run on the default branch: a schedule's payload names no repository. */
  schedule(): Record<string, string | undefined>;
  /** A pull request's run, its payload naming the base commit and the default branch `main`. */
  pullRequest(pull: number): Record<string, string | undefined>;
  /** A push to a branch of a repository whose default branch is `main`. */
  push(branch: string): Record<string, string | undefined>;
}

/** The workflow, with its runs' files (checkouts, scans, event payloads) under `work`. */
export function workflow(work: string, firstRun = 900): Workflow {
  let runNo = firstRun;
  const eventFile = (payload: unknown): string => {
    const file = join(work, `event-${++runNo}.json`);
    writeFileSync(file, JSON.stringify(payload));
    return file;
  };
  const workflowRef = (ref: string): string => `octo/fleet/.github/workflows/watch.yml@${ref}`;
  return {
    async run(r) {
      const checkout = join(work, `checkout-${++runNo}`);
      mkdirSync(checkout, { recursive: true });
      writeFileSync(join(checkout, 'ports.yml'), r.policyText ?? MAIN_POLICY);
      const xml = writeNmapXml(join(work, `scan-${runNo}.xml`), PORTS, [
        { address: HOST, open: r.open },
      ]);
      // RUNNER_TEMP is the same in every run of a runner: the cache's paths live under it.
      const runnerTemp = join(work, 'runner-temp');
      mkdirSync(runnerTemp, { recursive: true });
      return runAction(
        {
          policy: 'ports.yml',
          xml,
          issue: 'true',
          'github-token': r.gh.tokens.write,
          ...(r.slack ? { 'slack-webhook-url': r.slack.url } : {}),
          ...r.inputs,
        },
        runCommand,
        {
          GITHUB_WORKSPACE: checkout,
          RUNNER_TEMP: runnerTemp,
          GITHUB_API_URL: r.gh.url,
          GITHUB_SERVER_URL: 'https://github.com',
          GITHUB_REPOSITORY: `${r.gh.owner}/${r.gh.repo}`,
          GITHUB_JOB: 'scan',
          GITHUB_RUN_ID: String(runNo),
          GITHUB_RUN_ATTEMPT: '1',
          ACTIONS_RESULTS_URL: undefined,
          ACTIONS_CACHE_URL: undefined,
          ACTIONS_RUNTIME_TOKEN: undefined,
          ACTIONS_CACHE_SERVICE_V2: undefined,
          ...r.cache?.env,
          ...r.event,
        },
      );
    },
    schedule: () => ({
      GITHUB_EVENT_NAME: 'schedule',
      GITHUB_EVENT_PATH: eventFile(scheduleEvent('17 * * * *')),
      GITHUB_REF: 'refs/heads/main',
      GITHUB_WORKFLOW_REF: workflowRef('refs/heads/main'),
    }),
    pullRequest: (pull) => ({
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventFile(
        pullRequestEvent({ number: pull, head: 'feed0002', base: BASE }),
      ),
      GITHUB_REF: `refs/pull/${pull}/merge`,
      GITHUB_WORKFLOW_REF: workflowRef(`refs/pull/${pull}/merge`),
    }),
    push: (branch) => ({
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: eventFile(pushEvent(`refs/heads/${branch}`)),
      GITHUB_REF: `refs/heads/${branch}`,
      GITHUB_WORKFLOW_REF: workflowRef(`refs/heads/${branch}`),
    }),
  };
}
