// The command line (`port-drift`), for hosts outside GitHub Actions such as a cron job on a bastion:
// flags -> settings -> the same job as the action (job.ts) -> the result on stdout in the format
// asked for -> notifications -> an exit code. Progress and warnings go to stderr; stdout carries the
// result only, so that cron mails what matters and `--format json | jq` works.
import { getErrorMessage } from './errors.js';
import { cancellable, conclude, failureOf, runJob, type JobResult, type Outcome } from './job.js';
import type { Logger } from './log.js';
import {
  parseArgs,
  usage,
  UsageError,
  type Command,
  type Options,
  type Verbosity,
} from './cli/args.js';
import type { StateStore } from './notify/state.js';
import { FileStateStore } from './notify/state-file.js';
import { oneLine } from './report/markdown.js';
import { renderSummary } from './report/summary.js';
import { renderText } from './report/text.js';
import { readSettings, type InputSource, type Settings } from './settings.js';
import { VERSION } from './version.js';

const EXIT: Record<Outcome, number> = { pass: 0, drift: 1, 'configuration-error': 2, failure: 3 };

/** stdout and stderr, with every secret read from the flags replaced by `***`. */
class Terminal {
  private readonly secrets: string[] = [];

  mask(secret: string): void {
    if (secret) this.secrets.push(secret);
  }

  private masked(text: string): string {
    return this.secrets.reduce((t, secret) => t.split(secret).join('***'), text);
  }

  out(text: string): void {
    process.stdout.write(this.masked(text.endsWith('\n') ? text : `${text}\n`));
  }

  err(line: string): void {
    process.stderr.write(`${this.masked(line)}\n`);
  }
}

/** The log of the engine and the job, by verbosity; errors are the command line's own to print. */
function terminalLogger(terminal: Terminal, verbosity: Verbosity, debug: boolean): Logger {
  const progress = verbosity === 'verbose';
  return {
    info: (m) => progress && terminal.err(m),
    warning: (m) => verbosity !== 'quiet' && terminal.err(`warning: ${m}`),
    debug: (m) => debug && terminal.err(`debug: ${m}`),
    group: async (name, fn) => {
      if (progress) terminal.err(`== ${name}`);
      return fn();
    },
  };
}

/** YAML 1.2 booleans, as @actions/core reads them from a workflow. */
const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

/** The flags as the inputs the settings read; secrets go to the terminal's mask. */
function flagSource(inputs: Readonly<Record<string, string>>, terminal: Terminal): InputSource {
  const getInput = (name: string): string => inputs[name] ?? '';
  return {
    getInput,
    getBooleanInput: (name) => {
      const value = getInput(name).trim();
      if (TRUE.includes(value)) return true;
      if (FALSE.includes(value)) return false;
      throw new TypeError(`--${name}: '${value}' is not true or false`);
    },
    setSecret: (secret) => terminal.mask(secret),
  };
}

/**
 * Secrets may come from the environment instead of flags: a command's argv is visible to every
 * user of the host (`ps`), its environment is not. A flag, when given, wins.
 */
export const SECRET_VARIABLES: Readonly<Record<string, string>> = {
  'github-token': 'PORT_DRIFT_GITHUB_TOKEN',
  'slack-webhook-url': 'PORT_DRIFT_SLACK_WEBHOOK_URL',
};

function secretsFromEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [input, variable] of Object.entries(SECRET_VARIABLES)) {
    const value = env[variable];
    if (value) found[input] = value;
  }
  return found;
}

/** Where the last state lives for the command line: the --state file, or nowhere. */
function stateStore(store: FileStateStore | undefined, log: Logger): StateStore {
  if (store) return store;
  return {
    load: () => {
      log.info(
        'No --state file: there is no last state, so Slack treats the drift as new. Give --state FILE to hear only of changes.',
      );
      return Promise.resolve(undefined);
    },
    save: () => Promise.resolve('failed'),
  };
}

