// The README and docs/ are what users read: the reference's tables must say what action.yml and the
// code do, and every link between the pages must lead somewhere.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { parsePolicy } from '../../src/settings/policy.js';
import { EXPOSED_SERVICES } from '../../src/settings/ports.js';
import { repoRoot } from '../helpers/paths.js';

interface ActionYml {
  inputs: Record<string, { default?: string; description: string }>;
  outputs: Record<string, { description: string }>;
}

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const reference = readFileSync(join(repoRoot, 'docs/reference.md'), 'utf8');
const action = parse(readFileSync(join(repoRoot, 'action.yml'), 'utf8')) as ActionYml;

/** The first column of the table under a `## heading`, with the second column beside it. */
function tableUnder(heading: string): Map<string, string> {
  const section = reference.split(/^## /m).find((s) => s.startsWith(`${heading}\n`)) ?? '';
  const rows = section.split('\n').filter((l) => /^\| `[^`]+`\s+\|/.test(l));
  return new Map(
    rows.map((row) => {
      const cells = row.split(/\s\|\s/);
      return [/`([^`]+)`/.exec(cells[0] ?? '')?.[1] ?? '', (cells[1] ?? '').trim()];
    }),
  );
}

describe('README and docs/', () => {
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
      /<!-- exposed-services:start -->([\s\S]*?)<!-- exposed-services:end -->/.exec(
        reference,
      )?.[1] ?? '';
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
    const section = reference.split(/^## /m).find((x) => x.startsWith('Policy file\n')) ?? '';
    const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const policy = parsePolicy(example, 'README example');
    assert.ok(policy.targets.length >= 4 && policy.rules.length >= 5);
  });

  it('has no link between its pages that leads nowhere: every file and every #anchor exists', () => {
    const pages = [
      'README.md',
      'SECURITY.md',
      'CHANGELOG.md',
      ...readdirSync(join(repoRoot, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
    ];
    /** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
    const anchorOf = (heading: string): string =>
      heading
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\- _]/gu, '')
        .replace(/ /g, '-');
    const anchors = (file: string): Set<string> =>
      new Set(
        [...readFileSync(file, 'utf8').matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
          anchorOf(m[1] ?? ''),
        ),
      );
    const broken: string[] = [];
    let checked = 0;
    for (const page of pages) {
      const text = readFileSync(join(repoRoot, page), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
        const [path = '', anchor] = target.split('#');
        const file =
          path === '' ? join(repoRoot, page) : resolve(dirname(join(repoRoot, page)), path);
        checked++;
        if (!existsSync(file)) broken.push(`${page}: ${target} (no ${relative(repoRoot, file)})`);
        else if (anchor && file.endsWith('.md') && !anchors(file).has(anchor)) {
          broken.push(`${page}: ${target} (no heading #${anchor})`);
        }
      }
    }
    assert.deepEqual(broken, []);
    assert.ok(checked > 30, `only ${checked} links checked: is the pattern still right?`);
  });

  it('keeps the README short: the reference lives in docs/', () => {
    assert.ok(
      Buffer.byteLength(readme) < 24_000,
      `README.md is ${Buffer.byteLength(readme)} bytes`,
    );
    for (const heading of ['Inputs', 'Outputs', 'Rules', 'Findings', 'How it scans']) {
      assert.doesNotMatch(readme, new RegExp(`^## ${heading}$`, 'm'), `## ${heading} in README.md`);
    }
  });
});
