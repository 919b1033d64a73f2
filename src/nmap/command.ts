// Builds nmap's argv from the plan through an allow-list: no user string ever becomes an option,
// targets come after `--`, and nothing goes through a shell.
import { isAbsolute } from 'node:path';
import { formatPortList } from '../settings/ports.js';
import { classifyTarget } from '../settings/targets.js';
import type { PortRange } from '../base/types.js';

export type ScanType = 'syn' | 'connect';

/**
 * sweep: fast, for discovery (a minimum packet rate, few retransmissions).
 * decide: the silent addresses of a run together, held to a rate like the sweep, with as many
 *   retransmissions as the path's measured loss calls for, a first timeout from its round trips,
 *   and every address in one group.
 * verify: careful, for the verdict (nmap's normal timing, many retransmissions).
 * identify: version detection on what ends as a finding, so that the report says what listens.
 */
type Profile = 'sweep' | 'decide' | 'verify' | 'identify';

export interface NmapInvocation {
  profile: Profile;
  family: 4 | 6;
  scanType: ScanType;
  tcp: readonly PortRange[];
  udp: readonly PortRange[];
  targets: readonly string[];
  /** The sweep's packet rate: nmap is held to it (`--min-rate` and `--max-rate` both). */
  rate?: number;
  /** A ceiling on packets per second for the careful profiles (`max-rate`, or the path's pace). */
  maxRate?: number;
  /** verify: nmap's first timeout for a host it has no round trip of (milliseconds; its own is 1 s). */
  initialRttMs?: number;
  /** Retransmissions in a sweep; SWEEP_RETRIES by default. */
  retries?: number;
  /** Scan at least this many addresses at once (`--min-hostgroup`): silent addresses decided together. */
  hostgroup?: number;
  /** Where nmap writes its XML; any characters (a `%` is escaped for nmap). */
  xmlPath: string;
  /** How often nmap prints progress, for the log. */
  statsEvery?: string;
  /** identify: read the TLS certificate too (nmap's own `ssl-cert` script), on the ports that speak TLS. */
  certificates?: boolean;
}

/** Every option port-drift may pass to nmap, and whether it takes a value. */
const ALLOWED: ReadonlyMap<string, 'flag' | 'value'> = new Map([
  ['-sS', 'flag'],
  ['-sT', 'flag'],
  ['-sU', 'flag'],
  ['-6', 'flag'],
  ['-Pn', 'flag'],
  ['-n', 'flag'],
  ['-v', 'flag'],
  ['-T4', 'flag'],
  ['-sV', 'flag'],
  ['--version-light', 'flag'],
  ['--reason', 'flag'],
  ['--min-rate', 'value'],
  ['--max-rate', 'value'],
  ['--max-retries', 'value'],
  ['--initial-rtt-timeout', 'value'],
  ['--min-hostgroup', 'value'],
  ['--stats-every', 'value'],
  ['-p', 'value'],
  ['-oX', 'value'],
  ['--script', 'value'],
]);

/** The only values `--script` may take: nmap's own scripts, by name (never a path, a glob or a category). */
const ALLOWED_SCRIPTS: ReadonlySet<string> = new Set(['ssl-cert']);

/** Environment variables that would let the runner's environment add options to nmap or swap its data. */
const NMAP_ENV_BLOCKLIST = ['NMAP_ARGS', 'NMAPDIR', 'NMAP_PRIVILEGED'] as const;

export function nmapEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean = { ...env };
  for (const name of NMAP_ENV_BLOCKLIST) delete clean[name];
  return clean;
}

/** The `-p` value: plain for TCP alone, `T:`/`U:` prefixed when UDP is scanned too. */
export function portArgument(tcp: readonly PortRange[], udp: readonly PortRange[]): string {
  if (udp.length === 0) return formatPortList(tcp);
  const parts: string[] = [];
  if (tcp.length > 0) parts.push(`T:${formatPortList(tcp)}`);
  parts.push(`U:${formatPortList(udp)}`);
  return parts.join(',');
}

/** Checks an argv against the allow-list: the last line of defence if a bug ever let input through. */
export function assertAllowed(args: readonly string[]): void {
  const end = args.indexOf('--');
  if (end < 0) throw new Error('nmap argv without -- before the targets');
  for (let i = 0; i < end; i++) {
    const arg = args[i] ?? '';
    const kind = ALLOWED.get(arg);
    if (!kind) throw new Error(`nmap option not on the allow-list: ${JSON.stringify(arg)}`);
    if (arg === '--script' && !ALLOWED_SCRIPTS.has(args[i + 1] ?? '')) {
      throw new Error(`nmap script not on the allow-list: ${JSON.stringify(args[i + 1])}`);
    }
    if (kind === 'value') i++;
  }
  for (const target of args.slice(end + 1)) {
    if (typeof classifyTarget(target) === 'string') {
      throw new Error(`not a target: ${JSON.stringify(target)}`);
    }
  }
}

/**
 * Retransmissions in the sweep. TCP: none; a port whose probe or answer was lost stays silent, and
 * the silent ports are probed again (src/scan/rescue.ts). UDP ports are silent by nature, so UDP
 * probes are retransmitted instead.
 */
const SWEEP_RETRIES = { tcp: 0, udp: 2 } as const;
/** Retransmissions when re-checking a finding: nmap's own default is 10, with normal timing. */
export const VERIFY_RETRIES = 6;

