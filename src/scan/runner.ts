// Runs the engine's nmap jobs: one job may become several runs (a port list too long for one
// argument is split), each writes its XML into the run's private folder (then moved into
// report-dir), says its argv in the log (a long port list as its size) and in report.json (whole),
// and comes back as a RunResult.
import { join } from 'node:path';
import { getErrorMessage } from '../base/errors.js';
import { moveIntoPlace, privateFolder, removePrivateFolder } from '../base/files.js';
import { describeArgs, splitPorts, type NmapInvocation, type ScanType } from '../nmap/command.js';
import type { Nmap } from '../nmap/install.js';
import { describeProgress, runNmap } from '../nmap/run.js';
import type { RunResult } from './observe.js';
import type { Logger } from '../base/log.js';
import type { NmapRun, NmapTargetNote, Protocol, RunEntry } from '../base/types.js';
import type { FamilyRun } from './recheck.js';

/** `Discovered open port` lines logged per run. */
const MAX_DISCOVERED_LINES = 50;
const DISCOVERED = /^Discovered open port (\d{1,5})\/(tcp|udp) on ([0-9A-Fa-f.:]+)$/;

/** An open port nmap announced while a sweep or rescue run goes on. */
export interface Discovery {
  address: string;
  port: number;
  protocol: Protocol;
}

export interface Job {
  label: string;
  /** Stops this job's runs alone when it aborts: what they would decide is decided already. */
  stop?: { signal: AbortSignal; why: string };
  /** XML file name stem, unique per job in the run: `nmap-ipv4-sweep-1`. */
  file: string;
  invocation: Omit<NmapInvocation, 'scanType' | 'xmlPath'>;
}

/** What every pass needs to run nmap, and where the entries of its runs go. */
export interface Runner {
  run(job: Job, deadline: number): Promise<RunResult[]>;
  readonly runs: RunEntry[];
  /** nmap's `<target>` notes (addresses it skipped), from every run. */
  readonly notes: NmapTargetNote[];
  readonly log: Logger;
  readonly signal: AbortSignal | undefined;
  /** True once the run is cancelled: no new pass starts. */
  cancelled(): boolean;
  /** Calls `listener` for each open port a sweep or rescue run announces, as nmap prints it. */
  watch(listener: (found: Discovery) => void): void;
  /** Removes the run's private folder, once every run is over. */
  close(): Promise<void>;
}

