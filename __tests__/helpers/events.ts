// The payloads of the events the tests run the action for, built from GitHub's own examples
// (@octokit/webhooks-examples) with the fields a test sets, so that what the action reads from
// GITHUB_EVENT_PATH is what GitHub writes there. `__tests__/unit/events.test.ts` checks every
// builder against GitHub's webhook schemas (@octokit/webhooks-schemas).
//
// A scheduled run is no webhook: GitHub writes `{ "schedule": "<cron>" }` for it, which no schema
// describes.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface ExampleSet {
  name: string;
  examples: Record<string, unknown>[];
}

const examples = require('@octokit/webhooks-examples/api.github.com/index.json') as ExampleSet[];

/** A deep copy of GitHub's example of `event` (with `action`, when given). */
function example(event: string, action?: string): Record<string, unknown> {
  const set = examples.find((e) => e.name === event);
  const found = set?.examples.find((e) => action === undefined || e['action'] === action);
  if (!found) throw new Error(`no example of the ${event} event${action ? ` (${action})` : ''}`);
  return structuredClone(found);
}

type Json = Record<string, unknown>;
const object = (value: unknown): Json => value as Json;

/**
 * Fields GitHub added to repositories after some of its examples were recorded, and which its
 * schemas now require: given their usual values where an example lacks them.
 */
const REPOSITORY_SINCE = {
  is_template: false,
  web_commit_signoff_required: false,
  topics: [],
  visibility: 'public',
  custom_properties: {},
};

function complete(target: unknown, fields: Json): void {
  if (!target || typeof target !== 'object') return;
  for (const [key, value] of Object.entries(fields)) {
    if (!(key in target)) (target as Json)[key] = structuredClone(value);
  }
}

/** The repository of a payload, with its default branch, completed as GitHub now writes it. */
function withDefaultBranch(payload: Json, defaultBranch: string): Json {
  const repository = object(payload['repository']);
  repository['default_branch'] = defaultBranch;
  complete(repository, REPOSITORY_SINCE);
  return payload;
}

export interface PullRequestEvent {
  number: number;
  /** The head commit's sha. */
  head: string;
  /** The base commit's sha; GitHub's example's when not given. */
  base?: string;
  defaultBranch?: string;
  action?: 'opened' | 'synchronize' | 'reopened';
}

/** A pull request opened or pushed to. */
export function pullRequestEvent(p: PullRequestEvent): Json {
  const payload = example('pull_request', p.action ?? 'synchronize');
  payload['number'] = p.number;
  const pull = object(payload['pull_request']);
  pull['number'] = p.number;
  object(pull['head'])['sha'] = p.head;
  if (p.base) object(pull['base'])['sha'] = p.base;
  complete(pull, { auto_merge: null, active_lock_reason: null });
  complete(object(pull['head'])['repo'], REPOSITORY_SINCE);
  complete(object(pull['base'])['repo'], REPOSITORY_SINCE);
  return withDefaultBranch(payload, p.defaultBranch ?? 'main');
}

/** A push of `ref` (refs/heads/...). */
export function pushEvent(ref: string, defaultBranch = 'main'): Json {
  const payload = example('push');
  payload['ref'] = ref;
  return withDefaultBranch(payload, defaultBranch);
}

/** A run started by hand on `ref`. */
export function workflowDispatchEvent(ref: string, defaultBranch = 'main'): Json {
  const payload = example('workflow_dispatch');
  payload['ref'] = ref;
  return withDefaultBranch(payload, defaultBranch);
}

/** A scheduled run: what GitHub writes for it. */
export function scheduleEvent(cron = '17 * * * *'): Json {
  return { schedule: cron };
}
