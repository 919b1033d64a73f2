// A loopback stand-in for the GitHub Actions artifact service (v4, the one @actions/artifact 2.x+
// talks to): the Twirp calls CreateArtifact, FinalizeArtifact, ListArtifacts and
// GetSignedArtifactURL, and the signed blob URLs, which behave like Azure Blob Storage: the client
// stages blocks (PUT ?comp=block&blockid=) and commits them (PUT ?comp=blocklist), and downloads
// the committed blob (GET). Artifacts belong to a workflow run, named once in it; the backend ids
// come from the runtime token, a JWT as the runner gives (runtimeToken). The cache stand-in
// (cache-server.ts) serves these routes too, as the one results service of a runner does.
import { crc32, inflateRawSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLoopback } from './loopback.js';

export interface StoredArtifact {
  id: number;
  name: string;
  run: string;
  job: string;
  /** Blocks staged and not yet committed, by block id. */
  blocks: Map<string, Buffer>;
  /** The committed blob: the zip. */
  data?: Buffer;
  finalized: boolean;
  /** What FinalizeArtifact said: the size and `sha256:...`. */
  size?: string;
  hash?: string;
  /** CreateArtifact's expires_at, when a retention was asked for. */
  expiresAt?: string;
}

/** A fault of the artifact routes: never answered, or answered with a status. */
export type ArtifactFault = { hang: true } | { status: number };

export interface ArtifactService {
  artifacts: StoredArtifact[];
  /** Every artifact request, `METHOD /path`. */
  requests: string[];
  /** Applies to every artifact route (Twirp and blobs) whose path matches `faultOn` (all: unset). */
  fault: ArtifactFault | undefined;
  faultOn: RegExp | undefined;
  /** Adds a finalized artifact to run `run`, as job `job` of it could upload it: returns it. */
  put(run: string, job: string, name: string, data: Buffer): StoredArtifact;
  /** Answers the request when it is the artifact service's; false when it is not. */
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer, base: string): boolean;
}

export interface ArtifactServer extends ArtifactService {
  url: string;
  /** The environment a runner gives a step of job `job` of run `run` for this service. */
  env(run?: string, job?: string): Record<string, string>;
  close(): Promise<void>;
}

const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService/';
const BLOB = /^\/devstoreaccount1\/actions-results\/artifact-(\d+)\.zip$/;

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A runtime token as the runner's: a JWT whose scope names the run's and the job's backend ids. */
export function runtimeToken(run = 'run-backend-1', job = 'job-backend-1'): string {
  const scp = `Actions.GenericRead:00000000 Actions.Results:${run}:${job}`;
  return `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ scp, exp: 4102444800 })}.c2ln`;
}

function backendOf(req: IncomingMessage): { run: string; job: string } | undefined {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
      scp?: string;
    };
    const scope = (claims.scp ?? '').split(' ').find((s) => s.startsWith('Actions.Results:'));
    const [, run, job] = scope?.split(':') ?? [];
    return run && job ? { run, job } : undefined;
  } catch {
    return undefined;
  }
}

export function artifactService(): ArtifactService {
  const service: ArtifactService = {
    artifacts: [],
    requests: [],
    fault: undefined,
    faultOn: undefined,
    put(run, job, name, data) {
      const id = 9000 + service.artifacts.length + 1;
      const artifact = { id, name, run, job, blocks: new Map(), data, finalized: true };
      service.artifacts.push(artifact);
      return artifact;
    },
    handle(req, res, body, base) {
      const url = new URL(req.url ?? '/', base);
      if (!url.pathname.startsWith(SERVICE) && !BLOB.test(url.pathname)) return false;
      service.requests.push(`${req.method ?? ''} ${url.pathname}${url.search}`);
      const fault = service.faultOn?.test(url.pathname) === false ? undefined : service.fault;
      if (fault && 'hang' in fault) return true;
      if (fault) {
        failWith(res, fault.status, !url.pathname.startsWith(SERVICE));
        return true;
      }
      if (url.pathname.startsWith(SERVICE)) twirp(service, req, res, body, base);
      else blob(service, req, res, body, url);
      return true;
    },
  };
  return service;
}

