// The last state, for `notify: change` when no issue carries it: a small JSON file kept in the
// GitHub Actions cache, which every GitHub-hosted runner has without setup. Each change is saved
// under a key naming the entry it follows and the drift it records: caches are immutable, so of
// overlapping runs that see the same change only one can save it, and only that one tells Slack.
// The newest entry is restored by prefix. Where there is no cache service (a local run), there is no
// last state and every drift counts as new. Every call ends within the deadline (cache-calls.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import * as cache from '@actions/cache';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheCall, callOptions, service, whyNoAnswer } from '../github/cache-calls.js';
import { getErrorMessage } from '../base/errors.js';
import { readUserFile, writeWhole } from '../base/files.js';
import { historyFrom, type History, type HistoryStore } from './history.js';
import { oneLine } from '../base/markdown.js';
import { stateFrom, type DriftState } from './changes.js';
import type { Logger } from '../base/log.js';

/** What saving a change came to. `taken`: an overlapping run saved this very change first. */
export type Claim = 'saved' | 'taken' | 'failed';

/**
 * Where the last state lives when no issue carries it: the Actions cache on a runner, a file
 * (`--state`) for the command line.
 */
export interface StateStore {
  /** The last state; undefined when there is none (the drift is new). */
  load(): Promise<DriftState | undefined>;
  save(state: DriftState): Promise<Claim>;
}

const hash = (text: string, n: number): string =>
  createHash('sha256').update(text).digest('hex').slice(0, n);

/** Far more than a state or a history port-drift writes: a larger entry is not one. */
const MAX_ENTRY_BYTES = 64 * 2 ** 20;

/**
 * The JSON of a restored entry, or undefined with a warning naming it. Any job of the repository can
 * save under the key's prefix: the file is read like any untrusted file (a link or a FIFO refused,
 * its size bounded, nothing of it quoted), and the caller checks every field.
 */
async function readEntry(file: string, source: string, log: Logger): Promise<unknown> {
  let why: string;
  try {
    return JSON.parse(
      await readUserFile('the Actions cache', file, {
        followSymlinks: false,
        maxBytes: MAX_ENTRY_BYTES,
      }),
    );
  } catch (error) {
    why = error instanceof SyntaxError ? 'not JSON' : getErrorMessage(error);
  }
  log.warning(`${source} cannot be read (${why}): ignored.`);
  return undefined;
}

/** How a warning names a cache entry: its key, on one line. */
const entry = (what: string, key: string): string =>
  `${what} in the Actions cache (key ${oneLine(key, 200)})`;

export class CacheStateStore implements StateStore {
  private readonly dir: string;
  private readonly file: string;
  private readonly prefix: string;
  /** The key of the entry restored, which the next entry names. */
  private restoredKey: string | undefined;

  constructor(
    /** keyHash() of the notification key. */
    key: string,
    runnerTemp: string,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {
    // The path is part of the cache's version: it must be the same in every run.
    this.dir = join(runnerTemp, 'port-drift-state', key);
    this.file = join(this.dir, 'state.json');
    this.prefix = `port-drift-state-v2-${key}-`;
  }

  get available(): boolean {
    return cache.isFeatureAvailable();
  }

  async load(): Promise<DriftState | undefined> {
    if (!this.available) {
      this.log.info(
        'No GitHub Actions cache here (not on a GitHub runner): no last state, so Slack treats the drift as new.',
      );
      return undefined;
    }
    if (service.hung) {
      this.log.info(
        'Could not read the last state: the Actions cache service did not answer earlier in this run. The drift is new.',
      );
      return undefined;
    }
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const key = await cacheCall(
        this.timeoutMs,
        cache.restoreCache(
          [this.dir],
          `${this.prefix}latest`,
          [this.prefix],
          callOptions(this.timeoutMs),
        ),
      );
      if (!key) {
        this.log.info('No last state in the Actions cache yet: the drift is new.');
        return undefined;
      }
      this.restoredKey = key;
      const source = entry('The last state', key);
      const value = await readEntry(this.file, source, this.log);
      return value === undefined ? undefined : stateFrom(value, source, (m) => this.log.warning(m));
    } catch (error) {
      this.log.info(
        `Could not read the last state: ${whyNoAnswer(error, this.timeoutMs)}. The drift is new.`,
      );
      return undefined;
    }
  }

