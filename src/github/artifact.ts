// The workflow artifact that keeps a run's reports after the runner is gone, through GitHub's own
// client (@actions/artifact, loaded only when a run keeps one): the upload of the reports, and the
// shard artifacts a merge job takes its results from. Every call is bounded like the cache's
// (cache-calls.ts): the service is the same, and a hung one is asked once per run.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheCall, service, whyNoAnswer } from './cache-calls.js';

/** An artifact of this run, and where a reader finds it. */
export interface KeptArtifact {
  name: string;
  id: number;
  /** `${GITHUB_SERVER_URL}/${owner}/${repo}/actions/runs/${runId}/artifacts/${id}`. */
  url: string;
}

const SERVICE = 'the artifact service';

/** Why the runner gives this step no artifact service, or undefined when it does. */
export function noArtifactService(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const missing = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL'].filter((v) => !env[v]);
  return missing.length
    ? `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set (not on a GitHub runner?)`
    : undefined;
}

/** Fails at once when an earlier call of this run found the service not answering. */
function checkService(): void {
  if (service.hung) {
    throw new Error('the Actions results service gave no answer earlier in this run');
  }
}

/** The error of a call, for a warning: a deadline says so and marks the service as hung. */
export function artifactError(error: unknown, timeoutMs: number): string {
  return whyNoAnswer(error, timeoutMs, SERVICE);
}

/**
 * Uploads `files` (all inside `root`) as one artifact, within `timeoutMs` for the whole upload.
 * `runUrl`: the run's page, which the artifact's address extends.
 */
export async function uploadArtifact(
  name: string,
  files: readonly string[],
  root: string,
  options: { retentionDays?: number; timeoutMs: number; runUrl: string },
): Promise<KeptArtifact> {
  checkService();
  const { DefaultArtifactClient } = await import('@actions/artifact');
  const client = new DefaultArtifactClient();
  const { id } = await cacheCall(
    options.timeoutMs,
    client.uploadArtifact(name, [...files], root, {
      ...(options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {}),
    }),
  );
  if (id === undefined) throw new Error('the artifact service gave the artifact no id');
  return { name, id, url: `${options.runUrl}/artifacts/${id}` };
}

/** `<base>-shard-<i>-of-<n>`, or any shard artifact's name when `base` is undefined. */
export function shardArtifactPattern(base: string | undefined): RegExp {
  const escaped = base?.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped ?? '.+'}-shard-\\d+-of-\\d+$`);
}

/**
 * Downloads the shard artifacts of this run whose names match `pattern`, each into a folder of its
 * own under `into`; returns their names. Each call within `timeoutMs`.
 */
export async function downloadShardArtifacts(
  pattern: RegExp,
  into: string,
  timeoutMs: number,
): Promise<string[]> {
  checkService();
  const { DefaultArtifactClient } = await import('@actions/artifact');
  const client = new DefaultArtifactClient();
  const { artifacts } = await cacheCall(timeoutMs, client.listArtifacts({ latest: true }));
  const index = (name: string): number => Number(/-shard-(\d+)-of-\d+$/.exec(name)?.[1]);
  const shards = artifacts
    .filter((a) => pattern.test(a.name))
    .sort((a, b) => a.name.localeCompare(b.name) || index(a.name) - index(b.name));
  for (const artifact of shards) {
    // Names are the service's: never a path. A folder per artifact, numbered.
    const path = join(into, String(artifact.id));
    await mkdir(path, { recursive: true, mode: 0o700 });
    await cacheCall(timeoutMs, client.downloadArtifact(artifact.id, { path }));
  }
  return shards.map((a) => a.name);
}
