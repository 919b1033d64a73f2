// The scan phase: nmap found or installed, the plan made from the network's facts, one nmap run per
// address family, and the observed state read back from nmap's XML.
import * as core from '@actions/core';
import { accountForSkipped } from './account.js';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { findDrift } from './drift.js';
import { ConfigurationError } from './errors.js';
import { resolveNames, routeProblem } from './network.js';
import type { NmapInvocation, ScanType } from './nmap/command.js';
import { ensureNmap } from './nmap/install.js';
import { describeProgress, nmapTopPorts, runNmap } from './nmap/run.js';
import { observe, type RunResult } from './observe.js';
import { makePlan, type ScanPlan } from './plan.js';
import { countPorts } from './ports.js';
import type { ScanRecord, Scanned } from './report/report.js';
import type { Settings } from './settings.js';
import { shardPlan } from './shard.js';
import { classifyTarget } from './targets.js';
import type { NmapRun, NmapTargetNote, ObservedAddress, PortRange, Protocol } from './types.js';
import {
  applyRecheck,
  flapping,
  identifyPlan,
  recheckPlan,
  rescuePlan,
  silentCount,
  silentPorts,
  withServices,
  type Flap,
  type Recheck,
} from './verify.js';

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
  /** Sweep findings that the careful re-check did not reproduce: shown, not reported as drift. */
  flapping: Flap[];
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

/** Sweeps of the silent ports after the first: under 10% loss, each finds 9 in 10 lost probes. */
const RESCUE_PASSES = 3;

/** The share of the budget DNS may take: a resolver that never answers leaves the rest to nmap. */
const DNS_SHARE = 0.25;

/** Time kept back from the budget for reading XML and writing the reports. */
const REPORT_RESERVE_MS = 3000;

interface Job {
  label: string;
  file: string;
  protocols: Protocol[];
  invocation: Omit<NmapInvocation, 'scanType' | 'xmlPath'>;
}

/** The nmap runs that left readable XML. */
function runsOf(results: readonly RunResult[]): NmapRun[] {
  return results.flatMap((r) => (r.run ? [r.run] : []));
}

function addressesIn(targets: readonly string[]): number {
  return targets.reduce((n, spec) => {
    const t = classifyTarget(spec);
    return n + (typeof t === 'string' ? 1 : t.size);
  }, 0);
}

function sweepJob(family: 4 | 6, protocol: Protocol, targets: string[], plan: ScanPlan): Job {
  return {
    label: `IPv${family} ${protocol.toUpperCase()} sweep`,
    file: `nmap-ipv${family}-${protocol}.xml`,
    protocols: [protocol],
    invocation: {
      profile: 'sweep',
      family,
      tcp: protocol === 'tcp' ? plan.tcp : [],
      udp: protocol === 'udp' ? plan.udp : [],
      targets,
      targetAddresses: addressesIn(targets),
    },
  };
}

function phaseJob(r: Recheck, profile: NmapInvocation['profile'], phase: string): Job {
  return {
    label: `IPv${r.family} ${phase}`,
    file: `nmap-ipv${r.family}-${phase}.xml`,
    protocols: [
      ...(r.tcp.length ? ['tcp' as const] : []),
      ...(r.udp.length ? ['udp' as const] : []),
    ],
    invocation: {
      profile,
      family: r.family,
      tcp: r.tcp,
      udp: r.udp,
      targets: r.addresses,
      targetAddresses: r.addresses.length,
    },
  };
}

