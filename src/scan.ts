// The scan phase: nmap found or installed, the plan made from the network's facts, one nmap run per
// address family, and the observed state read back from nmap's XML.
import * as core from '@actions/core';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigurationError } from './errors.js';
import { resolveNames, routeProblem } from './network.js';
import type { ScanType } from './nmap/command.js';
import { ensureNmap } from './nmap/install.js';
import { nmapTopPorts, runNmap } from './nmap/run.js';
import { observe } from './observe.js';
import { makePlan, type ScanPlan } from './plan.js';
import { countPorts } from './ports.js';
import type { ScanRecord, Scanned } from './report/report.js';
import type { Settings } from './settings.js';
import { shardPlan } from './shard.js';
import type { ObservedAddress, PortRange, Protocol } from './types.js';

export interface ScanOutcome {
  plan: ScanPlan | null;
  observed: ObservedAddress[];
  /** Every port the scans covered, by protocol: required ports outside it are inconclusive. */
  scannedPorts: PortRange[];
  scanned: Scanned;
  source: 'nmap' | 'xml';
  nmapVersion?: string;
  scanType?: string;
  privilege?: string;
  runs: ScanRecord[];
  /** nmap's own message when a run failed (not merely ran out of time): the step fails with it. */
  nmapFailure?: string;
}

function chooseScanType(settings: Settings, canRaw: boolean, privilege: string): ScanType {
  if (settings.scanType === 'syn' && !canRaw) {
    throw new ConfigurationError(
      'scan-type',
      `syn needs raw sockets, and this runner has none (${privilege}). Use scan-type: connect or auto, or run as root.`,
    );
  }
  const type = settings.scanType === 'auto' ? (canRaw ? 'syn' : 'connect') : settings.scanType;
  core.info(
    settings.scanType === 'auto'
      ? `scan-type auto: ${type === 'syn' ? 'SYN' : 'connect'} scan, because ${privilege}`
      : `scan-type: ${type}`,
  );
  return type;
}

export async function scan(settings: Settings, startedAt: number): Promise<ScanOutcome> {
  const deadline = startedAt + settings.scanTimeoutMs;
  const nmap = await core.group('nmap', async () => {
    const found = await ensureNmap(settings.installNmap);
    core.info(`nmap ${found.version} at ${found.path}`);
    return found;
  });
  const canRaw = nmap.rawPrefix !== null;
  const scanType = chooseScanType(settings, canRaw, nmap.privilege);
  const wantsUdp =
    settings.udpPorts.kind !== 'none' ||
    settings.rules.some((r) => r.ports.some((p) => p.protocol === 'udp'));
  if (wantsUdp && !canRaw) {
    throw new ConfigurationError(
      'udp-ports',
      `UDP scans need raw sockets, and this runner has none (${nmap.privilege}). Run as root or with passwordless sudo, or drop the UDP ports.`,
    );
  }

  const plan = await core.group('Plan', async () => {
    const names = settings.targets.filter((t) => t.kind === 'hostname').map((t) => t.spec);
    const resolved = await resolveNames(names);
    const candidates = new Set<string>();
    for (const t of settings.targets) {
      if (t.kind === 'hostname') {
        const answer = resolved.get(t.spec);
        if (Array.isArray(answer)) answer.forEach((a) => candidates.add(a));
      } else {
        candidates.add(t.spec);
      }
    }
    const unreachable = new Map<string, string>();
    await Promise.all(
      [...candidates].map(async (spec) => {
        const why = await routeProblem(spec.split('/')[0] ?? spec);
        if (why) unreachable.set(spec, why);
      }),
    );
    const top = new Map<string, PortRange[]>();
    for (const [protocol, selection] of [
      ['tcp', settings.tcpPorts],
      ['udp', settings.udpPorts],
    ] as const) {
      const count =
        selection.kind === 'top' ? selection.count : selection.kind === 'default' ? 1000 : 0;
      if (count > 0) top.set(`${protocol}/${count}`, await nmapTopPorts(nmap, protocol, count));
    }
    const made = shardPlan(
      makePlan(settings, {
        resolved,
        unreachable,
        topPorts: (protocol: Protocol, count: number) => top.get(`${protocol}/${count}`) ?? [],
      }),
      settings.shard,
    );
    if (settings.shard) core.info(`shard ${settings.shard.index}/${settings.shard.count}`);
    for (const [name, addrs] of made.resolved) core.info(`${name} -> ${addrs.join(', ')}`);
    for (const u of made.unresolved) core.warning(`${u.target} ${u.reason}`);
    for (const u of made.unreachable) core.warning(u.reason);
    core.info(
      `${made.addressCount} addresses in ${made.runs.length} nmap runs; ${countPorts(made.tcp)} TCP and ${countPorts(made.udp)} UDP ports each`,
    );
    return made;
  });

  await mkdir(settings.reportDir, { recursive: true });
  const records: ScanRecord[] = [];
  const results: {
    run: Awaited<ReturnType<typeof runNmap>>['run'];
    finished: boolean;
    targets: string[];
    why?: string;
  }[] = [];
  for (const run of plan.runs) {
    const label = `IPv${run.family}`;
    const xmlPath = join(settings.reportDir, `nmap-ipv${run.family}.xml`);
    const outcome = await core.group(`Scan ${label}: ${run.targets.length} targets`, async () => {
      const result = await runNmap(
        nmap,
        {
          family: run.family,
          scanType,
          tcp: plan.tcp,
          udp: plan.udp,
          targets: run.targets,
          xmlPath,
          statsEvery: '30s',
        },
        deadline,
        (line) => core.info(line),
      );
      core.info(`nmap ${result.args.join(' ')}`);
      if (result.error) core.warning(`${label} scan: ${result.error}`);
      return result;
    });
    records.push({
      args: outcome.args,
      xml: xmlPath,
      ...(outcome.error ? { error: outcome.error } : {}),
    });
    const finished = !outcome.error && (outcome.run?.complete ?? false);
    results.push({
      run: outcome.run,
      finished,
      targets: run.targets,
      ...(outcome.error ? { why: outcome.error } : {}),
    });
  }

  const observed = observe(settings.targets, plan, results);
  const failures = records.flatMap((r, i) =>
    r.error && !results[i]?.why?.startsWith('stopped') ? [r.error] : [],
  );
  return {
    plan,
    observed,
    scannedPorts: [...plan.tcp, ...plan.udp],
    scanned: {
      addresses: plan.addressCount,
      tcpPorts: countPorts(plan.tcp),
      udpPorts: countPorts(plan.udp),
    },
    source: 'nmap',
    nmapVersion: nmap.version,
    scanType: scanType === 'syn' ? 'SYN' : 'connect',
    privilege: nmap.privilege,
    runs: records,
    ...(failures.length ? { nmapFailure: failures.join('; ') } : {}),
  };
}
