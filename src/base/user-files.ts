// The files a user's glob names (`xml`, `results`), found and read one way: never through a
// symbolic link. The glob does not descend into a linked folder, and a matched link is refused when
// it is read, naming it (files.ts, O_NOFOLLOW): a link that a pull request adds, or that another
// user plants beside the files, cannot make a run read a file the user did not name.
//
// tinyglobby finds them: unlike @actions/glob it writes nothing to stdout (the command line's stdout
// is its result alone). It is handed a readdir that shows every entry that is not a folder (a link,
// a FIFO, a socket) as a file: the glob lists it, never enters it, and reading it refuses it by name,
// where a glob that left it out would lose it without a word. The folders above where a pattern's
// wildcards start are the user's own path, and the links among them are followed, as before.
import { readdir, realpathSync, type Dirent } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { ConfigurationError, getErrorMessage } from './errors.js';
import { FILE_TIMEOUT_MS, readUserFile, within } from './files.js';

/** Whether the files of a user's glob are found and read through symbolic links: never. */
export const FOLLOW_USER_LINKS = false;

type Entries = (error: NodeJS.ErrnoException | null, entries?: Dirent[]) => void;

/**
 * Where a pattern's own part begins: the folder before its first wildcard, or the file a pattern
 * without one names, as written and with the folders above it resolved. The links above it are the
 * user's own path (`/var/run` on Debian, `/tmp` on macOS) and are followed, as the system follows
 * them; from there down, nothing is, the base itself included.
 */
function patternBases(pattern: string): string[] {
  const path = resolve(pattern);
  const segments = path.split(sep);
  const dynamic = segments.findIndex((segment) => isDynamicPattern(segment));
  const base = dynamic < 0 ? path : segments.slice(0, dynamic).join(sep) || sep;
  if (base === sep) return [base];
  try {
    return [base, join(realpathSync(dirname(base)), basename(base))];
  } catch {
    return [base]; // nothing there: the glob matches nothing
  }
}

/**
 * readdir with types where every entry at or below a pattern's base that is not a folder (a link,
 * a FIFO, a socket) shows as a file: the glob lists it and never enters it.
 */
function userReaddir(bases: readonly string[]) {
  const own = (path: string): boolean =>
    bases.some((base) => path === base || path.startsWith(base === sep ? base : base + sep));
  return (folder: string, _options: object, done: Entries): void => {
    readdir(folder, { withFileTypes: true }, (error, entries) => {
      if (error) return done(error);
      done(
        null,
        entries.map((entry) =>
          entry.isDirectory() || !own(join(folder, entry.name)) ? entry : asFile(entry),
        ),
      );
    });
  };
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
      fs: {
        readdir: userReaddir(
          patterns.filter((p) => !p.startsWith('!')).flatMap(patternBases),
        ) as never,
      },
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
