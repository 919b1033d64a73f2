// Every input of action.yml in one table: its name, its default there (what the settings take when
// the input is empty, as outside a runner), the command line's own default where it differs, and a
// line of help for --help. A unit test holds the table to action.yml, name for name and default for
// default.

export interface InputSpec {
  readonly name: string;
  /** action.yml's default; settings.ts takes it for an empty input. */
  readonly default: string;
  /** The command line's default, where it differs from the action's. */
  readonly cli?: string;
  readonly help: string;
}

export const INPUTS = [
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
  {
    name: 'tls-check',
    default: 'marked',
    help: 'marked: certificates of ports marked (tls); all: of every allowed port speaking TLS',
  },
  { name: 'tls-expiry', default: '14d', help: 'A certificate ending within this many days warns' },
  // Empty: the policy file's name, else the workflow's, else `port-drift`.
  { name: 'name', default: '', cli: 'port-drift', help: 'Names this policy in the reports' },
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
  // The runner's own token; the command line has none unless given.
  { name: 'github-token', default: '${{ github.token }}', cli: '', help: 'Token for the issue' },
  { name: 'slack-webhook-url', default: '', help: 'Slack incoming webhook URL' },
  { name: 'notify', default: 'change', help: 'change or always: when Slack hears of drift' },
  {
    name: 'slack-on-non-production',
    default: 'false',
    help: 'In a workflow: Slack hears of pull requests and other branches too',
  },
  { name: 'mode', default: 'check', help: 'check, record or merge' },
  {
    name: 'record-services',
    default: 'false',
    help: 'With --mode record: pin the service found on each open port',
  },
  { name: 'shard', default: '', help: 'i/n: scan only this share of the addresses' },
  {
    name: 'results',
    default: '',
    help: 'With --mode merge: glob of report.json files of shards or vantages',
  },
  { name: 'xml', default: '', help: 'Glob of nmap XML files to compare instead of scanning' },
  {
    name: 'artifact',
    // The command line has no workflow run to keep an artifact in.
    default: 'true',
    cli: 'false',
    help: 'In a workflow: the reports as one artifact: true (port-drift-NAME), a name, or false',
  },
  {
    name: 'artifact-retention-days',
    default: '',
    help: "Days the artifact is kept (1-400); empty: the repository's setting",
  },
  {
    name: 'report-dir',
    // Empty: $RUNNER_TEMP/port-drift. The command line's: the user's state folder (cli/index.ts).
    default: '',
    cli: '~/.local/state/port-drift',
    help: 'Where report.json and report.sarif go',
  },
  {
    name: 'install-nmap',
    default: 'true',
    // A command on someone's host does not install system packages unless asked to.
    cli: 'false',
    help: 'Install nmap with apt-get/brew when missing',
  },
] as const satisfies readonly InputSpec[];

export type InputName = (typeof INPUTS)[number]['name'];

const DEFAULTS = new Map<string, string>(INPUTS.map((i) => [i.name, i.default]));

/** action.yml's default of an input. */
export function inputDefault(name: InputName): string {
  return DEFAULTS.get(name) ?? '';
}

/** The command line's default of an input: its own where it has one, else action.yml's. */
export function cliDefault(name: InputName): string {
  const spec: InputSpec | undefined = INPUTS.find((i) => i.name === name);
  return spec?.cli ?? spec?.default ?? '';
}
