// The command line (`port-drift`), for hosts outside GitHub Actions such as a cron job on a bastion:
// flags -> settings -> the same job as the action (job.ts) -> the result on stdout in the format
// asked for -> notifications -> an exit code. Progress and warnings go to stderr; stdout carries the
// result only, so that cron mails what matters and `--format json | jq` works.
import { isAbsolute, join } from 'node:path';
import {
  CANCELLED_NOTIFYING,
  cancellable,
  failureOf,
  runJob,
  type JobResult,
  type Outcome,
} from '../run/job.js';
import { closeRun } from '../run/close.js';
import type { Logger } from '../base/log.js';
import {
  parseArgs,
  usage,
  UsageError,
  type Command,
  type Options,
  type Verbosity,
} from './args.js';
import type { StateStore } from '../memory/state.js';
import { FileStateStore } from '../memory/state-file.js';
import { productionLogLine } from '../github/production.js';
import { oneLine } from '../base/markdown.js';
import { renderSummary, type Sections } from '../report/summary.js';
import { renderText } from '../report/text.js';
import {
  acceptFormOf,
  readSettings,
  type InputSource,
  type Settings,
} from '../settings/settings.js';
import { VERSION } from '../base/version.js';
import { cliDefault } from '../settings/inputs.js';

const EXIT: Record<Outcome, number> = { pass: 0, drift: 1, 'configuration-error': 2, failure: 3 };

/**
 * stdout and stderr, with every secret read from the flags replaced by `***`. stdout is the
 * result's alone: nothing this command runs writes there (nmap's installer logs through the Logger,
 * user files are globbed by a library that prints nothing), so cron mails what matters.
 */
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

  /** Calls `done` once what was written to stdout and stderr is flushed. */
  flushed(done: () => void): void {
    process.stdout.write('', () => process.stderr.write('', done));
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

/**
 * Where the reports go when --report-dir is not given: the user's own state folder
 * (`$XDG_STATE_HOME/port-drift`, else `~/.local/state/port-drift`), not a folder in a /tmp that every
 * user shares, which another user could have made first (and then own) or point elsewhere.
 */
export function defaultReportDir(env: NodeJS.ProcessEnv): string | undefined {
  const state = env['XDG_STATE_HOME'] || (env['HOME'] ? join(env['HOME'], '.local', 'state') : '');
  return state && isAbsolute(state) ? join(state, 'port-drift') : undefined;
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

function render(
  result: JobResult,
  format: Options['format'],
  sections: Sections,
  acceptForm: 'expected' | 'policy',
): string {
  switch (format) {
    case 'json':
      return JSON.stringify(result.report, null, 2);
    case 'markdown':
      return renderSummary(result.report, result.paths.report, {
        sarifPath: result.paths.sarif,
        sections,
        acceptForm,
      });
    case 'text':
      return renderText(result.report, result.paths.report);
  }
}

async function runCommand(
  command: Extract<Command, { kind: 'run' }>,
  terminal: Terminal,
): Promise<Outcome> {
  const { options } = command;
  const verbosity = options.verbosity ?? (process.stderr.isTTY ? 'verbose' : 'normal');
  const log = terminalLogger(terminal, verbosity, process.env['RUNNER_DEBUG'] === '1');
  const fail = (error: unknown): Outcome => {
    const failure = failureOf(error);
    if (failure.stack) log.debug(failure.stack);
    terminal.err(`error: ${oneLine(failure.message, 2000)}`);
    return failure.outcome;
  };
  let settings: Settings;
  try {
    const reportDir = defaultReportDir(process.env);
    const inputs = {
      // A command on someone's host does not install system packages unless asked to.
      'install-nmap': cliDefault('install-nmap'),
      ...(reportDir ? { 'report-dir': reportDir } : {}),
      ...secretsFromEnvironment(process.env),
      ...command.inputs,
    };
    settings = readSettings(flagSource(inputs, terminal));
  } catch (error) {
    return fail(error);
  }

  const late = (): void => {
    terminal.err('error: Cancelled before anything could be reported: no verdict on drift.');
    process.exit(EXIT.failure);
  };
  // From here on, SIGINT and SIGTERM end the run with the cancelled message and exit 3, whatever it
  // waits on: another run's lock, nmap, Slack or GitHub.
  return cancellable(log, late, async (signal) => {
    let store: FileStateStore | undefined;
    try {
      // One run per state file, checked before any scan: a run that cannot keep it never scans.
      if (options.state) {
        store = await FileStateStore.open(options.state, settings.name, log, { signal });
      }
      const result = await runJob(settings, { log, signal, startedAt: Date.now() });
      return await finish(
        { result, settings, options, store },
        { terminal, log, verbosity, signal },
      );
    } catch (error) {
      return fail(error);
    } finally {
      store?.close();
    }
  });
}

/** The result on stdout, the verdict's line, then the notifications: what a finished job comes to. */
async function finish(
  job: { result: JobResult; settings: Settings; options: Options; store?: FileStateStore },
  edge: { terminal: Terminal; log: Logger; verbosity: Verbosity; signal: AbortSignal },
): Promise<Outcome> {
  const { result, settings, options, store } = job;
  const { terminal, log, verbosity, signal } = edge;
  // Outside GitHub Actions the command line is the user's own schedule: it speaks for production.
  // Inside a workflow, the action's rule holds (production.ts).
  const { readRunContext } = await import('../github/context.js');
  const context = readRunContext(settings.name, log);
  const notProduction = productionLogLine(context.production);
  if (notProduction) log.info(notProduction);
  const { conclusion, notified } = await closeRun(
    { result, settings, context },
    {
      log,
      signal,
      // The --state file keeps the last runs: the chart of the Markdown output.
      ...(store ? { history: { store: () => Promise.resolve(store), run: '' } } : {}),
      state: () => Promise.resolve(stateStore(store, log)),
      show: (sections, concluded) => {
        const speaks = result.report.verdict.drift || concluded.outcome !== 'pass';
        if (verbosity !== 'quiet' || speaks)
          terminal.out(render(result, options.format, sections, acceptFormOf(settings)));
        if (concluded.level === 'error') terminal.err(`error: ${oneLine(concluded.message, 2000)}`);
        else if (concluded.level === 'warning') log.warning(concluded.message);
        return Promise.resolve();
      },
    },
  );
  if (notified !== 'skipped' && notified !== 'cancelled') {
    if (notified.issueUrl) log.info(`Issue: ${notified.issueUrl}`);
    return conclusion.outcome;
  }
  if (!signal.aborted || conclusion.outcome === 'failure') return conclusion.outcome;
  terminal.err(`error: ${CANCELLED_NOTIFYING}`);
  return 'failure';
}

async function main(argv: readonly string[], terminal: Terminal): Promise<number> {
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

const terminal = new Terminal();
process.exitCode = await main(process.argv.slice(2), terminal);
// The run is over. A service that never answered (a hung Slack or GitHub socket) must not hold a
// cron job: once what was written is flushed, exit.
terminal.flushed(() => process.exit());
