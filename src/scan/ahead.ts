// What starts while the sweep goes on. The slow passes wait out timeouts, not the path: version
// detection waits about six seconds for a banner, and the careful probe of a silent address that
// must answer waits out nmap's normal timeouts with retransmissions. Version detection starts on a
// would-be unexpected-open port as soon as nmap announces it open (its `Discovered open port`
// line), and again on what each sweep run and rescue pass shows. After each sweep run, the careful
// probe starts on the silent addresses that need it (careful.ts), at a small share of the pace.
// Neither competes with a fast sweep on a busy runner: a second nmap that captures the sweep's
// answers takes the CPU the sweep needs to read them, and the lost answers would pass for a rate
// limit on the path. So beside a sweep faster than EARLY_MAX_RATE on a small runner whose CPU had
// no core to spare, version detection waits for the sweep's end, and so does a careful probe of
// so many addresses that nmap captures every answer. The other silent addresses (the empty
// addresses of a block) are decided together once the sweep is over (settle).
import { availableParallelism } from 'node:os';
import { observe, type RunResult } from './observe.js';
import type { Settings } from '../settings/settings.js';
import { canonicalIp, familyOf, targetsNaming } from '../settings/targets.js';
import type { ObservedAddress, ObservedPort } from '../base/types.js';
import {
  applyCareful,
  firstTimeoutMs,
  needsCare,
  runBulk,
  runCareful,
  type CarefulRuns,
} from './careful.js';
import { carefulRate, type PassContext } from './context.js';
import { SUSPECT_OPEN } from './everyport.js';
import { identifyEarly, NOT_YET, type EarlyIdentify } from './identify.js';
import { ASSUMED_DELIVERY, type Pacer } from './pacing.js';
import { runsOf, type Discovery, type Runner } from './runner.js';

/** The careful probe beside the sweep gets this share of the pace (at least MIN_CAREFUL_RATE). */
const CAREFUL_SHARE = 0.05;
const MIN_CAREFUL_RATE = 100;
/** Open ports nmap announces within this long go to one version-detection run. */
const GATHER_MS = 150;
/**
 * Beside a sweep faster than this, on a runner with fewer cores than that whose last sweep run left
 * less than this share of its CPU idle, no version detection starts.
 */
const EARLY_MAX_RATE = 10_000;
const EARLY_MIN_CORES = 4;
const EARLY_MIN_IDLE = 0.4;
/**
 * nmap filters what it captures by source address for fewer hosts than this: a careful probe of so
 * few never sees the sweep's answers, and may run beside any sweep.
 */
const NARROW_CAPTURE = 20;

export class Ahead {
  identify: EarlyIdentify = NOT_YET;
  private readonly careful: Promise<CarefulRuns>[] = [];
  /** Careful probes beside the sweep, to stop once every address they probe has answered it. */
  private readonly beside: { addresses: Set<string>; stop: AbortController }[] = [];
  private readonly asked = new Set<string>();
  /** The careful probe's and the bulk decision's first timeouts, from the round trips so far. */
  private timeoutMs: number | undefined;
  private bulkTimeoutMs: number | undefined;
  /**
   * Open ports nmap announced, per address: at most SUSPECT_OPEN, since an address with that many
   * may answer on every port, and the every-port check decides on it before any version detection.
   */
  private readonly announced = new Map<string, Map<string, ObservedPort>>();
  private gathering: NodeJS.Timeout | undefined;
  private closed = false;
  /** The sweep is over: nothing it does competes with what starts now. */
  private swept = false;

  private readonly runner: Runner;
  private readonly settings: Settings;
  private readonly pacer: Pacer;

  constructor(private readonly ctx: PassContext) {
    this.runner = ctx.runner;
    this.settings = ctx.settings;
    this.pacer = ctx.pacer;
    ctx.runner.watch((found) => this.announce(found));
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
      targets: targetsNaming(this.settings.targets, address, this.ctx.plan.resolved),
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
    return carefulRate(this.ctx);
  }

  /**
   * May a second nmap that sees the sweep's answers run now? After the sweep; beside a slow one; on
   * a runner with cores to spare, or whose CPU sat idle enough during the last sweep run.
   */
  private get quiet(): boolean {
    return (
      this.swept ||
      this.pacer.rate <= EARLY_MAX_RATE ||
      availableParallelism() >= EARLY_MIN_CORES ||
      (this.pacer.idle ?? 0) >= EARLY_MIN_IDLE
    );
  }

