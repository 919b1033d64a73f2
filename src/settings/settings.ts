// Reads every input once, validates it, and returns one typed Settings object. Nothing else in
// port-drift reads inputs; every mistake becomes a ConfigurationError naming the input and the fix.
import { existsSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { ConfigurationError } from '../base/errors.js';
import { inputDefault, type InputName } from './inputs.js';
import { readUserFileSync } from '../base/files.js';
import { expandGroup, nameTooLong, parsePolicy, type Policy } from './policy.js';
import { oneLine } from '../base/markdown.js';
import { parsePortSelection, type PortSelection } from './ports.js';
import { isNamePattern, parseRules } from './rules.js';
import { parseTargets, uniqueTargets } from './targets.js';
import {
  FINDING_KINDS,
  type BehindChecks,
  MAX_NAME,
  type FindingKind,
  type Rule,
  type Target,
} from '../base/types.js';

/** Where inputs come from: @actions/core in the action; anything with the same shape elsewhere. */
export interface InputSource {
  getInput(name: string): string;
  getBooleanInput(name: string): boolean;
  setSecret(secret: string): void;
}

export interface Settings {
  /** Empty with mode: merge when not given: the shards' name is used. */
  name: string;
  mode: 'check' | 'record' | 'merge';
  targets: Target[];
  /** Named groups of targets from the policy file, lower-case names. */
  groups: Map<string, string[]>;
  rules: Rule[];
  /** The policy file read (check) or to write (record), absolute; empty when none. */
  policyPath: string;
  tcpPorts: PortSelection;
  udpPorts: PortSelection;
  ipVersion: 'both' | '4' | '6';
  scanType: 'auto' | 'syn' | 'connect';
  failOn: ReadonlySet<FindingKind>;
  scanTimeoutMs: number;
  maxAddresses: number;
  /** A ceiling on packets per second (`max-rate`); undefined: the engine paces to the path. */
  maxRate?: number;
  /** What is checked behind the ports: which certificates (`tls-check`), how far ahead (`tls-expiry`). */
  checks: BehindChecks;
  /** With mode: record, pin the service version detection finds on each open port. */
  recordServices: boolean;
  /** Keep one GitHub issue per name. */
  issue: boolean;
  issueLabels: string[];
  prComment: boolean;
  githubToken: string;
  /** Slack incoming webhook; empty for none. Masked. */
  slackWebhookUrl: string;
  notify: 'change' | 'always';
  /**
   * Slack hears of runs that do not speak for production too (production.ts): each one with drift,
   * marked as such, from no state and changing none.
   */
  slackOnNonProduction: boolean;
  /** Glob of nmap XML files to read instead of scanning; empty to scan. */
  xml: string;
  /** This job's share of the addresses (`shard: i/n`), or undefined to scan them all. */
  shard?: Shard;
  /**
   * With mode: merge, the glob of shard result files (report.json). Empty with an artifact: the
   * shard artifacts of this workflow run (the action downloads them, then fills this in).
   */
  results: string;
  reportDir: string;
  /**
   * The workflow artifact that keeps the reports (`artifact`), undefined when off. `name`: the one
   * given; absent: `port-drift-<name>` (artifactName()).
   */
  artifact?: { name?: string; retentionDays?: number };
  installNmap: boolean;
}

function oneOf<T extends string>(input: string, value: string, allowed: readonly T[]): T {
  const v = value.trim().toLowerCase();
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new ConfigurationError(input, `'${value}' is not one of: ${allowed.join(', ')}.`);
}

/** YAML 1.2 booleans via getBooleanInput; an absent input (outside the runner) takes its default. */
function readBoolean(source: InputSource, input: InputName): boolean {
  if (source.getInput(input).trim() === '') return inputDefault(input) === 'true';
  try {
    return source.getBooleanInput(input);
  } catch {
    throw new ConfigurationError(
      input,
      `'${source.getInput(input)}' is not a boolean. Use true or false.`,
    );
  }
}

const MAX_DURATION_MS = 5 * 24 * 3_600_000;

/** `90s`, `20m`, `1h30m`, `500ms`: a duration in milliseconds. */
export function parseDuration(input: string, value: string): number {
  const text = value.trim().toLowerCase();
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (text === '' || parts.map((p) => p[0]).join('') !== text) {
    throw new ConfigurationError(
      input,
      `'${value}' is not a duration. Write a number with a unit, such as 90s, 20m or 1h30m.`,
    );
  }
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * (unit[p[2] ?? 's'] ?? 0), 0);
  if (ms < 1000) throw new ConfigurationError(input, `'${value}' is under one second.`);
  // Node's timers hold at most 2^31-1 ms (24.8 days) and fire at once beyond that: a longer
  // budget would stop nmap the moment it starts. No job runs longer than 5 days anyway.
  if (!(ms <= MAX_DURATION_MS)) {
    throw new ConfigurationError(
      input,
      `'${value}' is longer than 5 days, the longest a GitHub Actions job may run. Give a shorter duration, such as 20m or 2h.`,
    );
  }
  return ms;
}

