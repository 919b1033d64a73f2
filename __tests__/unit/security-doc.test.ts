// SECURITY.md lists the hostile inputs and faults with the tests that hold them: every test file
// it names exists, and every test name it quotes is one the tests have.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';

const security = readFileSync(join(repoRoot, 'SECURITY.md'), 'utf8');
const tables = security.slice(security.indexOf('## Hostile inputs and faults'));
const sources = ['e2e', 'unit']
  .flatMap((dir) =>
    readdirSync(join(repoRoot, '__tests__', dir))
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => readFileSync(join(repoRoot, '__tests__', dir, f), 'utf8')),
  )
  .join('\n');

/** Code spans in the last cell of every table row. */
const quoted = tables
  .split('\n')
  .filter((l) => l.startsWith('| ') && !l.startsWith('|---'))
  .flatMap((l) => [...(l.split(' | ').at(-1) ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? ''));

describe('SECURITY.md', () => {
  it('names test files that exist', () => {
    const files = [...security.matchAll(/`(__tests__\/[^`]+\.test\.ts)`/g)].map((m) => m[1] ?? '');
    assert.ok(files.length >= 4, files.join(', '));
    for (const file of files) assert.ok(existsSync(join(repoRoot, file)), file);
  });

  it('quotes test names the tests have', () => {
    let checked = 0;
    for (const name of quoted) {
      if (name.includes('<') || name.endsWith('.ts')) continue;
      for (const part of name.split('...').map((p) => p.trim())) {
        if (part.length < 6) continue;
        assert.ok(sources.includes(part), `no test named '${part}'`);
        checked++;
      }
    }
    assert.ok(checked >= 25, `only ${checked} names checked`);
  });
});
