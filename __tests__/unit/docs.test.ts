// The README is what users read: its tables must say what action.yml and the code do.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { parsePolicy } from '../../src/policy.js';
import { EXPOSED_SERVICES } from '../../src/ports.js';
import { repoRoot } from '../helpers/paths.js';

interface ActionYml {
  inputs: Record<string, { default?: string; description: string }>;
  outputs: Record<string, { description: string }>;
}

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const action = parse(readFileSync(join(repoRoot, 'action.yml'), 'utf8')) as ActionYml;

/** The first column of the table under a `## heading`, with the second column beside it. */
function tableUnder(heading: string): Map<string, string> {
  const section = readme.split(/^## /m).find((s) => s.startsWith(`${heading}\n`)) ?? '';
  const rows = section.split('\n').filter((l) => /^\| `[^`]+`\s+\|/.test(l));
  return new Map(
    rows.map((row) => {
      const cells = row.split(/\s\|\s/);
      return [/`([^`]+)`/.exec(cells[0] ?? '')?.[1] ?? '', (cells[1] ?? '').trim()];
    }),
  );
}

describe('README', () => {
  it('lists every input of action.yml, and no other, with the same default', () => {
    const table = tableUnder('Inputs');
    assert.deepEqual([...table.keys()].sort(), Object.keys(action.inputs).sort());
    for (const [name, input] of Object.entries(action.inputs)) {
      const shown = table.get(name) ?? '';
      const want = input.default ?? '';
      if (name === 'name' || name === 'report-dir') continue; // computed defaults, explained in words
      assert.equal(shown, `\`${want === '' ? "''" : want}\``, `default of ${name}`);
    }
  });

  it('lists every output of action.yml, and no other', () => {
    assert.deepEqual([...tableUnder('Outputs').keys()].sort(), Object.keys(action.outputs).sort());
  });

  it('lists exactly the built-in exposed services that ports: default adds', () => {
    const block =
      /<!-- exposed-services:start -->([\s\S]*?)<!-- exposed-services:end -->/.exec(readme)?.[1] ??
      '';
    const rows = [...block.matchAll(/^\| (\d+)\s+\| (.+?)\s*\|$/gm)].map((m) => [
      Number(m[1]),
      m[2],
    ]);
    assert.deepEqual(
      rows,
      EXPOSED_SERVICES.map((s) => [s.port, s.service]),
    );
  });

  it('gives a newcomer the demo and the test command on its first screen', () => {
    const firstScreen = readme.split('\n').slice(0, 15).join('\n');
    assert.match(firstScreen, /npm ci && npm run demo/);
    assert.match(firstScreen, /npm test/);
  });

  it('shows a policy file example that port-drift reads', () => {
    const section = readme.split(/^## /m).find((x) => x.startsWith('Policy file\n')) ?? '';
    const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const policy = parsePolicy(example, 'README example');
    assert.ok(policy.targets.length >= 4 && policy.rules.length >= 5);
  });
});