const MAX_EXPIRY_DAYS = 3650;

/** `tls-expiry`: `14d`, `30d` or a bare number of days, from 0 (only expired) to ten years. */
export function parseDays(input: string, value: string): number {
  const m = /^(\d{1,5})\s*d?$/i.exec(value.trim());
  const days = m ? Number(m[1]) : NaN;
  if (!(days <= MAX_EXPIRY_DAYS)) {
    throw new ConfigurationError(
      input,
      `'${value}' is not a number of days from 0 to ${MAX_EXPIRY_DAYS}. Write it as 14d or 30d.`,
    );
  }
  return days;
}

/** `max-rate`: packets per second, a whole number from 10 to 1,000,000; empty for none. */
function parseMaxRate(input: string, value: string): number | undefined {
  const text = value.trim().replace(/[_,]/g, '');
  if (text === '') return undefined;
  const rate = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(rate) || rate < 10 || rate > 1_000_000) {
    throw new ConfigurationError(
      input,
      `'${value}' is not a rate. Give packets per second as a whole number from 10 to 1000000, such as 2000, or leave it empty to pace to the path.`,
    );
  }
  return rate;
}

/**
 * This job's share of the addresses (`shard: i/n`): a matrix of n jobs scans every address exactly
 * once between them, and `mode: merge` reports as one run would (shardPlan in src/plan/plan.ts).
 */
export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** GitHub's matrix runs at most 256 jobs; more shards than that can never all run. */
const MAX_SHARDS = 256;

/** `shard: i/n`, such as `2/4`; empty for none. */
function parseShard(input: string, value: string): Shard | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  const m = /^(\d+)\s*\/\s*(\d+)$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || index < 1 || count < 1 || index > count || count > MAX_SHARDS) {
    throw new ConfigurationError(
      input,
      `'${value}' is not i/n with 1 <= i <= n <= ${MAX_SHARDS}. Example for a matrix: shard: \${{ matrix.shard }}/4.`,
    );
  }
  return { index, count };
}

function parseFailOn(input: string, value: string): Set<FindingKind> {
  const kinds = value
    .split(/[\s,]+/)
    .map((k) => k.trim().toLowerCase())
    .filter(Boolean);
  if (kinds.length === 1 && kinds[0] === 'none') return new Set();
  const out = new Set<FindingKind>();
  for (const kind of kinds) {
    if (!(FINDING_KINDS as readonly string[]).includes(kind)) {
      throw new ConfigurationError(
        input,
        `'${kind}' is not a drift kind. Use any of ${FINDING_KINDS.join(', ')}, or 'none'.`,
      );
    }
    out.add(kind as FindingKind);
  }
  if (out.size === 0) {
    throw new ConfigurationError(input, `is empty. List drift kinds, or write 'none'.`);
  }
  return out;
}

