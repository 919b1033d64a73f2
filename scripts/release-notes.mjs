#!/usr/bin/env node
// `node scripts/release-notes.mjs v1.2.3`: the release workflow's gate and notes. It refuses a tag
// that is not vMAJOR.MINOR.PATCH (a `-pre.1` suffix allowed) or whose version is not package.json's,
// since the tag is what users pin and package.json is what the code reports; then prints the
// CHANGELOG.md section of that version, the release's notes, and refuses one missing or empty.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TAG = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$/;

/** Why `tag` may not release a package.json of `version`, or undefined when it may. */
export function tagProblem(tag, version) {
  if (!TAG.test(tag)) return `tag '${tag}' is not vMAJOR.MINOR.PATCH`;
  if (tag !== `v${version}`) {
    return `tag '${tag}' is not package.json's version ${version}: set the version, commit, and tag again`;
  }
  return undefined;
}

/** The body of the `## [version]` section of a Keep a Changelog text, or undefined when empty. */
export function releaseNotes(changelog, version) {
  const lines = changelog.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`## [${version}]`));
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  // Link definitions (`[1.2.3]: https://...`) at the end of the file belong to no section.
  const body = lines
    .slice(start + 1, end < 0 ? undefined : end)
    .filter((l) => !/^\[[^\]]+\]: /.test(l))
    .join('\n')
    .trim();
  return body === '' ? undefined : body;
}

function main(argv) {
  const [tag, ...extra] = argv;
  if (tag === undefined || extra.length > 0) {
    process.stderr.write('usage: node scripts/release-notes.mjs vMAJOR.MINOR.PATCH\n');
    return 2;
  }
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const problem = tagProblem(tag, version);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    return 1;
  }
  const notes = releaseNotes(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version);
  if (notes === undefined) {
    process.stderr.write(
      `CHANGELOG.md has no notes under '## [${version}]': move them there from [Unreleased]\n`,
    );
    return 1;
  }
  process.stdout.write(`${notes}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
