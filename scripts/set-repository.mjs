#!/usr/bin/env node
// `node scripts/set-repository.mjs OWNER/NAME`: names the GitHub repository port-drift is published
// from. The slug lives in one place, REPOSITORY in src/base/project.ts (the recorded policy's schema URL
// is built from it); the `uses:` lines of README.md and docs/reference.md, the README's `npm install
// github:` line, the schema URL in docs/reference.md and policy.schema.json's `$id` are copies that
// users read or editors fetch, so this rewrites them too. Running it again with the same slug changes nothing.
//
// Run it once in a new repository (or a fork), then `npm run build` (dist/ bundles src/base/project.ts)
// and commit. The release workflow runs it with the repository it runs in and fails when that
// changes any tracked file: a release must never name another repository, or the placeholder.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// GitHub's own rules: an owner is letters, digits and single hyphens; a name adds `.` and `_`.
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const NAME = /^[A-Za-z0-9._-]{1,100}$/;
const SLUG = String.raw`[A-Za-z0-9-]+/[A-Za-z0-9._-]+`;

/**
 * Every place the slug is written, as a pattern that matches the slug alone. Each must match at
 * least once: a spot that was reworded would otherwise be skipped in silence.
 */
export const SPOTS = [
  {
    file: 'src/base/project.ts',
    what: 'REPOSITORY',
    pattern: new RegExp(String.raw`(?<=^export const REPOSITORY = ')${SLUG}(?=';$)`, 'gm'),
  },
  {
    file: 'policy.schema.json',
    what: '$id',
    pattern: new RegExp(
      String.raw`(?<="\$id": "https://raw\.githubusercontent\.com/)${SLUG}(?=/v1/policy\.schema\.json")`,
      'g',
    ),
  },
  {
    // Every action a README example uses is this one, except GitHub's own (actions/, github/).
    file: 'README.md',
    what: 'uses:',
    pattern: new RegExp(String.raw`(?<=uses: )(?!actions/|github/)${SLUG}(?=@)`, 'g'),
  },
  {
    file: 'README.md',
    what: 'npm install github:',
    pattern: new RegExp(String.raw`(?<=github:)${SLUG}`, 'g'),
  },
  {
    file: 'docs/reference.md',
    what: 'uses:',
    pattern: new RegExp(String.raw`(?<=uses: )(?!actions/|github/)${SLUG}(?=@)`, 'g'),
  },
  {
    file: 'docs/reference.md',
    what: 'schema URL',
    pattern: new RegExp(
      String.raw`(?<=raw\.githubusercontent\.com/)${SLUG}(?=/v1/policy\.schema\.json)`,
      'g',
    ),
  },
];

/** Why `slug` is not a GitHub repository's OWNER/NAME, or undefined when it is one. */
export function invalidSlug(slug) {
  const [owner = '', name = '', ...rest] = slug.split('/');
  if (rest.length > 0 || !OWNER.test(owner) || !NAME.test(name) || name === '.' || name === '..') {
    return `'${slug}' is not OWNER/NAME`;
  }
  return undefined;
}

/** Every slug written in the spots under `root`: { file, what, slug }, spot by spot. */
export function findSlugs(root) {
  return SPOTS.flatMap(({ file, what, pattern }) => {
    const text = readFileSync(join(root, file), 'utf8');
    return [...text.matchAll(pattern)].map((m) => ({ file, what, slug: m[0] }));
  });
}

/** Writes `slug` into every spot under `root`; returns the files it changed. */
export function setRepository(root, slug) {
  const problem = invalidSlug(slug);
  if (problem) throw new Error(problem);
  const texts = new Map();
  for (const { file, what, pattern } of SPOTS) {
    const text = texts.get(file) ?? readFileSync(join(root, file), 'utf8');
    if (text.search(pattern) < 0)
      throw new Error(`${file}: no ${what} to rewrite (was it reworded?)`);
    texts.set(
      file,
      text.replace(pattern, () => slug),
    );
  }
  const changed = [];
  for (const [file, text] of texts) {
    if (text === readFileSync(join(root, file), 'utf8')) continue;
    writeFileSync(join(root, file), text);
    changed.push(file);
  }
  return changed;
}

function main(argv) {
  const [slug, ...extra] = argv;
  if (slug === undefined || extra.length > 0) {
    process.stderr.write('usage: node scripts/set-repository.mjs OWNER/NAME\n');
    return 2;
  }
  const problem = invalidSlug(slug);
  if (problem) {
    process.stderr.write(
      `${problem}: give the repository as GitHub spells it, e.g. acme/port-drift\n`,
    );
    return 2;
  }
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  let changed;
  try {
    changed = setRepository(root, slug);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  if (changed.length === 0) process.stdout.write(`Every spot already names ${slug}.\n`);
  for (const file of changed) process.stdout.write(`${file}: now names ${slug}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