function render(result: JobResult, format: Options['format']): string {
  switch (format) {
    case 'json':
      return JSON.stringify(result.report, null, 2);
    case 'markdown':
      return renderSummary(result.report, result.paths.report, { sarifPath: result.paths.sarif });
    case 'text':
      return renderText(result.report, result.paths.report);
  }
}

async function notifyAll(
  settings: Settings,
  result: JobResult,
  store: FileStateStore | undefined,
  log: Logger,
): Promise<void> {
  try {
    const { notify, wanted } = await import('./notify/notify.js');
    if (!wanted(settings)) return;
    const { readRunContext } = await import('./run-context.js');
    const { report } = result;
    const notified = await notify(
      {
        settings,
        verdict: report.verdict,
        findings: report.findings,
        addresses: report.scanned.addresses,
        nmapFailed: Boolean(report.failure),
      },
      readRunContext(settings.name, log),
      { log, state: () => Promise.resolve(stateStore(store, log)) },
    );
    if (notified.issueUrl) log.info(`Issue: ${notified.issueUrl}`);
  } catch (error) {
    log.warning(`Notifications failed: ${getErrorMessage(error)}`);
  }
}

async function runCommand(
  command: Extract<Command, { kind: 'run' }>,
  terminal: Terminal,
): Promise<Outcome> {
  const { options } = command;
  const verbosity = options.verbosity ?? (process.stderr.isTTY ? 'verbose' : 'normal');
  const log = terminalLogger(terminal, verbosity, process.env['RUNNER_DEBUG'] === '1');
  let settings: Settings;
  let store: FileStateStore | undefined;
  try {
    // A command on someone's host does not install system packages unless asked to.
    const inputs = {
      'install-nmap': 'false',
      ...secretsFromEnvironment(process.env),
      ...command.inputs,
    };
    settings = readSettings(flagSource(inputs, terminal));
    if (options.state) store = FileStateStore.open(options.state, settings.name, log);
  } catch (error) {
    const failure = failureOf(error);
    terminal.err(`error: ${oneLine(failure.message, 2000)}`);
    return failure.outcome;
  }
  if (options.state && !settings.slackWebhookUrl) {
    log.warning(
      '--state keeps the last result that Slack notifications compare with; without --slack-webhook-url nothing reads it.',
    );
  }

  const late = (): void => {
    terminal.err('error: Cancelled before anything could be reported: no verdict on drift.');
    process.exit(EXIT.failure);
  };
  let result: JobResult;
  try {
    result = await cancellable(log, late, (signal) =>
      runJob(settings, { log, signal, startedAt: Date.now() }),
    );
  } catch (error) {
    const failure = failureOf(error);
    if (failure.stack) log.debug(failure.stack);
    terminal.err(`error: ${oneLine(failure.message, 2000)}`);
    return failure.outcome;
  }

  const conclusion = conclude(result.report, settings);
  const speaks = result.report.verdict.drift || conclusion.outcome !== 'pass';
  if (verbosity !== 'quiet' || speaks) terminal.out(render(result, options.format));
  if (conclusion.level === 'error') terminal.err(`error: ${oneLine(conclusion.message, 2000)}`);
  else if (conclusion.level === 'warning') log.warning(conclusion.message);
  if (conclusion.notify) await notifyAll(settings, result, store, log);
  return conclusion.outcome;
}

async function main(argv: readonly string[]): Promise<number> {
  const terminal = new Terminal();
  let command: Command;
  try {
    command = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    terminal.err(`error: ${error.message}`);
    return EXIT['configuration-error'];
  }
  if (command.kind === 'help') {
    terminal.out(usage(VERSION));
    return 0;
  }
  if (command.kind === 'version') {
    terminal.out(VERSION);
    return 0;
  }
  return EXIT[await runCommand(command, terminal)];
}

process.exitCode = await main(process.argv.slice(2));
// The run is over. A service that never answered (a hung Slack or GitHub socket) must not hold a
// cron job: once what was written is flushed, exit.
process.stdout.write('', () => process.stderr.write('', () => process.exit()));
