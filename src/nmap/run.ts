// Runs nmap as an argv (never a shell) with a cleaned environment and a deadline, streaming its
// progress lines to the log, and reads back the XML it wrote, finished or not.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { buildNmapArgs, nmapEnv, topPortsArgs, type NmapInvocation } from './command.js';
import type { Nmap } from './install.js';
import { parseNmapXml } from './parse.js';
import { parseNmapPortList } from '../ports.js';
import { NmapError } from '../errors.js';
import type { NmapRun, PortRange } from '../types.js';

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

/** How long nmap may take to answer a question that needs no network (its version, its lists). */
export const QUICK_CALL_MS = 60_000;

/** Asks the installed nmap for its own top-N list, so `default` follows the nmap version in use. */
export async function nmapTopPorts(
  nmap: Nmap,
  protocol: 'tcp' | 'udp',
  count: number,
): Promise<PortRange[]> {
  const prefix = protocol === 'udp' ? (nmap.rawPrefix ?? []) : [];
  const result = await runProcess([...prefix, nmap.path, ...topPortsArgs(protocol, count)], {
    env: nmapEnv(process.env),
    deadline: Date.now() + QUICK_CALL_MS,
  });
  if (result.timedOut) {
    throw new NmapError(`nmap did not list its top ports within ${QUICK_CALL_MS / 1000} s`);
  }
  const services = /<scaninfo[^>]*\sservices="([^"]*)"/.exec(result.stdout)?.[1];
  if (result.code !== 0 || services === undefined) {
    throw new NmapError(
      `nmap could not list its top ${count} ${protocol.toUpperCase()} ports: ${(result.stderr || result.stdout).trim()}`,
    );
  }
  return parseNmapPortList(services, protocol);
}

/** What of nmap's own log is worth a line in the job's log; its per-host tables are in the XML. */
const WORTH_LOGGING =
  /^(Discovered open port|Initiating|Completed|Stats:|Warning|WARNING|Note:|Failed|Unable|Increasing send delay|.* Timing: About)/;

/**
 * nmap's progress lines (`--stats-every`) in a form people read: `SYN Stealth Scan: 52% done,
 * about 27 s left`; other lines worth logging as they are; the rest undefined.
 */
export function describeProgress(line: string): string | undefined {
  const text = line.trim();
  if (!WORTH_LOGGING.test(text)) return undefined;
  const m =
    /^(.+?) Timing: About ([\d.]+)% done(?:; ETC: [\d:]+ \((\d+):(\d+):(\d+) remaining\))?/.exec(
      text,
    );
  if (!m) return text;
  const left =
    m[3] === undefined
      ? ''
      : `, about ${Number(m[3]) * 3600 + Number(m[4]) * 60 + Number(m[5])} s left`;
  return `${m[1]}: ${Math.floor(Number(m[2]))}% done${left}`;
}

export interface NmapOutcome {
  invocation: NmapInvocation;
  args: string[];
  run: NmapRun | null;
  /** nmap's own words when it failed or was stopped. */
  error?: string;
  timedOut: boolean;
}

export interface RunNmapOptions {
  /** nmap is stopped at this time (ms since the epoch). */
  deadline: number;
  /** Each line nmap prints, as it comes. */
  onLine?: (line: string) => void;
  /** Cancellation: nmap is stopped when it aborts. */
  signal?: AbortSignal;
}

/** One nmap run: starts it, waits until it ends or the deadline, and parses whatever XML it left. */
export async function runNmap(
  nmap: Nmap,
  invocation: NmapInvocation,
  options: RunNmapOptions,
): Promise<NmapOutcome> {
  const args = buildNmapArgs(invocation);
  // Cancelled before it started: no run, and no XML left by an earlier run is read as this one's.
  if (options.signal?.aborted) {
    return { invocation, args, run: null, timedOut: true, error: 'stopped: the run was cancelled' };
  }
  const needsRaw = invocation.scanType === 'syn' || invocation.udp.length > 0;
  const prefix = needsRaw ? (nmap.rawPrefix ?? []) : [];
  const result = await runProcess([...prefix, nmap.path, ...args], {
    env: nmapEnv(process.env),
    deadline: options.deadline,
    ...(options.onLine ? { onLine: options.onLine } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  let run: NmapRun | null = null;
  let parseError: string | undefined;
  try {
    run = parseNmapXml(await readFile(invocation.xmlPath, 'utf8'), invocation.xmlPath);
  } catch (error) {
    parseError = error instanceof Error ? error.message : String(error);
  }
  const nmapSaid = (result.stderr.trim() || run?.finished?.errormsg || '').trim();
  let error: string | undefined;
  if (options.signal?.aborted) error = 'stopped: the run was cancelled';
  else if (result.timedOut) error = 'stopped at the scan-timeout budget';
  else if (result.code !== 0) {
    error = `nmap exited with ${result.code ?? result.signal}: ${nmapSaid || 'no message'}`;
  } else if (!run) error = `nmap wrote no readable XML: ${parseError ?? ''}`;
  return { invocation, args, run, timedOut: result.timedOut, ...(error ? { error } : {}) };
}