/**
 * Reads the policy file: a regular file only (a FIFO or a device is refused, never waited on). On a
 * runner, a path inside the workspace whose real file is outside it (a symbolic link a pull request
 * adds, to a file of the runner) is refused before it is read: nothing of that file is quoted.
 */
function readPolicy(shown: string, path: string, workspace: string | undefined): Policy {
  if (workspace) refuseLinkOut(shown, path, workspace);
  let text: string;
  try {
    text = readUserFileSync('policy', path, { followSymlinks: true });
  } catch (error) {
    const code = (error as { cause?: NodeJS.ErrnoException }).cause?.code;
    if (code === undefined) throw error;
    throw new ConfigurationError(
      'policy',
      `cannot read ${shown} (${code}). Give a path relative to the repository root, and check out the repository first (actions/checkout).`,
    );
  }
  return parsePolicy(text, shown);
}

/** Refuses a policy path inside the workspace that leads, through a link, out of it. */
function refuseLinkOut(shown: string, path: string, workspace: string): void {
  const inside = (p: string, root: string): boolean => p === root || p.startsWith(root + sep);
  if (!inside(resolve(path), resolve(workspace))) return; // a path the workflow chose outside it
  let real: string;
  let root: string;
  try {
    real = realpathSync(path);
    root = realpathSync(workspace);
  } catch {
    return; // a missing file: the read says so
  }
  if (!inside(real, root)) {
    throw new ConfigurationError(
      'policy',
      `${shown} is a symbolic link to a file outside the workspace (GITHUB_WORKSPACE): not read. Name the policy file itself, inside the repository.`,
    );
  }
}

/** The name given, else the policy file's, else the workflow's (shortened to MAX_NAME). */
function nameOf(given: string, policy: Policy | undefined, fallback: string): string {
  if ([...given].length > MAX_NAME) throw new ConfigurationError('name', nameTooLong(given));
  return given || policy?.name || oneLine(fallback, MAX_NAME);
}

/** Labels: comma- or newline-separated, trimmed, without duplicates; GitHub's 50-character limit. */
function parseLabels(input: string, value: string): string[] {
  const labels = [
    ...new Set(
      value
        .split(/[,\n]/)
        .map((l) => l.trim())
        .filter(Boolean),
    ),
  ];
  for (const label of labels) {
    if ([...label].length > 50) {
      throw new ConfigurationError(input, `'${label}' is longer than GitHub's 50 characters.`);
    }
  }
  if (labels.length === 0) {
    throw new ConfigurationError(
      input,
      'is empty. The issue is found again by its labels: give at least one.',
    );
  }
  return labels;
}

/**
 * A Slack webhook must be https: it carries the findings and is itself a secret. Plain http is
 * allowed only to the loopback address, for tests and local relays. The URL is never repeated in a
 * message: it is masked, and a message naming it would only show `***`.
 */
function checkWebhookUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError(
      'slack-webhook-url',
      'is not a URL. Give the incoming webhook URL.',
    );
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigurationError(
      'slack-webhook-url',
      `must be an https:// URL (http:// only to the loopback address), not ${url.protocol}//.`,
    );
  }
  if (url.username || url.password) {
    throw new ConfigurationError('slack-webhook-url', 'must not carry a user name or password.');
  }
}

/**
 * How the accept rules of the summary, the issue, the comment and Slack are written: in the policy
 * file's YAML when a policy file holds the rules, else as `expected` lines.
 */
export function acceptFormOf(settings: Pick<Settings, 'policyPath'>): 'expected' | 'policy' {
  return settings.policyPath ? 'policy' : 'expected';
}

/** The rules' exceptions alone, as rules. */
function onlyExceptions(rules: readonly Rule[]): Rule[] {
  return rules
    .map((r) => ({ ...r, ports: r.ports.filter((p) => p.exception) }))
    .filter((r) => r.ports.length > 0);
}

