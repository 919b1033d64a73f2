// The one home of file access. Reading files a user names (policy, nmap XML, shard results, the
// state file): regular files only, opened so that a FIFO or a device can never block the run, every
// wait bounded. Writing port-drift's own files (reports, nmap's XML, the state file, a recorded
// policy): into a folder no other user can write, each file created under an unpredictable name
// that must not exist yet, then renamed into place. A rename replaces a symbolic link planted under
// the final name; it never follows it, so the file such a link points to is never touched.
import { constants, openSync, closeSync, fstatSync, readFileSync, type Stats } from 'node:fs';
import { lstat, mkdir, mkdtemp, open, realpath, rename, rm, rmdir, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, parse } from 'node:path';
import { ConfigurationError, getErrorMessage } from './errors.js';

/** How long one file operation (a glob, a read, a check) may take. */
export const FILE_TIMEOUT_MS = 60_000;

/**
 * The promise's value, or a rejection past `ms`: saying what did not finish, or the error `what`
 * makes. The one deadline of the project's waits (file operations, the Actions cache's calls).
 */
export function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string | (() => Error),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = (): Error =>
    typeof what === 'string' ? new Error(`${what} did not finish within ${ms / 1000} s`) : what();
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface ReadOptions {
  /** false: a symbolic link is refused (O_NOFOLLOW), never followed. */
  followSymlinks: boolean;
  /** Larger files are refused (a forged state or history must not fill the memory). */
  maxBytes?: number;
}

/** O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one. */
const readFlags = (options: ReadOptions): number =>
  constants.O_RDONLY |
  constants.O_NONBLOCK |
  (options.followSymlinks ? 0 : (constants.O_NOFOLLOW ?? 0));

/** Why a file that opened is not read: not a regular file, or too large; undefined if it may be. */
function notReadable(file: string, stats: Stats, options: ReadOptions): string | undefined {
  if (stats.isDirectory()) return `${file} is a folder, not a file: name the file itself`;
  if (!stats.isFile()) return `${file} is not a regular file (a FIFO, socket or device): not read`;
  if (options.maxBytes !== undefined && stats.size > options.maxBytes) {
    return `${file} is larger than ${options.maxBytes / 2 ** 20} MiB, more than port-drift ever writes: not read`;
  }
  return undefined;
}

