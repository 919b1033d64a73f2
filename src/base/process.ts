// Runs a command as an argv (never a shell) in a process group of its own, with a deadline and a
// cancellation signal, and stops the whole group when either comes: nmap, the installer's apt-get
// and dpkg, and the system resolver's lookups (src/plan/network.ts), run through it.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface ProcessOptions {
  env: NodeJS.ProcessEnv;
  deadline?: number;
  onLine?: (line: string) => void;
  /** Stops the process when aborted (cancellation). */
  signal?: AbortSignal;
}

/** How long a process has between SIGTERM and SIGKILL when it is stopped. */
const KILL_GRACE_MS = 2000;

/**
 * Spawns argv[0] with argv[1..] in a process group of its own, reports each stdout line as it
 * comes, and stops the whole group (sudo, nmap and whatever they started) at the deadline or when
 * `signal` aborts: SIGTERM, then SIGKILL. `timedOut` says it was stopped either way.
 */
export function runProcess(
  argv: readonly string[],
  options: ProcessOptions,
): Promise<ProcessResult> {
  const [command, ...args] = argv;
  if (!command) throw new Error('empty argv');
  if (options.signal?.aborted) {
    return Promise.resolve({ code: null, signal: null, stdout: '', stderr: '', timedOut: true });
  }
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const group = new ProcessGroup(child);
    const output = collectOutput(child, options.onLine);
    const timer =
      options.deadline === undefined
        ? undefined
        : setTimeout(group.stop, Math.max(0, options.deadline - Date.now()));
    options.signal?.addEventListener('abort', group.stop, { once: true });
    const cleanup = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', group.stop);
    };
    child.on('error', (error) => {
      cleanup();
      reject(error);
    });
    child.on('close', (code, signal) => {
      cleanup();
      resolve({ code, signal, ...output(), timedOut: group.stopped });
    });
  });
}

/** The child's process group, stopped as a whole: SIGTERM, then SIGKILL after a grace. */
class ProcessGroup {
  stopped = false;
  private exited = false;
  private hardKill: NodeJS.Timeout | undefined;

  constructor(private readonly child: ChildProcess) {
    child.on('exit', () => {
      // The leader is gone; anything left in its group is stopped too, and never outlives us.
      if (this.stopped) this.kill('SIGKILL');
      this.exited = true;
      clearTimeout(this.hardKill);
    });
  }

  readonly stop = (): void => {
    if (this.stopped) return;
    this.stopped = true;
    this.kill('SIGTERM');
    this.hardKill = setTimeout(() => this.kill('SIGKILL'), KILL_GRACE_MS);
  };

  private kill(sig: NodeJS.Signals): void {
    const { pid } = this.child;
    if (this.exited || pid === undefined) return;
    try {
      process.kill(-pid, sig);
    } catch {
      this.child.kill(sig);
    }
  }
}

/** Gathers stdout and stderr, handing each non-blank stdout line to `onLine` as it comes. */
function collectOutput(
  child: ChildProcess,
  onLine: ((line: string) => void) | undefined,
): () => { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (!onLine) return;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onLine(line);
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return () => ({ stdout, stderr });
}

/**
 * The path of the executable `command` that PATH names first, as a shell would find it: a regular
 * file this process may execute. Undefined when there is none (or PATH is empty).
 */
export function findOnPath(command: string, path = process.env['PATH'] ?? ''): string | undefined {
  for (const folder of path.split(delimiter)) {
    if (!folder || !isAbsolute(folder)) continue;
    const candidate = join(folder, command);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not there, or not ours to run: the next folder.
    }
  }
  return undefined;
}
