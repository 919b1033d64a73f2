// The command line's grammar: every input of action.yml as a `--name value` flag, plus the flags of
// the command line itself (output format, verbosity, the state file). Pure.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Every input of action.yml (a unit test keeps them in step), with its default and a line of help. */
export const INPUTS: readonly { name: string; default: string; help: string }[] = [
  {
    name: 'targets',
    default: '',
    help: 'Hostnames, IPs, CIDR blocks, comma-separated (repeatable)',
  },
  {
    name: 'expected',
    default: '',
    help: "A rule 'PATTERN: PORTS' (repeat the flag for each rule)",
  },
  { name: 'policy', default: '', help: 'Path to a YAML policy file' },
  { name: 'ports', default: 'default', help: 'TCP ports: default, all, top-N, or a list' },
  { name: 'udp-ports', default: '', help: 'UDP ports, same forms (needs root)' },
  { name: 'ip-version', default: 'both', help: 'both, 4 or 6' },
  { name: 'scan-type', default: 'auto', help: 'auto, syn or connect' },
  {
    name: 'fail-on',
    default: 'unexpected-open, missing, host-down',
    help: 'Drift kinds that exit 1, or none',
  },
  { name: 'scan-timeout', default: '20m', help: 'Budget for the whole scan (90s, 20m, 1h)' },
  { name: 'max-addresses', default: '4096', help: 'Upper bound on the addresses scanned' },
  { name: 'max-rate', default: '', help: 'Ceiling on packets per second; empty: pace to the path' },
  { name: 'name', default: 'port-drift', help: 'Names this policy in the reports' },
  {
    name: 'issue',
    default: 'false',
    help: 'Keep a GitHub issue (needs GITHUB_REPOSITORY and a token)',
  },
  { name: 'issue-labels', default: 'port-drift', help: 'Labels of that issue' },
  {
    name: 'pr-comment',
    default: 'true',
    help: 'Pull-request comment (only on pull_request events)',
  },
  { name: 'github-token', default: '', help: 'Token for the issue' },
  { name: 'slack-webhook-url', default: '', help: 'Slack incoming webhook URL' },
  { name: 'notify', default: 'change', help: 'change or always: when Slack hears of drift' },
  {
    name: 'slack-on-non-production',
    default: 'false',
    help: 'In a workflow: Slack hears of pull requests and other branches too',
  },
  { name: 'mode', default: 'check', help: 'check, record or merge' },
  { name: 'shard', default: '', help: 'i/n: scan only this share of the addresses' },
  { name: 'results', default: '', help: 'With --mode merge: glob of shard report.json files' },
  { name: 'xml', default: '', help: 'Glob of nmap XML files to compare instead of scanning' },
  {
    name: 'report-dir',
    default: '~/.local/state/port-drift',
    help: 'Where report.json and report.sarif go',
  },
  { name: 'install-nmap', default: 'false', help: 'Install nmap with apt-get/brew when missing' },
];

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
  const known = new Set(INPUTS.map((i) => i.name));
  const inputs: Record<string, string> = {};
  const options: Options = { format: 'text' };
  const own = new Set<string>();
  const setVerbosity = (flag: string, verbosity: Verbosity): void => {
    if (options.verbosity && options.verbosity !== verbosity) {
      throw new UsageError(
        `${flag} and ${verbosity === 'quiet' ? '-v' : '-q'} ask for opposite things: give one`,
      );
    }
    options.verbosity = verbosity;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '-V' || arg === '--version') return { kind: 'version' };
    if (arg === '-v' || arg === '--verbose') {
      setVerbosity(arg, 'verbose');
      continue;
    }
    if (arg === '-q' || arg === '--quiet') {
      setVerbosity(arg, 'quiet');
      continue;
    }
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
    if (!known.has(name) && !OWN.has(name))
      throw new UsageError(`unknown flag --${name} (see --help)`);
    let value: string;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new UsageError(`--${name} needs a value`);
      }
      value = next;
      i++;
    }
    if (OWN.has(name)) {
      if (own.has(name)) throw new UsageError(`--${name} is given twice`);
      own.add(name);
      if (name === 'format') {
        if (!(FORMATS as readonly string[]).includes(value)) {
          throw new UsageError(`--format ${value}: use one of ${FORMATS.join(', ')}`);
        }
        options.format = value as Format;
      } else {
        if (value.trim() === '') throw new UsageError('--state needs a file name');
        options.state = value;
      }
      continue;
    }
    if (name in inputs && !REPEATABLE.has(name)) {
      throw new UsageError(`--${name} is given twice`);
    }
    inputs[name] = name in inputs ? `${inputs[name]}\n${value}` : value;
  }
  return { kind: 'run', inputs, options };
}

export function usage(version: string): string {
  const width = Math.max(...INPUTS.map((i) => i.name.length)) + 4;
  const lines = INPUTS.map(
    (i) => `  --${i.name.padEnd(width - 2)}${i.help}${i.default ? ` (default: ${i.default})` : ''}`,
  );
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
