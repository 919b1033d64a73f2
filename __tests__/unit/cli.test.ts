// The command line's flags are the action's inputs, and its output reads as plain text in a terminal.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { INPUTS, inputVariable, parseArgs, plainLine, UsageError } from '../../src/cli/args.js';
import { VERSION } from '../../src/version.js';
import { repoRoot } from '../helpers/paths.js';

const action = parse(readFileSync(join(repoRoot, 'action.yml'), 'utf8')) as {
  inputs: Record<string, unknown>;
};

describe('command line', () => {
  it('has a flag for every input of action.yml, and no other', () => {
    assert.deepEqual(
      INPUTS.map((i) => i.name),
      Object.keys(action.inputs),
    );
  });

  it('shows the version package.json has', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      version: string;
      bin: Record<string, string>;
    };
    assert.equal(VERSION, pkg.version);
    assert.deepEqual(pkg.bin, { 'port-drift': 'bin/port-drift.js' });
  });

  it('reads --name value and --name=value; repeated --targets and --expected add lines', () => {
    const cmd = parseArgs([
      '--targets',
      '203.0.113.5',
      '--targets=web.example.com',
      '--expected',
      '203.0.113.5: 22',
      '--expected',
      'web.example.com: 443',
      '--fail-on=missing',
      '--name=--weird but allowed',
    ]);
    assert.deepEqual(cmd, {
      kind: 'run',
      inputs: {
        targets: '203.0.113.5\nweb.example.com',
        expected: '203.0.113.5: 22\nweb.example.com: 443',
        'fail-on': 'missing',
        name: '--weird but allowed',
      },
    });
    assert.equal(inputVariable('report-dir'), 'INPUT_REPORT-DIR');
    assert.deepEqual(parseArgs(['--targets', 'x', '--help']), { kind: 'help' });
    assert.deepEqual(parseArgs(['-V']), { kind: 'version' });
  });

  it('refuses unknown flags, missing values, stray arguments and scalars given twice', () => {
    for (const [argv, words] of [
      [['--target', 'x'], /unknown flag --target/],
      [['-t', 'x'], /unknown flag -t: flags are long/],
      [['--targets'], /--targets needs a value/],
      [['--targets', '--ports', '22'], /--targets needs a value/],
      [['203.0.113.5'], /unexpected argument '203\.0\.113\.5'.*--targets 203\.0\.113\.5/],
      [['--ports', '22', '--ports', '80'], /--ports is given twice/],
    ] as const) {
      assert.throws(
        () => parseArgs(argv),
        (e: unknown) => e instanceof UsageError && words.test(e.message),
      );
    }
  });

  it('turns workflow commands into plain lines, errors and warnings on stderr', () => {
    assert.deepEqual(plainLine('::error::Drift: 1 missing.%0Asecond line', false), {
      stream: 'stderr',
      text: 'error: Drift: 1 missing.\nsecond line',
    });
    assert.deepEqual(plainLine('::warning title=x::100%25 sure', false), {
      stream: 'stderr',
      text: 'warning: 100% sure',
    });
    assert.deepEqual(plainLine('::group::Scan IPv4', false), {
      stream: 'stdout',
      text: '== Scan IPv4',
    });
    assert.equal(plainLine('::endgroup::', false), null);
    assert.equal(plainLine('::add-mask::secret', false), null);
    assert.equal(plainLine('::debug::stack', false), null);
    assert.deepEqual(plainLine('| `a` | b |', false), { stream: 'stdout', text: '| `a` | b |' });
  });
});