export function makeRunner(
  nmap: Nmap,
  scanType: ScanType,
  reportDir: string,
  log: Logger,
  signal?: AbortSignal,
): Runner {
  const runs: RunEntry[] = [];
  const notes: NmapTargetNote[] = [];
  const listeners: ((found: Discovery) => void)[] = [];
  const used = new Map<string, number>();
  const fileFor = (stem: string): string => {
    const n = (used.get(stem) ?? 0) + 1;
    used.set(stem, n);
    return `${stem}${n > 1 ? `-${n}` : ''}.xml`;
  };
  // nmap writes into the run's private folder, where no one can plant a link under the fixed name
  // it writes (nmap, root, would follow it); the file is then renamed into report-dir.
  let folder: Promise<string> | undefined;
  const privateDir = (): Promise<string> => (folder ??= privateFolder(reportDir));
  const place = async (label: string, written: string, name: string): Promise<string> => {
    const final = join(reportDir, name);
    try {
      await moveIntoPlace(written, final);
      return final;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return final; // nmap wrote none
      log.warning(
        `${label}: nmap's XML stays at ${written}, not moved to ${final}: ${getErrorMessage(error)}`,
      );
      return written;
    }
  };

  const once = async (
    job: Job,
    invocation: Job['invocation'],
    deadline: number,
  ): Promise<RunResult> => {
    const name = fileFor(job.file);
    const written = join(await privateDir(), name);
    let discovered = 0;
    const protocols: Protocol[] = [
      ...(invocation.tcp.length ? ['tcp' as const] : []),
      ...(invocation.udp.length ? ['udp' as const] : []),
    ];
    const outcome = await runNmap(
      nmap,
      { ...invocation, scanType, xmlPath: written, statsEvery: '15s' },
      {
        deadline,
        onLine: (line) => {
          const shown = describeProgress(line);
          if (shown === undefined) return;
          const found = invocation.profile === 'sweep' ? DISCOVERED.exec(shown) : null;
          if (found) {
            const d = {
              address: found[3] ?? '',
              port: Number(found[1]),
              protocol: found[2] as Protocol,
            };
            for (const listener of listeners) listener(d);
          }
          // A host that answers on every port would fill the log: the XML has them all.
          if (shown.startsWith('Discovered open port') && ++discovered > MAX_DISCOVERED_LINES) {
            if (discovered === MAX_DISCOVERED_LINES + 1) {
              log.info(`[${job.label}] more open ports: the XML and report.json have them all`);
            }
            return;
          }
          log.info(`[${job.label}] ${shown}`);
        },
        ...(signal ? { signal } : {}),
        ...(job.stop ? { stop: job.stop } : {}),
      },
    );
    log.info(`[${job.label}] nmap ${describeArgs(outcome.args)}`);
    const xml = await place(job.label, written, name);
    if (outcome.error && job.stop?.signal.aborted) log.info(`[${job.label}] ${outcome.error}`);
    else if (outcome.error) log.warning(`${job.label}: ${outcome.error}`);
    notes.push(...(outcome.run?.targets ?? []));
    runs.push({
      phase: job.invocation.profile,
      args: outcome.args,
      xml,
      ...(outcome.error ? { error: outcome.error } : {}),
    });
    return {
      run: outcome.run,
      finished: !outcome.error && (outcome.run?.complete ?? false),
      targets: invocation.targets,
      protocols,
      ...(outcome.error ? { why: outcome.error } : {}),
    };
  };

  return {
    runs,
    notes,
    log,
    signal,
    close: async () => {
      if (folder) await removePrivateFolder(await folder);
    },
    cancelled: () => signal?.aborted ?? false,
    watch: (listener) => listeners.push(listener),
    async run(job, deadline) {
      // Each protocol's list is split on its own; a job rarely needs more than one run.
      const { tcp, udp } = job.invocation;
      const pieces = [
        ...(tcp.length ? splitPorts(tcp).map((p) => ({ tcp: p, udp: [] })) : []),
        ...(udp.length ? splitPorts(udp).map((p) => ({ tcp: [], udp: p })) : []),
      ];
      const whole = splitPorts(tcp).length <= 1 && splitPorts(udp).length <= 1;
      if (whole) return [await once(job, job.invocation, deadline)];
      const results: RunResult[] = [];
      for (const piece of pieces) {
        if (signal?.aborted) break;
        results.push(await once(job, { ...job.invocation, ...piece }, deadline));
      }
      return results;
    },
  };
}

/**
 * The careful runs of a plan, one per family, at once: `recheck` (normal timing, retransmissions)
 * or `identify` (version detection).
 */
export async function runPlan(
  runner: Runner,
  plan: readonly FamilyRun[],
  phase: 'recheck' | 'identify',
  deadline: number,
  maxRate: number | undefined,
): Promise<RunResult[]> {
  const results = await Promise.all(
    plan.map((r) =>
      runner.run(
        {
          label: `IPv${r.family} ${phase}`,
          file: `nmap-ipv${r.family}-${phase}`,
          invocation: {
            profile: phase === 'recheck' ? 'verify' : 'identify',
            family: r.family,
            tcp: r.tcp,
            udp: r.udp,
            targets: r.addresses,
            ...(maxRate ? { maxRate } : {}),
          },
        },
        deadline,
      ),
    ),
  );
  return results.flat();
}

/** The nmap runs that left readable XML. */
export function runsOf(results: readonly RunResult[]): NmapRun[] {
  return results.flatMap((r) => (r.run ? [r.run] : []));
}

/** Runs `fn` over the items, at most `limit` at once, results in order. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
