// Runs a command as an argv (never a shell) in a process group of its own, with a deadline and a
// cancellation signal, and stops the whole group when either comes: nmap, and the system resolver's
// lookups (src/plan/network.ts), run through it.
import { spawn } from 'node:child_process';

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
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
  options: {
    env: NodeJS.ProcessEnv;
    deadline?: number;
    onLine?: (line: string) => void;
    /** Stops the process when aborted (cancellation). */
    signal?: AbortSignal;
  },
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
    let stdout = '';
    let stderr = '';
    let pending = '';
    let timedOut = false;
    let exited = false;
    const killGroup = (sig: NodeJS.Signals): void => {
      if (exited || child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        child.kill(sig);
      }
    };
    let hardKill: NodeJS.Timeout | undefined;
    const stop = (): void => {
      if (timedOut) return;
      timedOut = true;
      killGroup('SIGTERM');
      hardKill = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    };
    const timer =
      options.deadline === undefined
        ? undefined
        : setTimeout(stop, Math.max(0, options.deadline - Date.now()));
    options.signal?.addEventListener('abort', stop, { once: true });
    const cleanup = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', stop);
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!options.onLine) return;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) options.onLine(line);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => {
      cleanup();
      reject(error);
    });
    child.on('exit', () => {
      // The leader is gone; anything left in its group is stopped too, and never outlives us.
      if (timedOut) killGroup('SIGKILL');
      exited = true;
      clearTimeout(hardKill);
    });
    child.on('close', (code, signal) => {
      cleanup();
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}
