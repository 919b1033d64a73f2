// Runs nmap as an argv (never a shell) with a cleaned environment and a deadline, streaming its
// progress lines to the log, and reads back the XML it wrote, finished or not.
import { readFile } from 'node:fs/promises';
import {
  QUICK_CALL_MS,
  buildNmapArgs,
  nmapEnv,
  topPortsArgs,
  type NmapInvocation,
} from './command.js';
import type { Nmap } from './install.js';
import { parseNmapXml } from './parse.js';
import { parseNmapPortList } from '../settings/ports.js';
import { NmapError } from '../base/errors.js';
import { runProcess } from '../base/process.js';
import type { NmapRun, PortRange } from '../base/types.js';

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

const PER_HOST =
  /^(Completed .+ against \S+ in [\d.]+s \(\d+ hosts? left\)|Warning: \S+ giving up on port because retransmission cap hit \(\d+\)\.)$/;

/**
 * nmap's progress lines (`--stats-every`) in a form people read: `SYN Stealth Scan: 52% done,
 * about 27 s left`; other lines worth logging as they are; the rest undefined.
 */
export function describeProgress(line: string): string | undefined {
  const text = line.trim();
  // A line per address of a large group (done; retransmissions used up, as a sweep's cap of 0
  // means them to be) says nothing the run's own `Completed` line and its XML do not.
  if (!WORTH_LOGGING.test(text) || PER_HOST.test(text)) return undefined;
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
  /** This run alone is stopped when it aborts (it is no longer needed), saying why. */
  stop?: { signal: AbortSignal; why: string };
}

/** One nmap run: starts it, waits until it ends or the deadline, and parses whatever XML it left. */
export async function runNmap(
  nmap: Nmap,
  invocation: NmapInvocation,
  options: RunNmapOptions,
): Promise<NmapOutcome> {
  const args = buildNmapArgs(invocation);
  const stopped = (): string | undefined =>
    options.signal?.aborted
      ? 'stopped: the run was cancelled'
      : options.stop?.signal.aborted
        ? `stopped: ${options.stop.why}`
        : undefined;
  // Stopped before it started: no run, and no XML left by an earlier run is read as this one's.
  const before = stopped();
  if (before) return { invocation, args, run: null, timedOut: true, error: before };
  const signals = [options.signal, options.stop?.signal].filter((s) => s !== undefined);
  const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  const needsRaw = invocation.scanType === 'syn' || invocation.udp.length > 0;
  const prefix = needsRaw ? (nmap.rawPrefix ?? []) : [];
  const result = await runProcess([...prefix, nmap.path, ...args], {
    env: nmapEnv(process.env),
    deadline: options.deadline,
    ...(options.onLine ? { onLine: options.onLine } : {}),
    ...(signal ? { signal } : {}),
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
  const after = stopped();
  if (after) error = after;
  else if (result.timedOut) error = 'stopped at the scan-timeout budget';
  else if (result.code !== 0) {
    error = `nmap exited with ${result.code ?? result.signal}: ${nmapSaid || 'no message'}`;
  } else if (!run) error = `nmap wrote no readable XML: ${parseError ?? ''}`;
  return { invocation, args, run, timedOut: result.timedOut, ...(error ? { error } : {}) };
}
