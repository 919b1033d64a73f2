// The command line's grammar: every input of action.yml as a `--name value` flag, plus the flags of
// the command line itself (output format, verbosity, the state file). Pure.
import { INPUTS } from '../settings/inputs.js';

export { INPUTS };

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Inputs that are lists: giving the flag again adds a line, as a YAML block would. */
const REPEATABLE = new Set(['targets', 'expected', 'xml']);

export const FORMATS = ['text', 'markdown', 'json'] as const;
export type Format = (typeof FORMATS)[number];

/**
 * How much goes to the terminal. `quiet`: errors and drift only; `normal`: the result on stdout,
 * warnings and errors on stderr; `verbose`: progress too (nmap's lines, each pass), on stderr.
 */
export type Verbosity = 'quiet' | 'normal' | 'verbose';

/** The flags that belong to the command line, not to the action. */
export interface Options {
  format: Format;
  /** A file that keeps the last result, for --notify change between runs. */
  state?: string;
  /** Undefined: verbose when stderr is a terminal, else normal. */
  verbosity?: Verbosity;
}

export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; inputs: Record<string, string>; options: Options };

/** Flags of the command line that take a value. */
const OWN = new Set(['format', 'state']);

export function parseArgs(argv: readonly string[]): Command {
  const inputs: Record<string, string> = {};
  const options: Options = { format: 'text' };
  const own = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '-V' || arg === '--version') return { kind: 'version' };
    const verbosity = VERBOSITY_FLAGS.get(arg);
    if (verbosity) {
      setVerbosity(options, arg, verbosity);
      continue;
    }
    const flag = readFlag(argv, i);
    i = flag.last;
    if (OWN.has(flag.name)) {
      if (own.has(flag.name)) throw new UsageError(`--${flag.name} is given twice`);
      own.add(flag.name);
      setOwn(options, flag.name, flag.value);
    } else {
      if (flag.name in inputs && !REPEATABLE.has(flag.name)) {
        throw new UsageError(`--${flag.name} is given twice`);
      }
      inputs[flag.name] = flag.name in inputs ? `${inputs[flag.name]}\n${flag.value}` : flag.value;
    }
  }
  return { kind: 'run', inputs, options };
}

const VERBOSITY_FLAGS: ReadonlyMap<string, Verbosity> = new Map([
  ['-v', 'verbose'],
  ['--verbose', 'verbose'],
  ['-q', 'quiet'],
  ['--quiet', 'quiet'],
]);

function setVerbosity(options: Options, flag: string, verbosity: Verbosity): void {
  if (options.verbosity && options.verbosity !== verbosity) {
    throw new UsageError(
      `${flag} and ${verbosity === 'quiet' ? '-v' : '-q'} ask for opposite things: give one`,
    );
  }
  options.verbosity = verbosity;
}

const KNOWN = new Set<string>(INPUTS.map((i) => i.name));

/** The flag at argv[i], `--name value` or `--name=value`, and the index of its last word. */
function readFlag(
  argv: readonly string[],
  i: number,
): { name: string; value: string; last: number } {
  const arg = argv[i] ?? '';
  if (arg.startsWith('-') && !arg.startsWith('--')) {
    throw new UsageError(`unknown flag ${arg}: flags are long, such as --targets (see --help)`);
  }
  if (!arg.startsWith('--')) {
    throw new UsageError(
      `unexpected argument '${arg}': every value follows its flag, such as --targets ${arg}`,
    );
  }
  const eq = arg.indexOf('=');
  const name = arg.slice(2, eq >= 0 ? eq : undefined);
  if (!KNOWN.has(name) && !OWN.has(name))
    throw new UsageError(`unknown flag --${name} (see --help)`);
  if (eq >= 0) return { name, value: arg.slice(eq + 1), last: i };
  const next = argv[i + 1];
  if (next === undefined || (next.startsWith('--') && next.length > 2)) {
    throw new UsageError(`--${name} needs a value`);
  }
  return { name, value: next, last: i + 1 };
}

/** --format and --state. */
function setOwn(options: Options, name: string, value: string): void {
  if (name === 'format') {
    if (!(FORMATS as readonly string[]).includes(value)) {
      throw new UsageError(`--format ${value}: use one of ${FORMATS.join(', ')}`);
    }
    options.format = value as Format;
  } else {
    if (value.trim() === '') throw new UsageError('--state needs a file name');
    options.state = value;
  }
}

export function usage(version: string): string {
  const width = Math.max(...INPUTS.map((i) => i.name.length)) + 4;
  const lines = INPUTS.map((i) => {
    const byDefault = 'cli' in i ? i.cli : i.default;
    return `  --${i.name.padEnd(width - 2)}${i.help}${byDefault ? ` (default: ${byDefault})` : ''}`;
  });
  return [
    `port-drift ${version}: port-scan your own hosts from the outside with nmap, and exit 1 when what`,
    'is reachable drifts from what you declared. The same engine and inputs as the GitHub Action.',
    '',
    'Usage: port-drift --targets HOSTS --expected "PATTERN: PORTS" [--expected ...] [flags]',
    '',
    'Flags (each input of the action, as --name value or --name=value):',
    ...lines,
    '',
    'Output (stdout carries the result; progress and warnings go to stderr):',
    '  --format FORMAT   text (default: aligned plain text), markdown (the job summary) or json',
    '                    (report.json, for jq)',
    '  --state FILE      Keep the last result in FILE, so --notify change tells Slack of new,',
    '                    changed and resolved drift only, from cron as in Actions (one run',
    '                    at a time: an overlapping run waits up to 60 s for FILE.lock)',
    '  -v, --verbose     Progress on stderr (the default when stderr is a terminal)',
    '  -q, --quiet       Nothing but errors, and the result when there is drift',
    '  -h, --help        This help',
    '  -V, --version     The version',
    '',
    'Exit codes: 0 no drift that fails (fail-on), 1 drift, 2 bad flags or inputs, 3 the scan failed.',
    '',
    'Example:',
    "  port-drift --targets web.example.com --expected 'web.example.com: 80, 443' --ports top-100",
  ].join('\n');
}
