// What starts while the sweep goes on. The slow passes wait out timeouts, not the path: version
// detection waits about six seconds for a banner, and the careful probe of a silent address waits
// out nmap's normal timeouts with retransmissions. Version detection starts on a would-be
// unexpected-open port as soon as nmap announces it open (its `Discovered open port` line), and
// again on what each sweep run and rescue pass shows. After each sweep run, the careful probe
// starts on the addresses silent so far (an address that answers later makes its probe moot, and
// the probe is never applied to it), at a small share of the pace, beside the sweep, with a first
// timeout from the round trips the sweep measured (careful.ts).
import { observe, type RunResult } from '../observe.js';
import type { ScanPlan } from '../plan.js';
import type { Settings } from '../settings.js';
import { canonicalIp, familyOf, targetsNaming } from '../targets.js';
import type { ObservedAddress, ObservedPort, PortRange } from '../types.js';
import { applyCareful, carefulTimeoutMs, runCareful, type CarefulRuns } from './careful.js';
import { SUSPECT_OPEN } from './everyport.js';
import { identifyEarly, NOT_YET, type EarlyIdentify } from './identify.js';
import type { Pacer } from './pacing.js';
import { runsOf, type Discovery, type Runner } from './runner.js';

/** The careful probe beside the sweep gets this share of the pace (at least MIN_CAREFUL_RATE). */
const CAREFUL_SHARE = 0.05;
const MIN_CAREFUL_RATE = 100;
/** Open ports nmap announces within this long go to one version-detection run. */
const GATHER_MS = 150;

export interface Deadlines {
  careful: number;
  identify: number;
}

export class Ahead {
  identify: EarlyIdentify = NOT_YET;
  private readonly careful: Promise<CarefulRuns>[] = [];
  private readonly asked = new Set<string>();
  /** The careful probe's first timeout, from the round trips measured so far. */
  private timeoutMs: number | undefined;
  /**
   * Open ports nmap announced, per address: at most SUSPECT_OPEN, since an address with that many
   * may answer on every port, and the every-port check decides on it before any version detection.
   */
  private readonly announced = new Map<string, Map<string, ObservedPort>>();
  private gathering: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly runner: Runner,
    private readonly settings: Settings,
    private readonly plan: ScanPlan,
    private readonly scanned: readonly PortRange[],
    private readonly pacer: Pacer,
    private readonly deadlines: Deadlines,
  ) {
    runner.watch((found) => this.announce(found));
  }

  /** nmap announced an open port: version detection starts shortly, with the others announced. */
  private announce(found: Discovery): void {
    if (this.closed) return;
    let address: string;
    try {
      address = canonicalIp(found.address);
    } catch {
      return; // not an address: nothing to identify
    }
    const ports = this.announced.get(address) ?? new Map<string, ObservedPort>();
    if (ports.size >= SUSPECT_OPEN) return;
    ports.set(`${found.port}/${found.protocol}`, {
      port: found.port,
      protocol: found.protocol,
      state: 'open',
      reason: 'syn-ack',
    });
    this.announced.set(address, ports);
    this.gathering ??= setTimeout(() => this.gathered(), GATHER_MS);
  }

  /** Version detection on what nmap announced: the would-be unexpected-open ports among it. */
  private gathered(): void {
    clearTimeout(this.gathering);
    this.gathering = undefined;
    if (this.announced.size === 0) return;
    const seen = [...this.announced].map(([address, ports]): ObservedAddress => ({
      address,
      family: familyOf(address),
      targets: targetsNaming(this.settings.targets, address, this.plan.resolved),
      hostnames: [],
      status: 'up',
      reason: 'announced open by nmap',
      ports: [...ports.values()],
      extraports: [],
    }));
    this.identifyFrom(seen);
  }

  /** The rate careful runs may use: what a rate limit on the path (or max-rate) allows. */
  get carefulRate(): number | undefined {
    return this.pacer.limited ? this.pacer.rate : this.settings.maxRate;
  }

  /** After a sweep run: starts what the results so far call for. */
  afterRun(results: readonly RunResult[]): void {
    if (this.runner.cancelled()) return;
    const seen = observe(this.settings.targets, this.plan, results);
    this.timeoutMs = carefulTimeoutMs(runsOf(results)) ?? this.timeoutMs;
    this.identifyFrom(seen);
    const silent = seen.filter(
      (o) => o.status === 'down' && o.address !== '' && !this.asked.has(o.address),
    );
    if (silent.length === 0) return;
    silent.forEach((o) => this.asked.add(o.address));
    const share = Math.max(MIN_CAREFUL_RATE, Math.floor(this.pacer.rate * CAREFUL_SHARE));
    this.start(
      runCareful(
        this.runner,
        silent,
        this.settings.rules,
        this.deadlines.careful,
        Math.min(share, this.carefulRate ?? Infinity),
        this.timeoutMs,
      ),
    );
  }

  /** Starts version detection on what `observed` shows as would-be unexpected-open ports. */
  identifyFrom(observed: readonly ObservedAddress[]): void {
    if (this.runner.cancelled() || this.closed) return;
    this.identify = identifyEarly(
      this.runner,
      this.settings.rules,
      observed,
      this.scanned,
      this.deadlines.identify,
      this.carefulRate,
      this.identify,
    );
    // Awaited only at the end: a failure then, not an unhandled rejection now.
    this.identify.runs.catch(() => undefined);
  }

  /** Keeps a careful probe under way; it is awaited when the sweep is over. */
  private start(probe: Promise<CarefulRuns>): void {
    probe.catch(() => undefined); // a failure is seen when it is awaited, not as an unhandled rejection
    this.careful.push(probe);
  }

  /** Version detection under way; nothing new starts from announcements after this. */
  close(): EarlyIdentify {
    this.gathered();
    this.closed = true;
    return this.identify;
  }

  /**
   * After the sweep: the addresses still silent, as their careful probes decide. Those no probe
   * asked yet (none should be left) are probed now.
   */
  async settle(observed: readonly ObservedAddress[]): Promise<{
    observed: ObservedAddress[];
    results: RunResult[];
  }> {
    const left = observed.filter(
      (o) => o.status === 'down' && o.address !== '' && !this.asked.has(o.address),
    );
    if (left.length > 0) {
      left.forEach((o) => this.asked.add(o.address));
      this.start(
        runCareful(
          this.runner,
          left,
          this.settings.rules,
          this.deadlines.careful,
          this.carefulRate,
          this.timeoutMs,
        ),
      );
    }
    const all = await Promise.all(this.careful);
    const merged: CarefulRuns = {
      results: all.flatMap((c) => c.results),
      asked: new Map(all.flatMap((c) => [...c.asked])),
    };
    return {
      observed: applyCareful(observed, this.plan, merged, this.runner.cancelled()),
      results: merged.results,
    };
  }
}