/** An input's value, trimmed. */
type Get = (name: InputName) => string;

/** Reads and checks every input. Throws ConfigurationError before anything is scanned. */
export function readSettings(source: InputSource, env: NodeJS.ProcessEnv = process.env): Settings {
  const get: Get = (name) => source.getInput(name).trim();
  const or: Get = (name) => get(name) || inputDefault(name);
  // Secrets first, so that nothing below can print them.
  const { githubToken, slack } = readSecrets(source, get);
  const maxAddresses = readMaxAddresses(or('max-addresses'));
  const artifact = readArtifact(or('artifact'), get('artifact-retention-days'));
  const job = readJobKind(get, or, artifact !== undefined);
  if (slack) checkWebhookUrl(slack);
  const reportDir = readReportDir(get('report-dir'), env);
  const { policyPath, policy } = readPolicyInput(get('policy'), job.mode, reportDir, env);
  const targets = readTargets(source, policy, maxAddresses, job);
  const rules = readRules(source, policy, targets);
  const maxRate = parseMaxRate('max-rate', get('max-rate'));
  return {
    name: nameOf(
      get('name'),
      policy,
      job.mode === 'merge' ? '' : env['GITHUB_WORKFLOW'] || 'port-drift',
    ),
    mode: job.mode,
    targets,
    groups: policy?.groups ?? new Map<string, string[]>(),
    // In record mode the old rules are replaced by what the scan observes; only their exceptions
    // are kept, for the ports they still accept (record.ts).
    rules:
      job.mode === 'record'
        ? onlyExceptions([...rules, ...(policy?.rules ?? [])])
        : [...rules, ...(policy?.rules ?? [])],
    policyPath,
    tcpPorts: parsePortSelection('ports', or('ports'), 'tcp'),
    udpPorts: parsePortSelection('udp-ports', get('udp-ports'), 'udp'),
    ipVersion: oneOf('ip-version', or('ip-version'), ['both', '4', '6']),
    scanType: oneOf('scan-type', or('scan-type'), ['auto', 'syn', 'connect']),
    failOn: parseFailOn('fail-on', or('fail-on')),
    scanTimeoutMs: parseDuration('scan-timeout', or('scan-timeout')),
    maxAddresses,
    ...(maxRate !== undefined ? { maxRate } : {}),
    checks: {
      tlsCheck: oneOf('tls-check', or('tls-check'), ['marked', 'all']),
      tlsExpiryDays: parseDays('tls-expiry', or('tls-expiry')),
    },
    recordServices: readBoolean(source, 'record-services'),
    issue: readBoolean(source, 'issue'),
    issueLabels: parseLabels('issue-labels', or('issue-labels')),
    prComment: readBoolean(source, 'pr-comment'),
    githubToken,
    slackWebhookUrl: slack,
    notify: oneOf('notify', or('notify'), ['change', 'always']),
    slackOnNonProduction: readBoolean(source, 'slack-on-non-production'),
    xml: job.xml,
    ...(job.shard ? { shard: job.shard } : {}),
    results: job.results,
    reportDir,
    ...(artifact ? { artifact } : {}),
    installNmap: readBoolean(source, 'install-nmap'),
  };
}

/** The token and the Slack webhook, masked the moment they are read. */
function readSecrets(source: InputSource, get: Get): { githubToken: string; slack: string } {
  const githubToken = get('github-token');
  if (githubToken) source.setSecret(githubToken);
  const slack = get('slack-webhook-url');
  if (slack) {
    source.setSecret(slack);
    // A message quoting only the path (where the webhook's secret is) must not show it either.
    const path = URL.canParse(slack) ? new URL(slack).pathname : '';
    if (path.length > 8) source.setSecret(path);
  }
  return { githubToken, slack };
}