/** The largest group of addresses one nmap scans at once (its own groups top out at 1,024). */
const MAX_HOSTGROUP = 4096;

/** How long nmap may take to answer a question that needs no network (its version, its lists). */
export const QUICK_CALL_MS = 60_000;

/**
 * The kernel refuses one argument over 128 KiB (E2BIG). Port lists are split well below that, and
 * an argv that still holds a longer argument is a bug.
 */
export const MAX_ARGUMENT_CHARS = 32 * 1024;

/** Port ranges in pieces whose `-p` value stays under `maxChars`: one nmap run each. */
export function splitPorts(
  ranges: readonly PortRange[],
  maxChars: number = MAX_ARGUMENT_CHARS,
): PortRange[][] {
  const pieces: PortRange[][] = [];
  let piece: PortRange[] = [];
  let size = 0;
  for (const r of ranges) {
    const chars = formatPortList([r]).length + 1;
    if (piece.length > 0 && size + chars > maxChars) {
      pieces.push(piece);
      piece = [];
      size = 0;
    }
    piece.push(r);
    size += chars;
  }
  if (piece.length > 0) pieces.push(piece);
  return pieces;
}

/** nmap expands strftime-like `%` sequences in output file names; `%%` is a literal `%`. */
function nmapFileName(path: string): string {
  return path.replaceAll('%', '%%');
}

export function buildNmapArgs(inv: NmapInvocation): string[] {
  if (!isAbsolute(inv.xmlPath)) throw new Error(`XML path must be absolute: ${inv.xmlPath}`);
  if (inv.tcp.length === 0 && inv.udp.length === 0) throw new Error('no ports to scan');
  const args: string[] = [];
  if (inv.tcp.length > 0) args.push(inv.scanType === 'syn' ? '-sS' : '-sT');
  if (inv.udp.length > 0) args.push('-sU');
  if (inv.family === 6) args.push('-6');
  // -Pn: firewalls that drop pings must not hide open ports. -n: names were resolved already.
  // -v: down hosts are written to the XML too.
  args.push('-Pn', '-n', '-v', '--reason');
  if (inv.profile === 'sweep' || inv.profile === 'decide') {
    if (!inv.rate) throw new Error(`a ${inv.profile} run needs a rate`);
    const rate = String(Math.max(1, Math.round(inv.rate)));
    const retries = inv.retries ?? (inv.udp.length > 0 ? SWEEP_RETRIES.udp : SWEEP_RETRIES.tcp);
    args.push('-T4', '--min-rate', rate, '--max-rate', rate, '--max-retries', String(retries));
  } else {
    if (inv.profile === 'verify') args.push('--max-retries', String(VERIFY_RETRIES));
    else args.push('-sV', '--version-light', ...(inv.certificates ? ['--script', 'ssl-cert'] : []));
    if (inv.maxRate) args.push('--max-rate', String(Math.max(1, Math.round(inv.maxRate))));
  }
  if (inv.initialRttMs && (inv.profile === 'verify' || inv.profile === 'decide')) {
    args.push('--initial-rtt-timeout', `${Math.max(1, Math.round(inv.initialRttMs))}ms`);
  }
  if (inv.hostgroup && inv.hostgroup > 1) {
    args.push('--min-hostgroup', String(Math.min(MAX_HOSTGROUP, Math.round(inv.hostgroup))));
  }
  if (inv.statsEvery) args.push('--stats-every', inv.statsEvery);
  args.push('-p', portArgument(inv.tcp, inv.udp));
  args.push('-oX', nmapFileName(inv.xmlPath));
  args.push('--', ...inv.targets);
  assertAllowed(args);
  const long = args.find((a) => a.length > MAX_ARGUMENT_CHARS * 2);
  if (long) throw new Error(`an nmap argument of ${long.length} characters: split the port list`);
  return args;
}

/** Targets shown in the log before the rest are counted. */
const SHOWN_TARGETS = 8;

/**
 * An argv for the log: a long port list shown as its size, and a long list of targets as its first
 * few and a count (report.json keeps it whole).
 */
export function describeArgs(args: readonly string[]): string {
  const end = args.indexOf('--');
  const targets = end < 0 ? [] : args.slice(end + 1);
  const shownArgs =
    targets.length > SHOWN_TARGETS
      ? [
          ...args.slice(0, end + 1 + SHOWN_TARGETS),
          `<${(targets.length - SHOWN_TARGETS).toLocaleString('en-US')} more addresses>`,
        ]
      : args;
  return shownArgs
    .map((arg, i) => {
      if (args[i - 1] !== '-p' || arg.length <= 60) return arg;
      const count = arg
        .replace(/[TU]:/g, '')
        .split(',')
        .reduce((n, token) => {
          const [from, to] = token.split('-').map(Number);
          return n + ((to ?? from ?? 0) - (from ?? 0) + 1);
        }, 0);
      return `<${count.toLocaleString('en-US')} ports>`;
    })
    .join(' ');
}

/** A dry run that makes nmap print its own top-N port list for a protocol, without scanning. */
export function topPortsArgs(protocol: 'tcp' | 'udp', count: number): string[] {
  return [protocol === 'tcp' ? '-sT' : '-sU', '--top-ports', String(count), '-n', '-oX', '-'];
}
