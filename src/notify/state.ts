// The last state, for `notify: change` when no issue carries it: a small JSON file kept in the
// GitHub Actions cache, which every GitHub-hosted runner has without setup. Each change is saved
// under a new key (caches are immutable) and the newest is restored by prefix. Where there is no
// cache service (a local run), there is no last state and every drift counts as new.
import * as cache from '@actions/cache';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getErrorMessage } from '../errors.js';
import { parseState, type DriftState } from './changes.js';
import type { Log } from './github.js';

export interface StateStore {
  /** undefined: no state was kept (first run, or no cache here). */
  load(): Promise<DriftState | undefined>;
  save(state: DriftState): Promise<void>;
}

export class CacheStateStore implements StateStore {
  private readonly dir: string;
  private readonly file: string;
  private readonly prefix: string;

  constructor(
    name: string,
    runnerTemp: string,
    private readonly runId: string,
    private readonly runAttempt: string,
    private readonly log: Log,
  ) {
    const id = createHash('sha256').update(name).digest('hex').slice(0, 16);
    // The path is part of the cache's version: it must be the same in every run.
    this.dir = join(runnerTemp, 'port-drift-state', id);
    this.file = join(this.dir, 'state.json');
    this.prefix = `port-drift-state-${id}-`;
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
    try {
      await mkdir(this.dir, { recursive: true });
      const key = await cache.restoreCache([this.dir], `${this.prefix}${this.runId}-`, [
        this.prefix,
      ]);
      if (!key) {
        this.log.info('No last state in the Actions cache yet: the drift is new.');
        return undefined;
      }
      return parseState(JSON.parse(await readFile(this.file, 'utf8')));
    } catch (error) {
      this.log.info(`Could not read the last state: ${getErrorMessage(error)}. The drift is new.`);
      return undefined;
    }
  }

  async save(state: DriftState): Promise<void> {
    if (!this.available) return;
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(this.file, JSON.stringify(state));
      await cache.saveCache([this.dir], `${this.prefix}${this.runId}-${this.runAttempt}`);
    } catch (error) {
      this.log.warning(
        `Could not keep the state for the next run in the Actions cache: ${getErrorMessage(error)}. The next run may repeat this message.`,
      );
    }
  }
}
