// The last state in a file (`port-drift --state FILE`): what the Actions cache is to a workflow, a
// file is to a cron job, so that `--notify change` tells Slack of new, changed and resolved drift
// only, and keeps the last runs for the history chart. Before any scan, the file is locked for the
// run (one run per state: lock.ts), its folder checked (no other user may write it), and the file
// read and checked; a file that is not a port-drift state file is an error naming it and the fix,
// and a part of it that does not fit is ignored with a warning naming the file. It is replaced whole
// (files.ts: written beside it, then renamed): an interrupted run never leaves it cut, and a link
// planted in its place is replaced, never followed.
import { lstat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { checked, json, object, oneOf, optional, str } from '../base/check.js';
import { ConfigurationError, getErrorMessage } from '../base/errors.js';
import { checkFolder, isMissing, readUserFile, writeWhole } from '../base/files.js';
import { historyFrom, type History, type HistoryStore } from './history.js';
import { lockFile, type Lock } from './lock.js';
import type { Logger } from '../base/log.js';
import { stateFrom, type DriftState } from './changes.js';
import type { Claim, StateStore } from './state.js';

export const STATE_SCHEMA = 'port-drift/state@1';

/** Far more than any state port-drift writes (30 runs and one baseline): anything larger is not one. */
const MAX_STATE_BYTES = 64 * 2 ** 20;

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

/** What makes a file a port-drift state file; its parts are checked on their own. */
const envelope = object({
  schema: oneOf(STATE_SCHEMA),
  name: str,
  state: optional(json),
  history: optional(json),
});

export interface OpenOptions {
  /** The flag that named the file, for errors. */
  flag?: string;
  /** Cancellation: waiting for another run's lock ends at once. */
  signal?: AbortSignal;
  /** How long to wait for another run that holds the file (lock.ts's default otherwise). */
  waitMs?: number;
}

export class FileStateStore implements StateStore, HistoryStore {
  private constructor(
    readonly path: string,
    private readonly name: string,
    private last: DriftState | undefined,
    private history: History | undefined,
    private readonly log: Logger,
    private readonly lock: Lock,
  ) {}

  /**
   * Locks, checks and reads the file now, before the scan. No file yet is a first run; a file that
   * is not a port-drift state file, or keeps another policy's state, is a configuration error.
   */
  static async open(
    path: string,
    name: string,
    log: Logger,
    options: OpenOptions = {},
  ): Promise<FileStateStore> {
    const flag = options.flag ?? '--state';
    const full = resolve(path);
    const exists = await lstat(dirname(full)).then(
      () => true,
      () => false,
    );
    if (!exists) {
      throw new ConfigurationError(
        flag,
        `the folder of ${full} does not exist: create it, or name a file in an existing folder.`,
      );
    }
    // The folder's real path: no link on the way can be swapped once it is checked.
    const file = join(
      await checkFolder(dirname(full), { input: flag, holds: 'the state file' }),
      basename(full),
    );
    const lock = await lockFile(file, { ...options, input: flag, log });
    try {
      const { state, history } = await read(file, name, flag, log);
      return new FileStateStore(file, name, state, history, log, lock);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /** Ends this run's hold on the file: the next run may use it. */
  close(): void {
    this.lock.release();
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
    try {
      await writeWhole(this.path, JSON.stringify(file, null, 2) + '\n', {
        mode: 0o600,
        durable: true,
      });
      return true;
    } catch (error) {
      this.log.warning(
        `The state for the next run was not kept: ${this.path} could not be written (${getErrorMessage(error)}). The next run may repeat this message.`,
      );
      return false;
    }
  }
}

/** The file's state and history, checked; nothing when there is no file yet. */
async function read(
  file: string,
  name: string,
  flag: string,
  log: Logger,
): Promise<{ state?: DriftState; history?: History }> {
  let text: string;
  try {
    // A symbolic link, a FIFO or a device is refused, never followed or waited on.
    text = await readUserFile(flag, file, { followSymlinks: false, maxBytes: MAX_STATE_BYTES });
  } catch (error) {
    if (isMissing(error)) return {};
    throw error;
  }
  let parsed: ReturnType<typeof envelope>;
  try {
    parsed = checked(envelope, JSON.parse(text));
  } catch {
    throw new ConfigurationError(
      flag,
      `${file} is not a port-drift state file (${STATE_SCHEMA}). Name another file, or delete this one to start afresh (the next drift is then reported as new).`,
    );
  }
  if (parsed.name !== name) {
    throw new ConfigurationError(
      flag,
      `${file} keeps the state of the policy named '${parsed.name.slice(0, 100)}', not of '${name.slice(0, 100)}': give each policy (--name) its own state file.`,
    );
  }
  const warn = (message: string): void => log.warning(message);
  return {
    ...(parsed.state === undefined ? {} : { state: stateFrom(parsed.state, file, warn) }),
    ...(parsed.history === undefined ? {} : { history: historyFrom(parsed.history, file, warn) }),
  };
}