/** A failure as each side answers one: Twirp's JSON error, or Azure's XML error with its code. */
function failWith(res: ServerResponse, status: number, azure: boolean): void {
  if (!azure) {
    const code = status >= 500 ? 'internal' : status === 403 ? 'permission_denied' : 'unknown';
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code, msg: 'failing on purpose' }));
    return;
  }
  const code = status === 403 ? 'AuthenticationFailed' : 'InternalError';
  res.writeHead(status, {
    'content-type': 'application/xml',
    'x-ms-error-code': code,
    'x-ms-request-id': 'stand-in',
    'x-ms-version': '2024-05-04',
  });
  res.end(
    `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>failing on purpose</Message></Error>`,
  );
}

function blob(
  service: ArtifactService,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  url: URL,
): void {
  const artifact = service.artifacts.find((a) => a.id === Number(BLOB.exec(url.pathname)?.[1]));
  const azure = { 'x-ms-request-id': 'stand-in', 'x-ms-version': '2024-05-04' };
  if (!artifact || url.searchParams.get('sig') !== `artifact-${artifact.id}`) {
    res.writeHead(403, azure).end();
    return;
  }
  const comp = url.searchParams.get('comp');
  if (req.method === 'PUT' && comp === 'block' && !artifact.finalized) {
    artifact.blocks.set(url.searchParams.get('blockid') ?? '', body);
    res.writeHead(201, { ...azure, 'x-ms-request-server-encrypted': 'true' }).end();
  } else if (req.method === 'PUT' && comp === 'blocklist' && !artifact.finalized) {
    const ids = [...body.toString().matchAll(/<(?:Latest|Uncommitted)>([^<]*)</g)].map((m) => m[1]);
    const parts = ids.map((id) => artifact.blocks.get(id ?? ''));
    if (parts.some((p) => p === undefined)) {
      res.writeHead(400, { ...azure, 'x-ms-error-code': 'InvalidBlockList' }).end();
      return;
    }
    artifact.data = Buffer.concat(parts as Buffer[]);
    artifact.blocks.clear();
    const etag = `"0x${artifact.id}"`;
    res.writeHead(201, { ...azure, etag, 'last-modified': new Date().toUTCString() }).end();
  } else if (req.method === 'GET' && artifact.finalized && artifact.data) {
    res.writeHead(200, {
      ...azure,
      'content-type': 'application/zip',
      'content-length': String(artifact.data.length),
    });
    res.end(artifact.data);
  } else {
    res.writeHead(404, { ...azure, 'x-ms-error-code': 'BlobNotFound' }).end();
  }
}

function twirp(
  service: ArtifactService,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  base: string,
): void {
  const json = (status: number, data: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(data));
  };
  const backend = backendOf(req);
  if (req.method !== 'POST' || !backend) {
    json(401, { code: 'unauthenticated', msg: 'no runtime token with an Actions.Results scope' });
    return;
  }
  const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
  const field = (camel: string, snake: string): unknown => input[camel] ?? input[snake];
  if (field('workflowRunBackendId', 'workflow_run_backend_id') !== backend.run) {
    json(403, { code: 'permission_denied', msg: 'not this run' });
    return;
  }
  const name = typeof input['name'] === 'string' ? input['name'] : '';
  const ofRun = service.artifacts.filter((a) => a.run === backend.run);
  const method = new URL(req.url ?? '/', base).pathname.slice(SERVICE.length);
  const answer = calls[method];
  if (!answer) json(404, { code: 'bad_route', msg: 'no such method' });
  else answer({ service, backend, name, ofRun, field, json, base });
}

interface Call {
  service: ArtifactService;
  backend: { run: string; job: string };
  name: string;
  ofRun: StoredArtifact[];
  field: (camel: string, snake: string) => unknown;
  json: (status: number, data: unknown) => void;
  base: string;
}

const signed = (base: string, a: StoredArtifact): string =>
  `${base}/devstoreaccount1/actions-results/artifact-${a.id}.zip?sig=artifact-${a.id}&sv=2024-05-04`;

