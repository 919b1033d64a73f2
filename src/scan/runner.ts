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
  return new NmapRunner(nmap, scanType, reportDir, log, signal);
}

class NmapRunner implements Runner {
  readonly runs: RunEntry[] = [];
  readonly notes: NmapTargetNote[] = [];
  private readonly listeners: ((found: Discovery) => void)[] = [];
  /** How many XML files each stem has named so far. */
  private readonly used = new Map<string, number>();
  // nmap writes into the run's private folder, where no one can plant a link under the fixed name
  // it writes (nmap, root, would follow it); the file is then renamed into report-dir.
  private folder: Promise<string> | undefined;

  constructor(
    private readonly nmap: Nmap,
    private readonly scanType: ScanType,
    private readonly reportDir: string,
    readonly log: Logger,
    readonly signal: AbortSignal | undefined,
  ) {}

  async close(): Promise<void> {
    if (this.folder) await removePrivateFolder(await this.folder);
  }

  cancelled(): boolean {
    return this.signal?.aborted ?? false;
  }

  watch(listener: (found: Discovery) => void): void {
    this.listeners.push(listener);
  }

  async run(job: Job, deadline: number): Promise<RunResult[]> {
    // Each protocol's list is split on its own; a job rarely needs more than one run.
    const { tcp, udp } = job.invocation;
    const pieces = [
      ...(tcp.length ? splitPorts(tcp).map((p) => ({ tcp: p, udp: [] })) : []),
      ...(udp.length ? splitPorts(udp).map((p) => ({ tcp: [], udp: p })) : []),
    ];
    const whole = splitPorts(tcp).length <= 1 && splitPorts(udp).length <= 1;
    if (whole) return [await this.once(job, job.invocation, deadline)];
    const results: RunResult[] = [];
    for (const piece of pieces) {
      if (this.signal?.aborted) break;
      results.push(await this.once(job, { ...job.invocation, ...piece }, deadline));
    }
    return results;
  }

  private fileFor(stem: string): string {
    const n = (this.used.get(stem) ?? 0) + 1;
    this.used.set(stem, n);
    return `${stem}${n > 1 ? `-${n}` : ''}.xml`;
  }

  private privateDir(): Promise<string> {
    return (this.folder ??= privateFolder(this.reportDir));
  }

  private async place(label: string, written: string, name: string): Promise<string> {
    const final = join(this.reportDir, name);
    try {
      await moveIntoPlace(written, final);
      return final;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return final; // nmap wrote none
      this.log.warning(
        `${label}: nmap's XML stays at ${written}, not moved to ${final}: ${getErrorMessage(error)}`,
      );
      return written;
    }
  }

  /** One nmap run of a job: its XML placed, its entry kept, its result. */
  private async once(
    job: Job,
    invocation: Job['invocation'],
    deadline: number,
  ): Promise<RunResult> {
    const name = this.fileFor(job.file);
    const written = join(await this.privateDir(), name);
    const protocols: Protocol[] = [
      ...(invocation.tcp.length ? ['tcp' as const] : []),
      ...(invocation.udp.length ? ['udp' as const] : []),
    ];
    const outcome = await runNmap(
      this.nmap,
      { ...invocation, scanType: this.scanType, xmlPath: written, statsEvery: '15s' },
      {
        deadline,
        onLine: this.progress(job, invocation),
        ...(this.signal ? { signal: this.signal } : {}),
        ...(job.stop ? { stop: job.stop } : {}),
      },
    );
    this.log.info(`[${job.label}] nmap ${describeArgs(outcome.args)}`);
    const xml = await this.place(job.label, written, name);
    if (outcome.error && job.stop?.signal.aborted) this.log.info(`[${job.label}] ${outcome.error}`);
    else if (outcome.error) this.log.warning(`${job.label}: ${outcome.error}`);
    this.notes.push(...(outcome.run?.targets ?? []));
    this.runs.push({
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
  }

  /**
   * What one run does with each line nmap prints: its progress in the log, prefixed with the run,
   * and each open port a sweep or rescue run announces to the listeners.
   */
  private progress(job: Job, invocation: Job['invocation']): (line: string) => void {
    let discovered = 0;
    return (line) => {
      const shown = describeProgress(line);
      if (shown === undefined) return;
      const found = invocation.profile === 'sweep' ? DISCOVERED.exec(shown) : null;
      if (found) {
        const d = {
          address: found[3] ?? '',
          port: Number(found[1]),
          protocol: found[2] as Protocol,
        };
        for (const listener of this.listeners) listener(d);
      }
      // A host that answers on every port would fill the log: the XML has them all.
      if (shown.startsWith('Discovered open port') && ++discovered > MAX_DISCOVERED_LINES) {
        if (discovered === MAX_DISCOVERED_LINES + 1) {
          this.log.info(`[${job.label}] more open ports: the XML and report.json have them all`);
        }
        return;
      }
      this.log.info(`[${job.label}] ${shown}`);
    };
  }
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
            ...(r.certificates ? { certificates: true } : {}),
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
