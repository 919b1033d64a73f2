// The files a user's glob names (`xml`, `results`), found and read one way: never through a
// symbolic link. The glob does not descend into a linked folder, and a matched link is refused when
// it is read, naming it (files.ts, O_NOFOLLOW): a link that a pull request adds, or that another
// user plants beside the files, cannot make a run read a file the user did not name.
//
// tinyglobby finds them: unlike @actions/glob it writes nothing to stdout (the command line's stdout
// is its result alone). It is handed a readdir that shows every entry that is not a folder (a link,
// a FIFO, a socket) as a file: the glob lists it, never enters it, and reading it refuses it by name,
// where a glob that left it out would lose it without a word.
import { readdir, type Dirent } from 'node:fs';
import { glob } from 'tinyglobby';
import { ConfigurationError, getErrorMessage } from './errors.js';
import { FILE_TIMEOUT_MS, readUserFile, within } from './files.js';

/** Whether the files of a user's glob are found and read through symbolic links: never. */
export const FOLLOW_USER_LINKS = false;

type Entries = (error: NodeJS.ErrnoException | null, entries?: Dirent[]) => void;

/** readdir with types, every entry that is not a folder shown as a file. */
function readdirFilesAndFolders(path: string, _options: object, done: Entries): void {
  readdir(path, { withFileTypes: true }, (error, entries) => {
    if (error) return done(error);
    done(
      null,
      entries.map((entry) => (entry.isDirectory() ? entry : asFile(entry))),
    );
  });
}

function asFile(entry: Dirent): Dirent {
  return Object.assign(Object.create(entry) as Dirent, {
    isFile: () => true,
    isSymbolicLink: () => false,
  });
}

/**
 * The glob's lines, as a workflow writes them (one pattern a line; `!` before a pattern leaves its
 * matches out; `#` starts a comment line), as `@actions/glob` read them before.
 */
export function globPatterns(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

/**
 * The paths `pattern` matches, sorted; folders left out, linked folders not entered. A glob that
 * fails or does not finish is a ConfigurationError of `input`. Empty when nothing matches.
 */
export async function globUserFiles(input: string, pattern: string): Promise<string[]> {
  const patterns = globPatterns(pattern);
  if (!patterns.some((p) => !p.startsWith('!'))) return [];
  const files = await within(
    glob(patterns, {
      absolute: true,
      dot: true,
      onlyFiles: true,
      expandDirectories: false,
      followSymbolicLinks: true, // links reach the adapter's readdir as files: listed, never entered
      fs: { readdir: readdirFilesAndFolders as never },
    }),
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
