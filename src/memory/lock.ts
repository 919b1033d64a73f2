// One run per --state file (cron runs that overlap): a lock file beside it, `FILE.lock`, created
// exclusively and holding the run's pid, host and start, removed when the run ends (on exit too).
// A run that finds it held waits a bounded time, then ends before scanning. A lock whose run is gone
// (its pid is not alive on this host) is taken over.
import { setTimeout as wait } from 'node:timers/promises';
import type { Logger } from '../base/log.js';
import { hostname } from 'node:os';
import { link, readFile, rename, rm, stat } from 'node:fs/promises';
import { readFileSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { checked, int, line, object } from '../base/check.js';
import { CancelledError, ConfigurationError, getErrorMessage } from '../base/errors.js';
import { createExclusive, isMissing, readUserFile } from '../base/files.js';
/** The part of a log the lock writes to. */

/** How long a run waits for the run that holds the lock. */
export const LOCK_WAIT_MS = 60_000;
const POLL_MS = 250;
/** A lock with no readable holder (a run that died while writing it) is stale after this long. */
const UNREADABLE_STALE_MS = 10_000;

export interface Lock {
  /** Removes the lock file, if it is still this run's. */
  release(): void;
}

/** The locks this process holds, by their text. */
const heldHere = new Set<string>();

/** Who holds a lock, as its file says (checked: the file is read back). */
const holder = object({ pid: int(1, 2 ** 31 - 1), host: line(255), since: line(40) });
type Holder = ReturnType<typeof holder>;

function holderOf(text: string): Holder | undefined {
  try {
    return checked(holder, JSON.parse(text));
  } catch {
    return undefined; // not a lock port-drift wrote whole
  }
}

/** Is the holder's process gone? Only a process on this host can be asked. */
async function isStale(file: string, text: string): Promise<boolean> {
  const held = holderOf(text);
  if (!held) {
    const written = await stat(file).catch(() => undefined); // gone meanwhile: try again
    return written !== undefined && Date.now() - written.mtimeMs > UNREADABLE_STALE_MS;
  }
  if (held.host !== hostname()) return false;
  // This very process: its own lock if it holds it, else one of a process gone that had its pid.
  if (held.pid === process.pid) return !heldHere.has(text);
  try {
    process.kill(held.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Takes a stale lock away: moved aside, and removed if it is still the stale one. Should another
 * run have taken the lock in between, its lock is put back (unless a third took it meanwhile).
 */
async function breakStale(file: string, seen: string): Promise<void> {
  const aside = `${file}.${randomBytes(8).toString('hex')}.stale`;
  try {
    await rename(file, aside);
  } catch {
    return; // Already gone.
  }
  if ((await readFile(aside, 'utf8').catch(() => '')) !== seen) {
    await link(aside, file).catch(() => undefined);
  }
  await rm(aside, { force: true });
}

/** Waits `ms`; a cancelled run (the signal) ends the wait as a CancelledError. */
async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await wait(ms, undefined, { signal });
  } catch (error) {
    if (signal?.aborted) throw new CancelledError();
    throw error;
  }
}
function holding(file: string, mine: string): Lock {
  heldHere.add(mine);
  const release = (): void => {
    process.off('exit', release);
    heldHere.delete(mine);
    try {
      if (readFileSync(file, 'utf8') === mine) unlinkSync(file);
    } catch {
      // Gone already.
    }
  };
  process.on('exit', release);
  return { release };
}

export interface LockOptions {
  /** The flag that named the file, for errors. */
  input: string;
  log: Logger;
  waitMs?: number;
  /** Cancellation: the wait ends at once. */
  signal?: AbortSignal;
}

/** Locks `path` (`path.lock`) for this run, waiting at most `waitMs` for another run to end. */
export async function lockFile(path: string, options: LockOptions): Promise<Lock> {
  const file = `${path}.lock`;
  const waitMs = options.waitMs ?? LOCK_WAIT_MS;
  const mine = JSON.stringify({
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    // Two locks of one process (a test) are told apart.
    id: randomBytes(8).toString('hex'),
  });
  const deadline = Date.now() + waitMs;
  for (let said = false; ;) {
    try {
      await createExclusive(file, mine, { mode: 0o600 });
      return holding(file, mine);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new ConfigurationError(
          options.input,
          `cannot write beside ${path} (${code ?? getErrorMessage(error)}): the state file is replaced whole, through a new file in its folder. Name a file in a folder this user can write.`,
        );
      }
    }
    let text: string;
    try {
      text = await readUserFile(options.input, file, { followSymlinks: false, maxBytes: 4096 });
    } catch (error) {
      if (isMissing(error)) continue; // Released meanwhile.
      throw error;
    }
    if (await isStale(file, text)) {
      options.log.info(`${file}: the run that held it is gone; taking the lock over.`);
      await breakStale(file, text);
      continue;
    }
    const by = holderOf(text);
    const who = by
      ? `another port-drift run (pid ${by.pid} on ${by.host}, since ${by.since})`
      : 'another port-drift run';
    if (!said) {
      options.log.info(`${path} is in use by ${who}: waiting up to ${waitMs / 1000} s for it.`);
      said = true;
    }
    if (Date.now() >= deadline) {
      throw new ConfigurationError(
        options.input,
        `${path} is in use by ${who}, still after ${waitMs / 1000} s: this run stops before scanning and notifies nothing. Runs overlap: space them further apart (or use a systemd timer, which never starts a run while one is going on). If no port-drift run is going on, delete ${file}.`,
      );
    }
    await sleep(POLL_MS, options.signal);
  }
}
