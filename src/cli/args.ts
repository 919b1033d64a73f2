// The command line's grammar: every input of action.yml as a `--name value` flag, and the plain-text
// form of the workflow commands @actions/core prints, for a terminal that is not a runner. Pure.

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
  { name: 'mode', default: 'check', help: 'check, record or merge' },
  { name: 'shard', default: '', help: 'i/n: scan only this share of the addresses' },
  { name: 'results', default: '', help: 'With --mode merge: glob of shard report.json files' },
  { name: 'xml', default: '', help: 'Glob of nmap XML files to compare instead of scanning' },
  {
    name: 'report-dir',
    default: '$TMPDIR/port-drift',
    help: 'Where report.json and report.sarif go',
  },
  { name: 'install-nmap', default: 'false', help: 'Install nmap with apt-get/brew when missing' },
];

/** Inputs that are lists: giving the flag again adds a line, as a YAML block would. */
const REPEATABLE = new Set(['targets', 'expected', 'xml']);

export type Command =
  { kind: 'help' } | { kind: 'version' } | { kind: 'run'; inputs: Record<string, string> };

export function parseArgs(argv: readonly string[]): Command {
  const known = new Set(INPUTS.map((i) => i.name));
  const inputs: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '-V' || arg === '--version') return { kind: 'version' };
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
    if (!known.has(name)) throw new UsageError(`unknown flag --${name} (see --help)`);
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
    if (name in inputs && !REPEATABLE.has(name)) {
      throw new UsageError(`--${name} is given twice`);
    }
    inputs[name] = name in inputs ? `${inputs[name]}\n${value}` : value;
  }
  return { kind: 'run', inputs };
}

/** The environment variable the runner would set for an input (what @actions/core reads). */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
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
    '  -h, --help        This help',
    '  -V, --version     The version',
    '',
    'Exit codes: 0 no drift that fails (fail-on), 1 drift, 2 bad flags or inputs, 3 the scan failed.',
    '',
    'Example:',
    "  port-drift --targets web.example.com --expected 'web.example.com: 80, 443' --ports top-100",
  ].join('\n');
}

function unescape(text: string): string {
  return text
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');
}

/**
 * A line @actions/core printed, as a terminal user should see it: `::error::x` becomes `error: x`
 * on stderr, groups become headings, debug output and masks disappear. Other lines pass unchanged.
 */
export function plainLine(
  line: string,
  debug: boolean,
): { stream: 'stdout' | 'stderr'; text: string } | null {
  const m = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line);
  if (!m) return { stream: 'stdout', text: line };
  const [, command, data = ''] = m;
  switch (command) {
    case 'error':
    case 'warning':
      return { stream: 'stderr', text: `${command}: ${unescape(data)}` };
    case 'notice':
      return { stream: 'stdout', text: `notice: ${unescape(data)}` };
    case 'group':
      return { stream: 'stdout', text: `== ${unescape(data)}` };
    case 'debug':
      return debug ? { stream: 'stderr', text: `debug: ${unescape(data)}` } : null;
    default:
      // endgroup, add-mask, set-output, echo and the like mean nothing in a terminal.
      return null;
  }
}
