// The files a user's glob names (`xml`, `results`), found and read one way: never through a
// symbolic link. The glob does not descend into a linked folder, and a matched link is refused when
// it is read, naming it (files.ts, O_NOFOLLOW): a link that a pull request adds, or that another
// user plants beside the files, cannot make a run read a file the user did not name.
import * as glob from '@actions/glob';
import { ConfigurationError, getErrorMessage } from './errors.js';
import { FILE_TIMEOUT_MS, readUserFile, within } from './files.js';

/** Whether the files of a user's glob are found and read through symbolic links: never. */
export const FOLLOW_USER_LINKS = false;

/**
 * The paths `pattern` matches, sorted; folders left out, linked folders not entered. A glob that
 * fails or does not finish is a ConfigurationError of `input`. Empty when nothing matches.
 */
export async function globUserFiles(input: string, pattern: string): Promise<string[]> {
  const files = await within(
    glob
      .create(pattern, { matchDirectories: false, followSymbolicLinks: FOLLOW_USER_LINKS })
      .then((g) => g.glob()),
    FILE_TIMEOUT_MS,
    `the ${input} glob '${pattern}'`,
  ).catch((error: unknown) => {
    throw new ConfigurationError(input, getErrorMessage(error));
  });
  return files.sort();
}

/**
 * Reads one file the glob matched: a regular file, never through a symbolic link (refused, named),
 * never a FIFO, socket or device waited on.
 */
export function readGlobbedFile(input: string, file: string): Promise<string> {
  return readUserFile(input, file, { followSymlinks: FOLLOW_USER_LINKS });
}