  /** After a sweep run: starts what the results so far call for, unless the sweep goes fast. */
  afterRun(results: readonly RunResult[]): void {
    if (this.runner.cancelled()) return;
    this.timeoutMs = firstTimeoutMs(runsOf(results)) ?? this.timeoutMs;
    this.bulkTimeoutMs = firstTimeoutMs(runsOf(results), 'bulk') ?? this.bulkTimeoutMs;
    const seen = observe(this.settings.targets, this.ctx.plan, results);
    this.identifyFrom(seen); // not beside a fast sweep on a busy runner: endSweep starts it then
    this.carefulBeside(seen);
  }

  /** The sweep is over (its UDP runs too): version detection on all it found starts now. */
  endSweep(results: readonly RunResult[]): void {
    this.swept = true;
    this.afterRun(results);
  }

  /** The careful probe, beside the sweep, of the silent addresses that need one (careful.ts). */
  private carefulBeside(seen: readonly ObservedAddress[]): void {
    if (this.swept) return; // settle() probes what is left, at the full careful rate
    const at = Date.now();
    const silent = seen.filter(
      (o) =>
        o.status === 'down' &&
        o.address !== '' &&
        !this.asked.has(o.address) &&
        needsCare(o, this.settings.rules, at),
    );
    if (silent.length === 0 || (silent.length >= NARROW_CAPTURE && !this.quiet)) return;
    silent.forEach((o) => this.asked.add(o.address));
    const share = Math.max(MIN_CAREFUL_RATE, Math.floor(this.pacer.rate * CAREFUL_SHARE));
    const stop = new AbortController();
    this.beside.push({ addresses: new Set(silent.map((o) => o.address)), stop });
    this.start(
      runCareful(this.ctx, silent, {
        maxRate: Math.min(share, this.carefulRate ?? Infinity),
        initialRttMs: this.timeoutMs,
        stop: stop.signal,
      }),
    );
  }

  /** Starts version detection on what `observed` shows as would-be unexpected-open ports. */
  identifyFrom(observed: readonly ObservedAddress[]): void {
    // Beside a fast sweep, nothing starts: its end starts version detection on all it found.
    if (this.runner.cancelled() || this.closed || !this.quiet) return;
    this.identify = identifyEarly(this.ctx, observed, this.carefulRate, this.identify);
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
   * After the sweep: the addresses still silent, as their probes decide (only those: the passes
   * beside this one decide the others, merge.ts). Those that need a careful probe and have none
   * yet get one now; the others are decided together (careful.ts).
   */
  async settle(observed: readonly ObservedAddress[]): Promise<{
    decided: ObservedAddress[];
    results: RunResult[];
  }> {
    const at = Date.now();
    // A careful probe begun beside the sweep whose addresses all answered it since decides nothing.
    const silentNow = new Set(observed.filter((o) => o.status === 'down').map((o) => o.address));
    for (const b of this.beside) {
      if (![...b.addresses].some((a) => silentNow.has(a))) b.stop.abort();
    }
    const left = observed.filter(
      (o) => o.status === 'down' && o.address !== '' && !this.asked.has(o.address),
    );
    left.forEach((o) => this.asked.add(o.address));
    const careful = left.filter((o) => needsCare(o, this.settings.rules, at));
    const cared = new Set(careful);
    const bulk = left.filter((o) => !cared.has(o));
    if (careful.length > 0) {
      this.start(
        runCareful(this.ctx, careful, {
          maxRate: this.carefulRate,
          initialRttMs: this.timeoutMs,
        }),
      );
    }
    if (bulk.length > 0 && !this.runner.cancelled()) {
      this.start(
        runBulk(this.ctx, bulk, {
          rate: this.pacer.rescueRate,
          delivery: this.pacer.measured ? this.pacer.delivery : undefined,
          assumed: ASSUMED_DELIVERY,
          ...(this.bulkTimeoutMs ? { initialRttMs: this.bulkTimeoutMs } : {}),
        }),
      );
    }
    const all = await Promise.all(this.careful);
    const merged: CarefulRuns = {
      results: all.flatMap((c) => c.results),
      asked: new Map(all.flatMap((c) => [...c.asked])),
    };
    const silent = observed.filter((o) => o.status === 'down' && o.address !== '');
    return {
      decided: applyCareful(silent, this.ctx.plan, merged, this.runner.cancelled()),
      results: merged.results,
    };
  }
}
