// Where things are, whether a test runs from build/__tests__ (compiled) or is read as source.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(resolve(dir, 'action.yml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no action.yml above ${start}`);
    dir = up;
  }
  return dir;
}

export const repoRoot = findRoot(dirname(fileURLToPath(import.meta.url)));
export const fixturesDir = resolve(repoRoot, '__tests__/fixtures');
export const distEntry = resolve(repoRoot, 'dist/index.js');
/** ../shared beside the checkout: present in CI and for developers, absent in a user's clone. */
export const sharedDir = resolve(repoRoot, '../shared');
export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
