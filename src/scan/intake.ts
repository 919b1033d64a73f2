// What reached the runner, and what it had to spare. A share of answers lost at a high rate means a
// rate limit on the path, or a runner that could not take them in (its CPU busy, another process
// reading the same interface, a full capture buffer). The kernel counts what arrived and what it
// dropped: answers that reached the network interfaces, or that the kernel dropped on the runner,
// and yet were never seen by nmap, were lost on the runner, not on the path. Its CPU counters say
// how much of the machine sat idle during a run: room for a second nmap, or none. Linux only:
// elsewhere nothing is known.
import { readFileSync } from 'node:fs';

/** The kernel's counters at one moment. */
export interface Intake {
  /** Packets received by every network interface but loopback (this network namespace's). */
  received: number;
  /** Packets the kernel dropped on the way in: the interfaces' drops and its input queues'. */
  dropped: number;
  /** CPU time since boot, all CPUs, and the idle part of it (clock ticks). */
  cpu?: { total: number; idle: number };
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** `/proc/net/dev`: received packets and drops per interface, loopback left out. */
export function parseNetDev(text: string): Intake {
  let received = 0;
  let dropped = 0;
  for (const line of text.split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (rest === undefined || name?.trim() === 'lo') continue;
    const fields = rest.trim().split(/\s+/).map(Number);
    received += fields[1] ?? 0;
    dropped += fields[3] ?? 0;
  }
  return { received, dropped };
}

/** `/proc/net/softnet_stat`: packets each CPU's input queue dropped (second column, hex). */
export function parseSoftnet(text: string): number {
  return text
    .split('\n')
    .filter(Boolean)
    .reduce((n, line) => n + (Number.parseInt(line.trim().split(/\s+/)[1] ?? '0', 16) || 0), 0);
}

/** `/proc/stat`'s first line: every CPU's time, and the idle part (idle and iowait). */
export function parseCpu(text: string): { total: number; idle: number } | undefined {
  const fields = /^cpu\s+(.*)$/m.exec(text)?.[1]?.trim().split(/\s+/).map(Number);
  if (!fields || fields.length < 5 || fields.some((n) => !Number.isFinite(n))) return undefined;
  // user nice system idle iowait irq softirq steal (guest time is counted in user already)
  const total = fields.slice(0, 8).reduce((n, x) => n + x, 0);
  return { total, idle: (fields[3] ?? 0) + (fields[4] ?? 0) };
}

/** The counters now, or undefined where the kernel does not show them. */
export function readIntake(): Intake | undefined {
  const dev = read('/proc/net/dev');
  if (dev === undefined) return undefined;
  const own = parseNetDev(dev);
  const softnet = read('/proc/net/softnet_stat');
  const stat = read('/proc/stat');
  const cpu = stat === undefined ? undefined : parseCpu(stat);
  return {
    received: own.received,
    dropped: own.dropped + (softnet === undefined ? 0 : parseSoftnet(softnet)),
    ...(cpu ? { cpu } : {}),
  };
}

/** The share of the machine's CPU time that sat idle between two readings, when known. */
export function idleBetween(before: Intake, after: Intake): number | undefined {
  if (!before.cpu || !after.cpu) return undefined;
  const total = after.cpu.total - before.cpu.total;
  if (total <= 0) return undefined;
  return Math.min(1, Math.max(0, (after.cpu.idle - before.cpu.idle) / total));
}

/**
 * How many answers were lost on the runner during a run: packets that arrived beyond the answers
 * nmap saw (`seen`), and packets the kernel dropped on the way in. Other traffic of the runner
 * counts too, which only makes a busy runner look busier.
 */
export function lostOnRunner(before: Intake, after: Intake, seen: number): number {
  const arrived = after.received - before.received;
  return Math.max(0, arrived - seen) + Math.max(0, after.dropped - before.dropped);
}

/** What a run's step records of the runner: answers lost on it, and the CPU it had idle. */
export function runnerDuring(
  before: Intake,
  after: Intake,
  seen: number,
): { lostOnRunner: number; idle?: number } {
  const idle = idleBetween(before, after);
  return {
    lostOnRunner: lostOnRunner(before, after, seen),
    ...(idle === undefined ? {} : { idle: Number(idle.toFixed(3)) }),
  };
}