  /** The key of the change from the restored entry to `state`: the same in overlapping runs. */
  private keyFor(state: DriftState): string {
    return `${this.prefix}${hash(this.restoredKey ?? 'first', 12)}-${state.digest.slice(0, 16)}`;
  }

  private async exists(key: string): Promise<boolean> {
    const found = await cacheCall(
      this.timeoutMs,
      cache.restoreCache([this.dir], key, [], { ...callOptions(this.timeoutMs), lookupOnly: true }),
    );
    return found === key;
  }

  /**
   * Saves the change to `state`, unless an overlapping run saved it first (`taken`: that run tells
   * Slack). `failed` leaves the next run to see the change again.
   */
  async save(state: DriftState): Promise<Claim> {
    if (!this.available) return 'failed';
    if (service.hung) {
      this.log.warning(
        'The state for the next run was not kept: the Actions cache service did not answer earlier in this run. The next run may repeat this message.',
      );
      return 'failed';
    }
    const key = this.keyFor(state);
    try {
      if (await this.exists(key)) return 'taken';
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeWhole(this.file, JSON.stringify(state));
      const id = await cacheCall(this.timeoutMs, cache.saveCache([this.dir], key));
      if (id !== -1) return 'saved';
      // Not saved: most likely an overlapping run reserved this key a moment ago.
      if (await this.exists(key)) return 'taken';
      await sleep(2000);
      if (await this.exists(key)) return 'taken';
      this.log.warning(
        'The state for the next run was not kept in the Actions cache (the cache did not take it). The next run may repeat this message.',
      );
      return 'failed';
    } catch (error) {
      this.log.warning(
        `The state for the next run was not kept in the Actions cache: ${whyNoAnswer(error, this.timeoutMs)}. The next run may repeat this message.`,
      );
      return 'failed';
    }
  }
}

/**
 * The history in the Actions cache: each run that keeps it saves a new entry under its own key (run
 * id and attempt), and the newest entry of the prefix is the history so far. Overlapping runs that
 * both add a point may lose one of the two; the chart then misses that run. A pull request's run
 * restores the default branch's entries (the cache lets it) and saves none.
 */
export class CacheHistoryStore implements HistoryStore {
  private readonly dir: string;
  private readonly file: string;
  private readonly prefix: string;

  constructor(
    /** keyHash() of the notification key. */
    key: string,
    runnerTemp: string,
    /** The run's id and attempt: this run's entry. */
    private readonly run: string,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {
    // The path is part of the cache's version: it must be the same in every run.
    this.dir = join(runnerTemp, 'port-drift-history', key);
    this.file = join(this.dir, 'history.json');
    this.prefix = `port-drift-history-v1-${key}-`;
  }

  async loadHistory(): Promise<History | undefined> {
    if (!cache.isFeatureAvailable() || service.hung) return undefined;
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const key = await cacheCall(
        this.timeoutMs,
        cache.restoreCache(
          [this.dir],
          `${this.prefix}latest`,
          [this.prefix],
          callOptions(this.timeoutMs),
        ),
      );
      if (!key) return undefined;
      const source = entry('The history', key);
      const value = await readEntry(this.file, source, this.log);
      return value === undefined
        ? undefined
        : historyFrom(value, source, (m) => this.log.warning(m));
    } catch (error) {
      this.log.info(
        `Could not read the history: ${whyNoAnswer(error, this.timeoutMs)}. It starts afresh.`,
      );
      return undefined;
    }
  }

  async saveHistory(history: History): Promise<boolean> {
    if (!cache.isFeatureAvailable() || service.hung) return false;
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeWhole(this.file, JSON.stringify(history));
      const id = await cacheCall(
        this.timeoutMs,
        cache.saveCache([this.dir], `${this.prefix}${this.run}`),
      );
      return id !== -1;
    } catch (error) {
      this.log.warning(
        `This run was not added to the history in the Actions cache: ${whyNoAnswer(error, this.timeoutMs)}.`,
      );
      return false;
    }
  }
}