export async function scan(
  settings: Settings,
  startedAt: number,
  signal?: AbortSignal,
): Promise<ScanOutcome> {
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
    const resolved = await resolveNames(names, {
      deadline: startedAt + settings.scanTimeoutMs * DNS_SHARE,
      ...(signal ? { signal } : {}),
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
    // Names can stand for many addresses: the bound holds for what DNS answered, still before any scan.
    if (made.addressCount > settings.maxAddresses) {
      throw new ConfigurationError(
        'max-addresses',
        `the targets resolve to ${made.addressCount} addresses, more than max-addresses (${settings.maxAddresses}). Scan fewer, split the work with a matrix, or raise max-addresses.`,
      );
    }
    for (const u of made.unresolved) core.warning(`${u.target} ${u.reason}`);
    for (const u of made.unreachable) core.warning(u.reason);
    core.info(
      `${made.addressCount} addresses in ${made.runs.length} nmap runs; ${countPorts(made.tcp)} TCP and ${countPorts(made.udp)} UDP ports each`,
    );
    return made;
  });

  await mkdir(settings.reportDir, { recursive: true });
  const records: ScanRecord[] = [];
  const skipped: NmapTargetNote[] = [];
  const run = async (job: Job, deadline: number): Promise<RunResult> => {
    const outcome = await runNmap(
      nmap,
      {
        ...job.invocation,
        scanType,
        xmlPath: join(settings.reportDir, job.file),
        statsEvery: '15s',
      },
      deadline,
      (line) => {
        const shown = describeProgress(line);
        if (shown !== undefined) core.info(`[${job.label}] ${shown}`);
      },
      signal,
    );
    core.info(`[${job.label}] nmap ${outcome.args.join(' ')}`);
    skipped.push(...(outcome.run?.targets ?? []));
    if (outcome.error) core.warning(`${job.label}: ${outcome.error}`);
    records.push({
      phase: job.invocation.profile,
      args: outcome.args,
      xml: join(settings.reportDir, job.file),
      ...(outcome.error ? { error: outcome.error } : {}),
    });
    return {
      run: outcome.run,
      finished: !outcome.error && (outcome.run?.complete ?? false),
      targets: job.invocation.targets,
      protocols: job.protocols,
      ...(outcome.error ? { why: outcome.error } : {}),
    };
  };

  // Fast on the sweep: every family and protocol at once, at a floor rate, no retransmissions;
  // then the TCP ports that stayed silent on hosts that answered, again, while that finds lost
  // probes (the silent set shrinks) rather than a firewall (it does not). The sweep may use three
  // quarters of the budget; the re-check the rest.
  const budget = settings.scanTimeoutMs;
  const sweepDeadline = startedAt + budget * 0.75;
  const sweepJobs = plan.runs.flatMap((r) =>
    (['tcp', 'udp'] as const)
      .filter((protocol) => plan[protocol].length > 0)
      .map((protocol) => sweepJob(r.family, protocol, r.targets, plan)),
  );
  const swept = await core.group(
    `Sweep: ${plan.addressCount} addresses, ${countPorts(plan.tcp)} TCP + ${countPorts(plan.udp)} UDP ports`,
    async () => {
      const results = await Promise.all(sweepJobs.map((job) => run(job, sweepDeadline)));
      let observed = observe(settings.targets, plan, results);
      let silent = silentPorts(runsOf(results));
      for (let pass = 1; pass <= RESCUE_PASSES && silent.size > 0; pass++) {
        if (Date.now() >= sweepDeadline || signal?.aborted) break;
        core.info(
          `${silentCount(silent)} ports stayed silent on hosts that answered: sweeping them again`,
        );
        const passed = await Promise.all(
          rescuePlan(silent).map((r) => run(phaseJob(r, 'sweep', `rescue${pass}`), sweepDeadline)),
        );
        const runs = runsOf(passed);
        observed = applyRecheck(observed, runs);
        const next = silentPorts(runs);
        if (silentCount(next) > silentCount(silent) * 0.8) break;
        silent = next;
      }
      return observed;
    },
  );
  const scannedPorts = [...plan.tcp, ...plan.udp];

  // Careful on the verdict: whatever would be a finding is checked again with nmap's normal timing
  // and more retransmissions before anything is reported; its answer is the verdict.
  const rechecks = recheckPlan(settings.rules, swept, scannedPorts);
  let observed = swept;
  let flaps: Flap[] = [];
  if (rechecks.length > 0 && !signal?.aborted) {
    observed = await core.group(
      `Re-check: ${rechecks.reduce((n, r) => n + countPorts(r.tcp) + countPorts(r.udp), 0)} ports on ${rechecks.reduce((n, r) => n + r.addresses.length, 0)} addresses`,
      async () => {
        const results = await Promise.all(
          rechecks.map((r) => run(phaseJob(r, 'verify', 'recheck'), startedAt + budget * 0.9)),
        );
        return applyRecheck(swept, runsOf(results));
      },
    );
    flaps = flapping(
      findDrift(settings.rules, swept, scannedPorts),
      findDrift(settings.rules, observed, scannedPorts),
      observed,
    );
    for (const f of flaps) {
      core.info(
        `flapping: ${f.address} ${f.port}/${f.protocol} was ${f.sweep} in the sweep, ${f.recheck} when re-checked`,
      );
    }
  }

  // What ends as unexpected-open: ask what listens there (version detection is slow on silent
  // services, so it runs only where there is drift to explain).
  const identify = identifyPlan(findDrift(settings.rules, observed, scannedPorts));
  if (identify.length > 0 && !signal?.aborted) {
    const beforeIdentify = observed;
    observed = await core.group('Identify: version detection on the drifting ports', async () => {
      const results = await Promise.all(
        identify.map((r) =>
          run(phaseJob(r, 'identify', 'identify'), startedAt + budget - REPORT_RESERVE_MS),
        ),
      );
      return withServices(beforeIdentify, runsOf(results));
    });
  }

  const failures = [
    ...new Set(
      records.flatMap((r) => (r.error && !r.error.startsWith('stopped') ? [r.error] : [])),
    ),
  ];
  return {
    plan,
    observed: accountForSkipped(plan, observed, skipped),
    scannedPorts,
    flapping: flaps,
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
