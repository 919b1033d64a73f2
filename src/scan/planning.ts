// The facts the plan needs from the world (DNS answers, routes, nmap's own top-port lists),
// gathered and logged, then the plan itself (src/plan/plan.ts, pure), sharded and bounded.
import { ConfigurationError } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { resolveNames, vantageOf } from '../plan/network.js';
import type { ScanType } from '../nmap/command.js';
import type { Nmap } from '../nmap/install.js';
import { nmapTopPorts } from '../nmap/run.js';
import { makePlan, shardPlan, type ScanPlan } from '../plan/plan.js';
import { countPorts } from '../settings/ports.js';
import type { Settings } from '../settings/settings.js';
import type { PortRange, Protocol, Vantage } from '../base/types.js';

export function chooseScanType(
  settings: Settings,
  canRaw: boolean,
  privilege: string,
  log: Logger,
): ScanType {
  if (settings.scanType === 'syn' && !canRaw) {
    throw new ConfigurationError(
      'scan-type',
      `syn needs raw sockets, and this runner has none (${privilege}). Use scan-type: connect or auto, or run as root.`,
    );
  }
  const type = settings.scanType === 'auto' ? (canRaw ? 'syn' : 'connect') : settings.scanType;
  log.info(
    settings.scanType === 'auto'
      ? `scan-type auto: ${type === 'syn' ? 'SYN' : 'connect'} scan, because ${privilege}`
      : `scan-type: ${type}`,
  );
  return type;
}

/** The share of the budget DNS may take: a resolver that never answers leaves the rest to nmap. */
const DNS_SHARE = 0.25;

export async function planScan(
  settings: Settings,
  nmap: Nmap,
  log: Logger,
  ctx: { startedAt: number; signal?: AbortSignal | undefined },
): Promise<ScanPlan> {
  const names = settings.targets.filter((t) => t.kind === 'hostname').map((t) => t.spec);
  const resolved = await resolveNames(names, {
    deadline: ctx.startedAt + settings.scanTimeoutMs * DNS_SHARE,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const candidates = new Set<string>();
  for (const t of settings.targets) {
    if (t.kind === 'hostname') {
      const answer = resolved.get(t.spec);
      if (Array.isArray(answer)) answer.forEach((a) => candidates.add(a));
    } else {
      candidates.add(t.spec);
    }
  }
  const { vantage, unreachable } = await vantageOf([...candidates]);
  const top = new Map<string, PortRange[]>();
  for (const [protocol, selection] of [
    ['tcp', settings.tcpPorts],
    ['udp', settings.udpPorts],
  ] as const) {
    const count =
      selection.kind === 'top' ? selection.count : selection.kind === 'default' ? 1000 : 0;
    if (count > 0) top.set(`${protocol}/${count}`, await nmapTopPorts(nmap, protocol, count));
  }
  const made: ScanPlan = shardPlan(
    makePlan(settings, {
      resolved,
      unreachable,
      topPorts: (protocol: Protocol, count: number) => top.get(`${protocol}/${count}`) ?? [],
    }),
    settings.shard,
  );
  made.vantage = vantage;
  if (settings.shard) log.info(`shard ${settings.shard.index}/${settings.shard.count}`);
  for (const [name, addrs] of made.resolved) log.info(`${name} -> ${addrs.join(', ')}`);
  // Names can stand for many addresses: the bound holds for what DNS answered, still before any scan.
  if (made.addressCount > settings.maxAddresses) {
    throw new ConfigurationError(
      'max-addresses',
      `the targets resolve to ${made.addressCount} addresses, more than max-addresses (${settings.maxAddresses}). Scan fewer, split the work with a matrix, or raise max-addresses.`,
    );
  }
  for (const u of made.unresolved) log.warning(`${u.target} ${u.reason}`);
  for (const u of made.unreachable) log.warning(u.reason);
  log.info(`Vantage: ${vantageLine(vantage)}`);
  log.info(
    `${made.addressCount} addresses; ${countPorts(made.tcp)} TCP and ${countPorts(made.udp)} UDP ports each`,
  );
  return made;
}

/** The vantage in one log line: `IPv4: route, from 198.51.100.2; IPv6: no route (...)`. */
export function vantageLine(vantage: Vantage): string {
  return vantage.families
    .map((f) =>
      f.route
        ? `IPv${f.family}: route${f.sources.length ? `, from ${f.sources.join(', ')}` : ''}`
        : `IPv${f.family}: no route (${f.why ?? 'unknown'})`,
    )
    .join('; ');
}
