// The command line's flags are the action's inputs, and its output reads as plain text in a terminal.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { INPUTS, parseArgs, UsageError } from '../../src/cli/args.js';
import { VERSION } from '../../src/base/version.js';
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
      options: { format: 'text' },
    });
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

  it('reads its own flags: --format, --state, -v and -q', () => {
    assert.deepEqual(
      parseArgs(['--targets', 'x', '--format', 'json', '--state=/var/lib/pd/state.json', '-q']),
      {
        kind: 'run',
        inputs: { targets: 'x' },
        options: { format: 'json', state: '/var/lib/pd/state.json', verbosity: 'quiet' },
      },
    );
    assert.deepEqual(parseArgs(['--verbose', '--format=markdown']), {
      kind: 'run',
      inputs: {},
      options: { format: 'markdown', verbosity: 'verbose' },
    });
    for (const [argv, words] of [
      [['--format', 'yaml'], /--format yaml: use one of text, markdown, json/],
      [['--format', 'json', '--format', 'text'], /--format is given twice/],
      [['-q', '-v'], /-v and -q ask for opposite things/],
      [['--state', ''], /--state needs a file name/],
    ] as const) {
      assert.throws(
        () => parseArgs(argv),
        (e: unknown) => e instanceof UsageError && words.test(e.message),
      );
    }
  });
});