/** The error a read failed with, naming the file and never quoting what is in it. */
function readError(input: string, file: string, error: unknown): ConfigurationError {
  if (error instanceof ConfigurationError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ELOOP' ? 'a symbolic link, which is not followed' : (code ?? getErrorMessage(error));
  // The cause keeps the code, for a caller to which a file gone meanwhile is no error.
  return Object.assign(new ConfigurationError(input, `cannot read ${file}: ${why}`), {
    cause: error,
  });
}

/**
 * Reads a file a user named. Refused, with the file named and never its content quoted: anything
 * that is not a regular file, and with `followSymlinks: false` a symbolic link.
 */
export async function readUserFile(
  input: string,
  file: string,
  options: ReadOptions,
): Promise<string> {
  const read = async (): Promise<string> => {
    if (!options.followSymlinks && (await lstat(file)).isSymbolicLink()) {
      throw new ConfigurationError(
        input,
        `${file} is a symbolic link, which is not followed: name the file itself`,
      );
    }
    const handle = await open(file, readFlags(options));
    try {
      const refused = notReadable(file, await handle.stat(), options);
      if (refused) throw new ConfigurationError(input, refused);
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  };
  try {
    return await within(read(), FILE_TIMEOUT_MS, `reading ${file}`);
  } catch (error) {
    throw readError(input, file, error);
  }
}

/** Whether a read failed because the file does not exist. */
export const isMissing = (error: unknown): boolean =>
  (error as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT';

/**
 * readUserFile for the settings, which are read at once before anything else: the same checks. A
 * local regular file is read without waiting on anyone; anything else is refused before a read.
 */
export function readUserFileSync(input: string, file: string, options: ReadOptions): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, readFlags(options));
    const refused = notReadable(file, fstatSync(fd), options);
    if (refused) throw new ConfigurationError(input, refused);
    return readFileSync(fd, 'utf8');
  } catch (error) {
    throw readError(input, file, error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

// ---------------------------------------------------------------------------
// Folders port-drift writes into.

const uid = (): number | undefined => process.getuid?.();

/**
 * Who besides this run's user can write into a folder, or undefined when nobody can. `last`: the
 * folder written into, which must be this user's own; a folder above it may be anyone's that no
 * other user can write, or sticky (like /tmp: no one can rename or remove what is not theirs).
 */
function otherWriters(folder: string, s: Stats, last: boolean): string | undefined {
  const me = uid();
  if (me === undefined) return undefined; // Windows: no owner and mode bits to judge by.
  const sticky = (s.mode & 0o1000) !== 0;
  if (last && s.uid !== me && s.uid !== 0) {
    return `${folder} belongs to another user (uid ${s.uid}), who can plant links in it`;
  }
  if (sticky && (!last || s.uid === me)) return undefined;
  if (s.mode & 0o002) return `${folder} can be written by every user`;
  if (s.mode & 0o020 && s.gid !== process.getgid?.()) {
    return `${folder} can be written by the users of group ${s.gid}`;
  }
  return undefined;
}

/** What a folder is for, in errors: the input that named it and what it holds (`the reports`). */
export interface FolderUse {
  input: string;
  holds: string;
}

/** Why a folder cannot be written into, from the error of a file operation. */
function whyNot(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EEXIST' || code === 'ENOTDIR'
    ? 'it, or a folder on its path, is a file'
    : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
      ? 'not writable by this user'
      : code === 'ENOSPC' || code === 'EDQUOT'
        ? 'the disk is full'
        : (code ?? getErrorMessage(error));
}

/** The error for a folder that cannot take the files, naming the input and the fix. */
export function folderError(folder: string, use: FolderUse, error: unknown): ConfigurationError {
  if (error instanceof ConfigurationError) return error;
  return new ConfigurationError(
    use.input,
    `${folder} cannot hold ${use.holds} (${whyNot(error)}). Name a writable directory.`,
  );
}

/**
 * Checks a folder port-drift writes into, and returns its real path (links resolved) for the
 * writes: it is a folder, it is this user's, and neither it nor a folder above it can be written
 * by another user, who could otherwise plant a symbolic link under a name port-drift writes, or
 * swap the folder for one. A sticky folder above it (like /tmp) is safe: no one can rename or
 * remove what is not theirs there.
 */
export async function checkFolder(folder: string, use: FolderUse): Promise<string> {
  let real: string;
  try {
    real = await realpath(folder);
    if (!(await stat(real)).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
  } catch (error) {
    throw folderError(folder, use, error);
  }
  for (let dir = real, last = true; ; dir = dirname(dir), last = false) {
    const why = otherWriters(dir, await stat(dir), last);
    if (why) {
      throw new ConfigurationError(
        use.input,
        `${real === folder ? folder : `${folder} (${real})`} cannot hold ${use.holds} safely: ${why}. Name a folder of this user's that no other user can write (chmod go-w it, or make a new one).`,
      );
    }
    if (dir === parse(dir).root) return real;
  }
}

/** Creates the folder when missing (no other user may write what it creates), then checks it. */
export async function makeFolder(folder: string, use: FolderUse): Promise<string> {
  try {
    await within(mkdir(folder, { recursive: true, mode: 0o755 }), FILE_TIMEOUT_MS, 'mkdir');
  } catch (error) {
    throw folderError(folder, use, error);
  }
  return checkFolder(folder, use);
}

/** A name no one can guess: 16 random hex digits. */
const unpredictable = (): string => randomBytes(8).toString('hex');

/** `O_CREAT | O_EXCL`: the file must not exist (a planted link counts as existing, and is not followed). */
const EXCLUSIVE =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

export interface WriteOptions {
  /** The file's mode (0644 unless said): 0600 for what only this user should read. */
  mode?: number;
  /** Flushed to the disk before it is renamed into place (the state file: a crash keeps it whole). */
  durable?: boolean;
}

/** Creates `path`, which must not exist yet, with `text`; never opens an existing file. */
export async function createExclusive(
  path: string,
  text: string,
  options: WriteOptions = {},
): Promise<void> {
  const handle = await open(path, EXCLUSIVE, options.mode ?? 0o644);
  try {
    await handle.writeFile(text);
    if (options.durable) await handle.sync();
  } catch (error) {
    // The file is this run's (it did not exist): a cut one is not left behind.
    await handle.close();
    await rm(path, { force: true });
    throw error;
  }
  await handle.close();
}

/**
 * Writes a file of port-drift's whole: under an unpredictable name beside it, created exclusively,
 * then renamed over `path`. A failed or interrupted write never leaves a cut file, and a symbolic
 * link planted at `path` is replaced by the file, its target never opened.
 */
export async function writeWhole(
  path: string,
  text: string,
  options: WriteOptions = {},
): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${unpredictable()}.tmp`);
  let created = false;
  try {
    await createExclusive(temp, text, options);
    created = true;
    await rename(temp, path);
  } catch (error) {
    // Only what this run created is removed: a name that existed already is someone else's.
    if (created) await rm(temp, { force: true });
    throw error;
  }
}

/** Checks that a folder takes a file: one created exclusively under an unpredictable name, removed. */
export async function probeFolder(folder: string): Promise<void> {
  const probe = join(folder, `.port-drift-check-${unpredictable()}`);
  await createExclusive(probe, 'port-drift: can this folder take a file?\n');
  await rm(probe, { force: true });
}

/**
 * A folder of this run's own inside `parent` (mode 0700, an unpredictable name): nmap writes its XML
 * there, where no one else can plant a link under the name it writes, which nmap would follow.
 */
export function privateFolder(parent: string): Promise<string> {
  return mkdtemp(join(parent, '.port-drift-run-'));
}

/** Removes the private folder when nothing is left in it (a file that could not be moved stays). */
export async function removePrivateFolder(folder: string): Promise<void> {
  await rmdir(folder).catch(() => undefined);
}

/** Moves a file of the run's private folder into place: the rename replaces a planted link. */
export async function moveIntoPlace(from: string, to: string): Promise<void> {
  await rename(from, to);
}
