// Files a user names (nmap XML, shard results) and report-dir: regular files only, opened so that
// a FIFO or a device can never block the run, and every wait bounded.
import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { ConfigurationError, getErrorMessage } from './errors.js';

/** How long one file operation (a glob, a read, a check) may take. */
export const FILE_TIMEOUT_MS = 60_000;

/** The promise's value, or a rejection saying what did not finish within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Reads a file a user named. Refused, with the file named and never its content quoted: anything
 * that is not a regular file, and with `followSymlinks: false` a symbolic link.
 */
export async function readUserFile(
  input: string,
  file: string,
  options: { followSymlinks: boolean },
): Promise<string> {
  const read = async (): Promise<string> => {
    if (!options.followSymlinks && (await lstat(file)).isSymbolicLink()) {
      throw new ConfigurationError(
        input,
        `${file} is a symbolic link, which is not followed: name the file itself`,
      );
    }
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
    const handle = await open(
      file,
      constants.O_RDONLY |
        constants.O_NONBLOCK |
        (options.followSymlinks ? 0 : (constants.O_NOFOLLOW ?? 0)),
    );
    try {
      if (!(await handle.stat()).isFile()) {
        throw new ConfigurationError(
          input,
          `${file} is not a regular file (a FIFO, socket or device): not read`,
        );
      }
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  };
  try {
    return await within(read(), FILE_TIMEOUT_MS, `reading ${file}`);
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigurationError(
      input,
      `cannot read ${file}: ${code === 'ELOOP' ? 'a symbolic link, which is not followed' : (code ?? getErrorMessage(error))}`,
    );
  }
}