/** A protobuf wrapper (StringValue, Int64Value): in Twirp's JSON, the bare value. */
const wrapped = (v: unknown): string | undefined =>
  typeof v === 'string' || typeof v === 'number'
    ? String(v)
    : typeof v === 'object' && v !== null && 'value' in v
      ? String(v.value)
      : undefined;

const calls: Record<string, (call: Call) => void> = {
  CreateArtifact: ({ service, backend, name, ofRun, field, json, base }) => {
    if (!name || ofRun.some((a) => a.name === name && a.finalized)) {
      json(409, { code: 'already_exists', msg: `an artifact named ${name} exists in this run` });
      return;
    }
    const expires = field('expiresAt', 'expires_at');
    const artifact: StoredArtifact = {
      id: 9000 + service.artifacts.length + 1,
      name,
      ...backend,
      blocks: new Map(),
      finalized: false,
      ...(typeof expires === 'string' ? { expiresAt: expires } : {}),
    };
    service.artifacts.push(artifact);
    json(200, { ok: true, signed_upload_url: signed(base, artifact) });
  },
  FinalizeArtifact: ({ backend, name, ofRun, field, json }) => {
    const artifact = ofRun.find((a) => a.name === name && a.job === backend.job && !a.finalized);
    if (!artifact?.data) {
      json(404, { code: 'not_found', msg: 'no upload committed for this artifact' });
      return;
    }
    artifact.finalized = true;
    artifact.size = wrapped(field('size', 'size')) ?? '';
    const hash = wrapped(field('hash', 'hash'));
    if (hash) artifact.hash = hash;
    json(200, { ok: true, artifact_id: String(artifact.id) });
  },
  ListArtifacts: ({ ofRun, field, json }) => {
    const byName = wrapped(field('nameFilter', 'name_filter'));
    const byId = wrapped(field('idFilter', 'id_filter'));
    const listed = ofRun.filter(
      (a) =>
        a.finalized &&
        (byName === undefined || a.name === byName) &&
        (byId === undefined || String(a.id) === byId),
    );
    json(200, {
      artifacts: listed.map((a) => ({
        workflow_run_backend_id: a.run,
        workflow_job_run_backend_id: a.job,
        database_id: String(a.id),
        name: a.name,
        size: String(a.data?.length ?? 0),
        created_at: new Date().toISOString(),
        ...(a.hash ? { digest: a.hash } : {}),
      })),
    });
  },
  GetSignedArtifactURL: ({ name, ofRun, json, base }) => {
    const artifact = ofRun.find((a) => a.name === name && a.finalized);
    if (!artifact) json(404, { code: 'not_found', msg: 'no such artifact' });
    else json(200, { signed_url: signed(base, artifact) });
  },
};

export async function startArtifactServer(): Promise<ArtifactServer> {
  const service = artifactService();
  let base = '';
  const loopback = await listenLoopback((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!service.handle(req, res, Buffer.concat(chunks), base)) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'bad_route', msg: 'no such route' }));
      }
    });
  });
  base = loopback.url;
  return Object.assign(service, {
    url: base,
    env: (run?: string, job?: string) => ({
      ACTIONS_RESULTS_URL: `${base}/`,
      ACTIONS_RUNTIME_TOKEN: runtimeToken(run, job),
    }),
    close: loopback.close,
  });
}

/**
 * The files of a zip, as a reviewer's unzip reads them: from the central directory, stored or
 * deflated entries, names and contents.
 */
export function unzip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('not a zip: no end of central directory');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('not a zip: bad central directory');
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + compressed);
    files.set(name, method === 8 ? inflateRawSync(raw) : raw);
    at += 46 + nameLength + skip;
  }
  return files;
}

/** A zip of `files` as given (names unchecked: a forged one may climb out), stored uncompressed. */
export function zip(files: Record<string, string | Buffer>): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    const path = Buffer.from(name);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt32LE(crc32(data), 14);
    head.writeUInt32LE(data.length, 18);
    head.writeUInt32LE(data.length, 22);
    head.writeUInt16LE(path.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt32LE(crc32(data), 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(path.length, 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(head, path, data);
    central.push(entry, path);
    offset += head.length + path.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(central.length / 2, 8);
  end.writeUInt16LE(central.length / 2, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
