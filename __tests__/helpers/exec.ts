// Running commands from the tests and their helpers: runCommand() (argv, no shell, output
// collected, a time limit, never rejects for a non-zero exit), must() for setup steps that have
// to succeed, and runSync() for the places that cannot wait (exit and signal handlers, sweeps,
// probes).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export interface ExecOptions {
  /** Kill the command (SIGKILL) after this long; default 120 s. */
  timeoutMs?: number;
  /** Environment variables added to (or, when undefined, removed from) the inherited env. */
  env?: Record<string, string | undefined>;
  /** Written to the command's stdin, which is then closed. */
  input?: string | Uint8Array;
  cwd?: string;
  /** Called with the process once it started (to signal it, say). */
  onSpawn?: (child: ChildProcess) => void;
}

export interface ExecResult {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

/** spawnSync() with argv (no shell), 30 s at most; code -1 when it could not run at all. */
export function runSync(
  argv: string[],
  input?: string,
): { code: number | null; out: string; err: string } {
  const [cmd, ...args] = argv as [string, ...string[]];
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 30_000 });
  return { code: r.error ? -1 : r.status, out: r.stdout ?? '', err: r.stderr ?? String(r.error) };
}

/** spawn() with argv (no shell), collecting output. Never rejects for a non-zero exit. */
export function runCommand(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const [cmd, ...args] = argv;
  if (!cmd) return Promise.reject(new Error('runCommand: empty argv'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    opts.onSpawn?.(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 120_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        durationMs: Date.now() - started,
      });
    });
  });
}

/** Runs a setup step; throws with its stderr when it fails. */
export async function must(argv: string[], input?: string): Promise<string> {
  const r = await runCommand(argv, { timeoutMs: 30_000, ...(input !== undefined && { input }) });
  if (r.code !== 0) {
    throw new Error(`${argv.join(' ')} failed (${r.code ?? r.signal}): ${r.stderr.trim()}`);
  }
  return r.stdout;
}
