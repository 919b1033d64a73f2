// The command line (`port-drift`), for hosts outside GitHub Actions such as a cron job on a bastion:
// flags become the INPUT_* variables a runner would set, and the action's own run() does the work.
// Outside a runner, the workflow commands it prints become plain `error:`/`warning:` lines.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  INPUTS,
  inputVariable,
  parseArgs,
  plainLine,
  usage,
  UsageError,
  type Command,
} from './cli/args.js';
import { run, type Outcome } from './main.js';
import { VERSION } from './version.js';

const EXIT: Record<Outcome, number> = { pass: 0, drift: 1, 'configuration-error': 2, failure: 3 };

/** Sends what @actions/core writes to stdout through plainLine, line by line. */
function plainOutput(debug: boolean): void {
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  let pending = '';
  process.stdout.write = (chunk: string | Uint8Array): boolean => {
    pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const lines = pending.split(/\r?\n/);
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const plain = plainLine(line, debug);
      if (plain) (plain.stream === 'stderr' ? writeErr : write)(`${plain.text}\n`);
    }
    return true;
  };
}

async function main(argv: readonly string[]): Promise<number> {
  let command: Command;
  try {
    command = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    return EXIT['configuration-error'];
  }
  if (command.kind === 'help') {
    process.stdout.write(`${usage(VERSION)}\n`);
    return 0;
  }
  if (command.kind === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }

  // Only the flags given count: INPUT_* variables left in the environment are not inputs here.
  for (const input of INPUTS) delete process.env[inputVariable(input.name)];
  // A command on someone's host does not install system packages unless asked to.
  const inputs = { 'install-nmap': 'false', ...command.inputs };
  for (const [name, value] of Object.entries(inputs)) process.env[inputVariable(name)] = value;
  if (process.env['GITHUB_ACTIONS'] !== 'true') plainOutput(process.env['RUNNER_DEBUG'] === '1');
  // Outputs go to a file, as on a runner, rather than into the terminal as set-output commands.
  const scratch = process.env['GITHUB_OUTPUT']
    ? undefined
    : mkdtempSync(join(tmpdir(), 'port-drift-cli-'));
  if (scratch) {
    process.env['GITHUB_OUTPUT'] = join(scratch, 'outputs');
    writeFileSync(process.env['GITHUB_OUTPUT'], '');
  }
  try {
    return EXIT[await run()];
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

process.exitCode = await main(process.argv.slice(2));