function readMaxAddresses(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new ConfigurationError('max-addresses', `'${text}' is not a positive whole number.`);
  }
  return Number(text);
}

/** What the job does (check, record or merge), with its shard, merge results or XML files. */
interface JobKind {
  mode: Settings['mode'];
  shard: Shard | undefined;
  results: string;
  xml: string;
}

function readJobKind(get: Get, or: Get, artifact: boolean): JobKind {
  const mode = oneOf('mode', or('mode'), ['check', 'record', 'merge']);
  const shard = parseShard('shard', get('shard'));
  const results = get('results');
  const xml = get('xml');
  if (mode === 'merge' && !results && !artifact) {
    throw new ConfigurationError(
      'results',
      'is empty, and mode: merge needs it: a glob of the report.json files the shard jobs wrote, such as shards/**/report.json (in a workflow, leave it empty with artifact on to merge the shard artifacts of the run).',
    );
  }
  if (mode !== 'merge' && results) {
    throw new ConfigurationError(
      'results',
      'is only read with mode: merge. Remove it, or set mode: merge.',
    );
  }
  if (shard && mode !== 'check') {
    throw new ConfigurationError(
      'shard',
      `names a share of a scan to check; mode: ${mode} cannot be sharded. Remove shard from this job.`,
    );
  }
  checkXml(xml, mode, shard);
  return { mode, shard, results, xml };
}

function checkXml(xml: string, mode: Settings['mode'], shard: Shard | undefined): void {
  if (xml && mode !== 'check') {
    throw new ConfigurationError(
      'xml',
      `cannot be used with mode: ${mode}: xml reads files instead of scanning, and only mode: check compares them. Remove one of them.${mode === 'record' ? " To turn the files into rules, run mode: check with xml and add the rules the summary's What to do section gives." : ''}`,
    );
  }
  if (shard && xml) {
    throw new ConfigurationError(
      'shard',
      'splits a scan, and xml reads files instead of scanning. Use one or the other.',
    );
  }
}

/** `report-dir` against the workspace; empty: $RUNNER_TEMP/port-drift. */
function readReportDir(input: string, env: NodeJS.ProcessEnv): string {
  const workspace = env['GITHUB_WORKSPACE'] ?? process.cwd();
  const runnerTemp = env['RUNNER_TEMP'] || tmpdir();
  const reportDir = input ? resolve(workspace, input) : join(runnerTemp, 'port-drift');
  if (!isAbsolute(reportDir)) throw new Error(`report-dir did not resolve: ${reportDir}`);
  return reportDir;
}

/** The policy file's path and, when it is read, its contents. */
function readPolicyInput(
  input: string,
  mode: Settings['mode'],
  reportDir: string,
  env: NodeJS.ProcessEnv,
): { policyPath: string; policy: Policy | undefined } {
  const workspace = env['GITHUB_WORKSPACE'] ?? process.cwd();
  const policyPath = input
    ? resolve(workspace, input)
    : mode === 'record'
      ? join(reportDir, 'policy.yml')
      : '';
  // In record mode the policy file is written; when it exists already, its targets and groups are kept.
  const policy =
    policyPath && (mode !== 'record' || existsSync(policyPath))
      ? readPolicy(input || policyPath, policyPath, env['GITHUB_WORKSPACE'])
      : undefined;
  return { policyPath, policy };
}

