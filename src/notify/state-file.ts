// The last state in a file (`port-drift --state FILE`): what the Actions cache is to a workflow, a
// file is to a cron job, so that `--notify change` tells Slack of new, changed and resolved drift
// only, and keeps the last runs for the history chart. The file is read and checked before any scan (a broken one is an error naming it and the
// fix), and replaced whole (written beside it, then renamed): an interrupted run never leaves it cut.
import { readFileSync, statSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigurationError, getErrorMessage } from '../errors.js';
import { parseState, type DriftState } from './changes.js';
import type { Log } from './github.js';
import { parseHistory, type History, type HistoryStore } from '../history.js';
import type { Claim, StateStore } from './state.js';

export const STATE_SCHEMA = 'port-drift/state@1';

interface StateFile {
  schema: typeof STATE_SCHEMA;
  /** The policy's name: one file keeps one policy's state. */
  name: string;
  savedAt: string;
  /** The drift Slack last heard of (`--notify change`). */
  state?: DriftState;
  /** The last runs, for the chart (history.ts). */
  history?: History;
}

export class FileStateStore implements StateStore, HistoryStore {
  private constructor(
    readonly path: string,
    private readonly name: string,
    private last: DriftState | undefined,
    private history: History | undefined,
    private readonly log: Log,
  ) {}

  /**
   * Reads and checks the file now, before the scan. No file yet is a first run; a file that is not
   * a port-drift state file, or keeps another policy's state, is a configuration error.
   */
  static open(path: string, name: string, log: Log, flag = '--state'): FileStateStore {
    const full = resolve(path);
    let text: string;
    try {
      text = readFileSync(full, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') {
        throw new ConfigurationError(
          flag,
          `${full} cannot be read (${code ?? getErrorMessage(error)}).`,
        );
      }
      let folder: boolean;
      try {
        folder = statSync(dirname(full)).isDirectory();
      } catch {
        folder = false;
      }
      if (!folder) {
        throw new ConfigurationError(
          flag,
          `the folder of ${full} does not exist: create it, or name a file in an existing folder.`,
        );
      }
      return new FileStateStore(full, name, undefined, undefined, log);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const file = parsed as Partial<StateFile> | undefined;
    const state = file?.state === undefined ? undefined : parseState(file.state);
    const history = file?.history === undefined ? undefined : parseHistory(file.history);
    if (
      file?.schema !== STATE_SCHEMA ||
      typeof file.name !== 'string' ||
      (file.state !== undefined && !state) ||
      (file.history !== undefined && !history)
    ) {
      throw new ConfigurationError(
        flag,
        `${full} is not a port-drift state file (${STATE_SCHEMA}). Name another file, or delete this one to start afresh (the next drift is then reported as new).`,
      );
    }
    if (file.name !== name) {
      throw new ConfigurationError(
        flag,
        `${full} keeps the state of the policy named '${file.name.slice(0, 100)}', not of '${name.slice(0, 100)}': give each policy (--name) its own state file.`,
      );
    }
    return new FileStateStore(full, name, state, history, log);
  }

  load(): Promise<DriftState | undefined> {
    return Promise.resolve(this.last);
  }

  async save(state: DriftState): Promise<Claim> {
    this.last = state;
    return (await this.write()) ? 'saved' : 'failed';
  }

  loadHistory(): Promise<History | undefined> {
    return Promise.resolve(this.history);
  }

  saveHistory(history: History): Promise<boolean> {
    this.history = history;
    return this.write();
  }

  /** The whole file, replaced at once: written beside it, then renamed. */
  private async write(): Promise<boolean> {
    const file: StateFile = {
      schema: STATE_SCHEMA,
      name: this.name,
      savedAt: new Date().toISOString(),
      ...(this.last ? { state: this.last } : {}),
      ...(this.history ? { history: this.history } : {}),
    };
    const temp = `${this.path}.${process.pid}.tmp`;
    try {
      await writeFile(temp, JSON.stringify(file, null, 2) + '\n');
      await rename(temp, this.path);
      return true;
    } catch (error) {
      await rm(temp, { force: true });
      this.log.warning(
        `The state for the next run was not kept: ${this.path} could not be written (${getErrorMessage(error)}). The next run may repeat this message.`,
      );
      return false;
    }
  }
}
