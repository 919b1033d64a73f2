// A loopback server that answers like the GitHub Actions cache service (v2, the one GitHub-hosted
// runners use): the Twirp calls of @actions/cache, and the signed blob URLs it uploads archives to
// and downloads them from. Entries are immutable; a restore by prefix gets the newest match.
// saveAsAnotherJob saves an entry with the real client, as any job of the repository can. The same
// server is the artifact service (artifact-server.ts), as a runner's ACTIONS_RESULTS_URL is both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifactService, runtimeToken, type ArtifactService } from './artifact-server.js';
import { runCommand } from './exec.js';
import { listenLoopback } from './loopback.js';
import { repoRoot } from './paths.js';

export interface CacheEntry {
  id: number;
  key: string;
  version: string;
  data?: Buffer;
  finalized: boolean;
}

export interface CacheServer {
  /** ACTIONS_RESULTS_URL */
  url: string;
  entries: CacheEntry[];
  /**
   * The environment a runner gives a step to use this cache service: each read is a new workflow
   * run's (its runtime token names a run of its own, whose artifacts are its own).
   */
  env: Record<string, string>;
  /** When true, every request is taken and never answered: a cache service that hangs. */
  hang: boolean;
  /** When set, every request is answered with this HTTP status: a cache service that fails. */
  failWith: number | undefined;
  /** Every request, `METHOD /path`. */
  requests: string[];
  /** The artifact service at the same address: its artifacts, requests and faults (its own). */
  artifacts: ArtifactService;
  close(): Promise<void>;
}

const SERVICE = '/twirp/github.actions.results.api.v1.CacheService/';

export async function startCacheServer(): Promise<CacheServer> {
  const entries: CacheEntry[] = [];
  let url = '';
  const control: { hang: boolean; failWith: number | undefined } = {
    hang: false,
    failWith: undefined,
  };
  const requests: string[] = [];
  const artifacts = artifactService();
  let runs = 0;
  const blobUrl = (e: CacheEntry): string => `${url}/devstoreaccount1/cache/entry-${e.id}?sig=test`;

  const loopback = await listenLoopback((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (artifacts.handle(req, res, body, url)) return;
      const path = new URL(req.url ?? '/', url).pathname;
      requests.push(`${req.method ?? ''} ${path}`);
      if (control.hang) return;
      if (control.failWith !== undefined) {
        res.writeHead(control.failWith, { 'content-type': 'text/plain' }).end('failing on purpose');
        return;
      }
      const json = (status: number, data: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(data));
      };
      const blob = /^\/devstoreaccount1\/cache\/entry-(\d+)$/.exec(path);
      if (blob) {
        const entry = entries.find((e) => e.id === Number(blob[1]));
        if (!entry) {
          res.writeHead(404).end();
        } else if (req.method === 'PUT') {
          entry.data = body;
          res
            .writeHead(201, {
              etag: `"0x${entry.id}"`,
              'last-modified': new Date().toUTCString(),
              'x-ms-request-id': String(entry.id),
              'x-ms-version': '2024-05-04',
              'x-ms-request-server-encrypted': 'true',
            })
            .end();
        } else if (req.method === 'GET' && entry.data) {
          res
            .writeHead(200, {
              'content-type': 'application/octet-stream',
              'content-length': String(entry.data.length),
            })
            .end(entry.data);
        } else {
          res.writeHead(404).end();
        }
        return;
      }
      if (req.method !== 'POST' || !path.startsWith(SERVICE)) {
        json(404, { code: 'bad_route', msg: 'no such route' });
        return;
      }
      if (!/^Bearer .+/.test(req.headers.authorization ?? '')) {
        json(401, { code: 'unauthenticated', msg: 'no token' });
        return;
      }
      const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      const field = (camel: string, snake: string): unknown => input[camel] ?? input[snake];
      const text = (v: unknown): string => (typeof v === 'string' ? v : '');
      const key = text(field('key', 'key'));
      const version = text(field('version', 'version'));
      switch (path.slice(SERVICE.length)) {
        case 'CreateCacheEntry': {
          if (entries.some((e) => e.key === key && e.version === version)) {
            json(200, { ok: false, message: 'cache entry already exists' });
            return;
          }
          const entry: CacheEntry = { id: entries.length + 1, key, version, finalized: false };
          entries.push(entry);
          json(200, { ok: true, signed_upload_url: blobUrl(entry) });
          return;
        }
        case 'FinalizeCacheEntryUpload': {
          const entry = entries.find((e) => e.key === key && e.version === version);
          if (!entry?.data) {
            json(200, { ok: false, message: 'nothing uploaded' });
            return;
          }
          entry.finalized = true;
          json(200, { ok: true, entry_id: String(entry.id) });
          return;
        }
        case 'GetCacheEntryDownloadURL': {
          const ready = entries.filter((e) => e.finalized && e.version === version);
          const restoreKeys = (field('restoreKeys', 'restore_keys') ?? []) as string[];
          const hit =
            ready.find((e) => e.key === key) ??
            [key, ...restoreKeys]
              .map((prefix) => ready.filter((e) => e.key.startsWith(prefix)).at(-1))
              .find(Boolean);
          json(
            200,
            hit
              ? { ok: true, signed_download_url: blobUrl(hit), matched_key: hit.key }
              : { ok: false },
          );
          return;
        }
        default:
          json(404, { code: 'bad_route', msg: 'no such method' });
      }
    });
  });
  url = loopback.url;
  return {
    url,
    entries,
    get env() {
      return {
        ACTIONS_CACHE_SERVICE_V2: 'true',
        ACTIONS_RESULTS_URL: `${url}/`,
        ACTIONS_RUNTIME_TOKEN: runtimeToken(`run-backend-${++runs}`),
      };
    },
    get hang() {
      return control.hang;
    },
    set hang(value: boolean) {
      control.hang = value;
    },
    get failWith() {
      return control.failWith;
    },
    set failWith(value: number | undefined) {
      control.failWith = value;
    },
    requests,
    artifacts,
    close: loopback.close,
  };
}

/**
 * Saves `paths` under `key` with the real cache client, as any other job of the repository can
 * (a forged entry under port-drift's key prefix, say). Returns the client's cache id.
 */
export async function saveAsAnotherJob(
  server: CacheServer,
  paths: string[],
  key: string,
  /** The workspace of the jobs that restore it: the archive holds paths relative to it. */
  workspace: string,
): Promise<number> {
  const script = [
    "import * as cache from '@actions/cache';",
    'const [key, ...paths] = process.argv.slice(1);',
    'console.log(await cache.saveCache(paths, key));',
  ].join('\n');
  // The client archives under RUNNER_TEMP, and without one under /home/actions/temp, which only a
  // hosted runner's user (or root) may create: a temporary folder of this job's own.
  const runnerTemp = mkdtempSync(join(tmpdir(), 'port-drift-other-job-'));
  try {
    const run = await runCommand(
      [process.execPath, '--input-type=module', '-e', script, key, ...paths],
      {
        env: { ...server.env, RUNNER_TEMP: runnerTemp, GITHUB_WORKSPACE: workspace },
        cwd: repoRoot,
        timeoutMs: 60_000,
      },
    );
    if (run.code !== 0) throw new Error(`saveCache failed: ${run.stderr}`);
    return Number(run.stdout.trim().split('\n').at(-1));
  } finally {
    rmSync(runnerTemp, { recursive: true, force: true });
  }
}