/** The targets of the input and then those of the policy file, each once, within max-addresses. */
function readTargets(
  source: InputSource,
  policy: Policy | undefined,
  maxAddresses: number,
  { mode, shard, xml }: JobKind,
): Target[] {
  const targets = uniqueTargets([
    ...parseTargets('targets', source.getInput('targets'), maxAddresses),
    ...(policy?.targets ?? []),
  ]);
  if (targets.length === 0 && !xml && mode !== 'merge') {
    throw new ConfigurationError(
      'targets',
      'is empty. Give hostnames, IPs or CIDR blocks to scan (or a policy file with targets, or `xml` with nmap XML files to read).',
    );
  }
  // A shard scans its share: max-addresses bounds each job, so n shards may cover n times as many.
  const total = targets.reduce((n, t) => n + t.size, 0);
  const shards = shard?.count ?? 1;
  if (total > maxAddresses * shards) {
    throw new ConfigurationError(
      'targets',
      shard
        ? `name ${total} addresses, more than ${shards} shards of max-addresses (${maxAddresses}) each. Use more shards, or raise max-addresses.`
        : `name ${total} addresses, more than max-addresses (${maxAddresses}). Scan fewer, split the work with a matrix (shard), or raise max-addresses.`,
    );
  }
  return targets;
}

/** The `expected` rules, the policy's groups expanded; a name must be one of the targets. */
function readRules(source: InputSource, policy: Policy | undefined, targets: Target[]): Rule[] {
  const groups = policy?.groups ?? new Map<string, string[]>();
  const names = new Set(targets.map((t) => t.spec.toLowerCase()));
  // A group of the policy file may be named in `expected` too.
  const rules = parseRules('expected', source.getInput('expected')).flatMap(
    (rule) => expandGroup(rule, groups) ?? [rule],
  );
  for (const rule of rules) {
    if (
      isNamePattern(rule.pattern) &&
      !names.has(rule.pattern.toLowerCase()) &&
      targets.length > 0
    ) {
      throw new ConfigurationError(
        'expected',
        `${rule.source}: '${rule.pattern}' names no entry of targets. Write the target exactly as in targets, an IP, a CIDR or '*'.`,
      );
    }
  }
  return rules;
}

/** Characters GitHub refuses in an artifact's name. */
const ARTIFACT_NAME_REFUSES = /[":<>|*?\r\n\\/]/;

/**
 * `artifact` and `artifact-retention-days`: `true` (port-drift-<name>), a name, or `false` (no
 * artifact); days from 1 to 400 (GitHub's longest, for private repositories), empty for the
 * repository's setting.
 */
function readArtifact(
  value: string,
  days: string,
): { name?: string; retentionDays?: number } | undefined {
  const text = value.trim();
  const retentionDays = parseRetentionDays(days);
  if (/^(false|off|no)$/i.test(text)) return undefined;
  const given = /^(true|on|yes)?$/i.test(text) ? undefined : text;
  if (given !== undefined && (ARTIFACT_NAME_REFUSES.test(given) || given.length > 200)) {
    throw new ConfigurationError(
      'artifact',
      `'${oneLine(given, 80)}' cannot name an artifact: GitHub refuses " : < > | * ? \\ / and line breaks in one, and more than 200 characters leave no room for a shard's suffix. Give a plain name, true (port-drift-<name>) or false.`,
    );
  }
  return {
    ...(given !== undefined ? { name: given } : {}),
    ...(retentionDays !== undefined ? { retentionDays } : {}),
  };
}

function parseRetentionDays(text: string): number | undefined {
  if (text === '') return undefined;
  const days = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(days >= 1 && days <= 400)) {
    throw new ConfigurationError(
      'artifact-retention-days',
      `'${oneLine(text, 40)}' is not a number of days from 1 to 400. Leave it empty for the repository's setting.`,
    );
  }
  return days;
}

/**
 * The artifact's name: the one given, else `port-drift-<name>` with what GitHub refuses in a name
 * made `-`; a shard's gets `-shard-<i>-of-<n>`, the names a merge job looks for.
 */
export function artifactName(
  artifact: { name?: string },
  name: string,
  shard?: Pick<Shard, 'index' | 'count'>,
): string {
  const base =
    artifact.name ??
    `port-drift-${[...name.replace(new RegExp(ARTIFACT_NAME_REFUSES, 'g'), '-')].slice(0, 150).join('')}`;
  return shard ? `${base}-shard-${shard.index}-of-${shard.count}` : base;
}
