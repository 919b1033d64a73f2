// mode: merge: reads the report.json of every shard job, checks that they are all the shards of one
// policy, and makes the Report one run over all the targets would have made. The findings are
// computed again from the merged observed state and the rules, by the same buildReport.
import { violations, type Planned } from '../plan/account.js';
import { ConfigurationError, getErrorMessage } from '../base/errors.js';
import { coalesceRanges } from '../settings/ports.js';
import { globUserFiles, readGlobbedFile } from '../base/user-files.js';
import { buildReport, REPORT_SCHEMA, type Report, type ReportSettings } from './report.js';
import { combineObserved, familyCoverage, type MergedVantage } from './vantages.js';
import { SchemaError } from '../base/check.js';
import { checkReport } from './schema.js';
import type { Settings, Shard } from '../settings/settings.js';
import {
  canonicalIp,
  classifyTarget,
  expandBlock,
  familyOf,
  unitKey,
} from '../settings/targets.js';
import type { Finding, ObservedAddress } from '../base/types.js';

export interface ShardResult {
  file: string;
  report: Report;
}

function shardOf(r: ShardResult): Shard {
  const shard = r.report.settings.shard;
  if (!shard) throw new Error(`${r.file} is no shard`);
  return shard;
}

/** The one value every shard must agree on, or a ConfigurationError naming the files that differ. */
function agreed(
  results: readonly ShardResult[],
  what: string,
  pick: (r: Report) => unknown,
  of = 'shards of one scan',
): void {
  const first = results[0];
  if (!first) return;
  const want = JSON.stringify(pick(first.report));
  const other = results.find((r) => JSON.stringify(pick(r.report)) !== want);
  if (other) {
    throw new ConfigurationError(
      'results',
      `${first.file} and ${other.file} are not ${of}: their ${what} differ. Give every ${of === 'shards of one scan' ? 'shard job' : 'job'} the same inputs.`,
    );
  }
}

/** What every result must share, whatever its vantage: the policy and the ports. */
function agreedPolicy(results: readonly ShardResult[], of?: string): void {
  agreed(results, 'names', (r) => r.name, of);
  agreed(results, 'targets', (r) => r.settings.targets, of);
  agreed(
    results,
    'rules',
    (r) => r.settings.rules.map(({ pattern, ports }) => ({ pattern, ports })),
    of,
  );
  agreed(results, 'port selections', (r) => [r.settings.ports, r.settings.udpPorts], of);
}

/**
 * The result files as groups: the shards of one scan (checked to be all there), then every result
 * written without `shard`, each a vantage of its own, by path. Results of one policy, all of them;
 * only their ip-version may differ between vantages (a hosted runner on IPv4, another on IPv6).
 */
function groupResults(results: readonly ShardResult[]): ShardResult[][] {
  const again = results.find((r) => r.report.settings.mode === 'merge' || r.report.merged);
  if (again) {
    throw new ConfigurationError(
      'results',
      `${again.file} is the result of a merge. Merge the report.json files the scanning jobs wrote.`,
    );
  }
  const sharded = results.filter((r) => r.report.settings.shard);
  const wholes = results
    .filter((r) => !r.report.settings.shard)
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  if (sharded.length === 0 && wholes.length === 1) {
    throw new ConfigurationError(
      'results',
      `${wholes[0]!.file} is not a shard result (it was written without shard: i/n), and it is the only result. Merge the report.json files of the shard jobs, or of two or more jobs that scanned the same targets from different runners (one for each address family).`,
    );
  }
  const groups: ShardResult[][] = [];
  if (sharded.length > 0) {
    checkShards(sharded);
    groups.push([...sharded].sort((a, b) => shardOf(a).index - shardOf(b).index));
  }
  for (const w of wholes) groups.push([w]);
  agreedPolicy(
    groups.map((g) => g[0]!),
    'results of one policy',
  );
  return groups;
}

/** Checks that the files are shards 1..n of one scan, each present once. */
function checkShards(results: readonly ShardResult[]): number {
  const count = shardOf(results[0]!).count;
  const byIndex = new Map<number, string[]>();
  for (const r of results) {
    const shard = shardOf(r);
    if (shard.count !== count) {
      throw new ConfigurationError(
        'results',
        `${results[0]!.file} is a shard of ${count} and ${r.file} a shard of ${shard.count}: merge the results of one matrix.`,
      );
    }
    byIndex.set(shard.index, [...(byIndex.get(shard.index) ?? []), r.file]);
  }
  const twice = [...byIndex].filter(([, files]) => files.length > 1);
  if (twice.length > 0) {
    const [index, files] = twice[0]!;
    throw new ConfigurationError(
      'results',
      `shard ${index}/${count} is there ${files.length} times (${files.join(', ')}). Give each matrix job its own artifact name.`,
    );
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    throw new ConfigurationError(
      'results',
      `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: found ${[
        ...byIndex.keys(),
      ]
        .sort((a, b) => a - b)
        .map((i) => `${i}/${count}`)
        .join(
          ', ',
        )}. Did a shard job fail before writing its report.json, or does the glob miss its file?`,
    );
  }
  agreedPolicy(results);
  agreed(results, 'ip-version settings', (r) => r.settings.ipVersion);
  agreed(results, 'tls-check and tls-expiry settings', (r) => r.settings.checks ?? null);
  return count;
}

/** A group's view of DNS: where its shards saw a name differently (a warning), the first stands. */
function viewOf(group: readonly ShardResult[]): Record<string, string[]> {
  const resolved: Record<string, string[]> = {};
  for (const r of group) {
    for (const [name, addrs] of Object.entries(r.report.scan.resolved ?? {})) {
      if (!Object.hasOwn(resolved, name)) resolved[name] = addrs;
    }
  }
  return resolved;
}

/** Every vantage's view of DNS together: what one run over every target must account for. */
function unionOf(groups: readonly ShardResult[][]): Record<string, string[]> {
  const union: Record<string, string[]> = {};
  for (const group of groups) {
    for (const [name, addrs] of Object.entries(viewOf(group))) {
      union[name] = [...new Set([...(union[name] ?? []), ...addrs])];
    }
  }
  return union;
}

/** Every shard's own view of DNS: shards that saw different answers may have split a name badly. */
function dnsDisagreements(results: readonly ShardResult[]): string[] {
  const names = new Map<string, Set<string>>();
  for (const r of results) {
    for (const [name, addrs] of Object.entries(r.report.scan.resolved ?? {})) {
      names.set(name, (names.get(name) ?? new Set()).add(JSON.stringify([...addrs].sort())));
    }
  }
  return [...names]
    .filter(([, answers]) => answers.size > 1)
    .map(
      ([name]) =>
        `${name} resolved to different addresses in different shard jobs: an address may have been scanned twice or not at all.`,
    );
}

/** Vantages that saw a name's addresses of a family they both scan differently. */
function vantageDisagreements(groups: readonly ShardResult[][]): string[] {
  const out: string[] = [];
  const views = groups.map((g) => ({
    file: g[0]!.file,
    ip: g[0]!.report.settings.ipVersion,
    dns: viewOf(g),
  }));
  for (const family of [4, 6] as const) {
    const names = new Map<string, Map<string, string[]>>();
    for (const v of views.filter((w) => w.ip === 'both' || w.ip === String(family))) {
      for (const [name, addrs] of Object.entries(v.dns)) {
        const key = JSON.stringify(addrs.filter((a) => familyOf(a) === family).sort());
        const seen = names.get(name) ?? new Map<string, string[]>();
        names.set(name, seen.set(key, [...(seen.get(key) ?? []), v.file]));
      }
    }
    for (const [name, answers] of names) {
      if (answers.size < 2) continue;
      const files = [...answers.values()].flat().join(', ');
      out.push(
        `${name} resolved to different IPv${family} addresses from different vantages (${files}): each scanned what it saw, and the merge accounts for every address.`,
      );
    }
  }
  return out;
}

/**
 * The merged report must account for every address the results' own settings and DNS answers
 * imply: a result file that lost a host (or all of them) fails the merge, named. With shards
 * alone, the shard that should have held an address is found as shardPlan assigns them: units
 * sorted, every n-th to a shard.
 */
function checkAccounted(
  groups: readonly ShardResult[][],
  observed: ObservedAddress[],
  findings: Finding[],
  maxAddresses: number,
): void {
  const first = groups[0]![0]!;
  const resolved = unionOf(groups);
  const planned = plannedFromReport(
    { ...first.report, scan: { ...first.report.scan, resolved } },
    maxAddresses,
  );
  if (typeof planned === 'string') {
    throw new ConfigurationError('results', `${first.file}: ${planned}.`);
  }
  const missing = violations(planned, { observed, findings });
  if (missing.length === 0) return;
  const m = missing[0]!;
  const what = m.address ? `${m.address} (target ${m.target})` : m.target;
  const more = missing.length > 1 ? `, nor for ${missing.length - 1} more` : '';
  if (groups.length > 1 || !first.report.settings.shard) {
    throw new ConfigurationError(
      'results',
      `no result file accounts for ${what}: ${m.problem}${more}. Each report.json must hold every address of its targets; merge the files the jobs wrote, unchanged.`,
    );
  }
  const sorted = groups[0]!;
  const keys = [
    ...new Set([
      ...observed.map((o) => unitKey(o.address, o.targets[0] ?? '')),
      ...planned.map((p) => unitKey(p.address, p.target)),
    ]),
  ].sort();
  const owner = sorted[keys.indexOf(unitKey(m.address, m.target)) % sorted.length];
  throw new ConfigurationError(
    'results',
    `${owner?.file ?? 'a shard file'} does not account for ${what}: ${m.problem}${more}. A shard's report.json must hold every address of its share; merge the files the shard jobs wrote, unchanged.`,
  );
}

export interface Merged {
  report: Report;
  warnings: string[];
}

type MergeSettings = Pick<Settings, 'name' | 'failOn' | 'targets' | 'rules' | 'maxAddresses'>;

/** Each result file and where it looked from, for `merged.vantages`. */
function vantagesOf(groups: readonly ShardResult[][]): MergedVantage[] {
  return groups.flat().map(({ file, report }) => ({
    file,
    ...(report.settings.shard ? { shard: report.settings.shard } : {}),
    ipVersion: report.settings.ipVersion,
    ...(report.scan.vantage ? { vantage: report.scan.vantage } : {}),
  }));
}

/**
 * The report of one run over all targets, from the reports of its shards, or of jobs that scanned
 * the same targets from different vantages (each address decided by the first result that decided
 * it, see vantages.ts). Pure.
 */
export function mergeReports(
  results: readonly ShardResult[],
  settings: MergeSettings,
  finishedAt: Date,
): Merged {
  const groups = groupResults(results);
  const sorted = groups.flat();
  const first = sorted[0]!.report;
  checkMergeJob(settings, first);
  const { taken, overlaps } = combineObserved(
    sorted.map((r) => ({ file: r.file, observed: r.report.observed })),
  );
  const merged = taken.map((t) => t.entry);
  const failures = sorted.flatMap((r) => (r.report.failure ? [r.report.failure] : []));
  const report = buildReport({
    name: first.name,
    startedAt: sorted.map((r) => r.report.startedAt).sort()[0] ?? first.startedAt,
    finishedAt: finishedAt.toISOString(),
    rules: first.settings.rules,
    observed: merged,
    ports: coalesceRanges(sorted.flatMap((r) => r.report.scan.ports ?? [])),
    failOn: settings.failOn,
    cancelled: sorted.some((r) => r.report.verdict.undecided === 'cancelled'),
    scanned: {
      addresses: sorted.reduce((n, r) => n + r.report.scanned.addresses, 0),
      tcpPorts: Math.max(...sorted.map((r) => r.report.scanned.tcpPorts)),
      udpPorts: Math.max(...sorted.map((r) => r.report.scanned.udpPorts)),
    },
    scan: mergedScan(groups, first),
    settings: mergedSettings(sorted, settings),
    flapping: sorted.flatMap((r) => r.report.flapping ?? []),
    ...(failures.length ? { failure: failures.join('; ') } : {}),
    merged: {
      files: sorted.map((r) => r.file),
      shards: groups[0]![0]!.report.settings.shard?.count ?? 1,
      vantages: vantagesOf(groups),
      families: familyCoverage(taken),
    },
  });
  checkAccounted(groups, merged, report.findings, settings.maxAddresses);
  const warnings = [
    ...(groups[0]![0]!.report.settings.shard ? dnsDisagreements(groups[0]!) : []),
    ...vantageDisagreements(groups),
    ...overlaps.map(
      (o) =>
        `IPv${o.family} was scanned from more than one vantage (${o.files.join(', ')}): where both decided an address, ${o.files[0]} stands. Scan each address family from one vantage (ip-version).`,
    ),
  ];
  return { report, warnings };
}

/** The merged run is no shard: it speaks for all of them, on every family any of them scanned. */
function mergedSettings(sorted: readonly ShardResult[], settings: MergeSettings): ReportSettings {
  const shared = { ...sorted[0]!.report.settings };
  delete shared.shard;
  const versions = new Set(sorted.map((r) => r.report.settings.ipVersion));
  return {
    ...shared,
    ipVersion: versions.size === 1 ? shared.ipVersion : 'both',
    mode: 'merge',
    failOn: [...settings.failOn],
  };
}

/** The merge job's own name, targets and rules, when it gives them, must be the shards'. */
function checkMergeJob(settings: MergeSettings, first: Report): void {
  if (settings.name && settings.name !== first.name) {
    throw new ConfigurationError(
      'name',
      `'${settings.name}' differs from the name the shards scanned under ('${first.name}'). Give the merge job the same name, or none.`,
    );
  }
  const rules = first.settings.rules;
  if (settings.targets.length > 0 || settings.rules.length > 0) {
    const same =
      JSON.stringify(settings.targets.map((t) => t.spec)) ===
        JSON.stringify(first.settings.targets) &&
      JSON.stringify(settings.rules.map(({ pattern, ports }) => ({ pattern, ports }))) ===
        JSON.stringify(rules.map(({ pattern, ports }) => ({ pattern, ports })));
    if (!same) {
      throw new ConfigurationError(
        'results',
        'the shards scanned other targets or rules than this job names. The merge job needs no targets or expected: leave them out, or give the same as the shard jobs.',
      );
    }
  }
}

/** How the results scanned, as one scan: the first one's nmap, every result's runs, every view of DNS. */
function mergedScan(groups: readonly ShardResult[][], first: Report): Report['scan'] {
  return {
    source: first.scan.source,
    ...(first.scan.nmapVersion ? { nmapVersion: first.scan.nmapVersion } : {}),
    ...(first.scan.scanType ? { scanType: first.scan.scanType } : {}),
    ...(first.scan.privilege ? { privilege: first.scan.privilege } : {}),
    runs: groups.flat().flatMap((r) => r.report.scan.runs),
    resolved: unionOf(groups),
  };
}

/** What is wrong with text that is not JSON, without the text itself (it may be a secret). */
function jsonProblem(error: unknown): string {
  const message = getErrorMessage(error);
  const at = /position (\d+)/.exec(message)?.[1];
  if (at !== undefined) return `a syntax error at byte ${at}`;
  return /end of JSON/.test(message) ? 'it ends too early, or is empty' : 'a syntax error';
}

/** Reads and checks one shard's report.json: it is untrusted, and refused whole with the reason. */
function readResult(file: string, text: string): ShardResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError('results', `${file} is not JSON (${jsonProblem(error)}).`);
  }
  const schema = (parsed as { schema?: unknown } | null)?.schema;
  if (schema !== REPORT_SCHEMA) {
    const found = typeof schema === 'string' && /^[\w./@-]{1,40}$/.test(schema) ? schema : 'none';
    throw new ConfigurationError(
      'results',
      `${file} is not a port-drift report.json (schema ${found}, want ${REPORT_SCHEMA}).`,
    );
  }
  try {
    return { file, report: checkReport(parsed) };
  } catch (error) {
    if (!(error instanceof SchemaError)) throw error;
    throw new ConfigurationError(
      'results',
      `${file} is not a valid port-drift report.json: ${error.message}. Merge the files the shard jobs wrote, unchanged.`,
    );
  }
}

/** Reads the files the `results` glob names (user-files.ts: never through a symbolic link). */
export async function readResults(pattern: string): Promise<ShardResult[]> {
  if (!pattern) {
    // The action fills an empty results with the run's shard artifacts; elsewhere there are none.
    throw new ConfigurationError(
      'results',
      "is empty, and outside a workflow there are no shard artifacts to merge: give a glob of the shard jobs' report.json files.",
    );
  }
  const files = await globUserFiles('results', pattern);
  if (files.length === 0) {
    throw new ConfigurationError(
      'results',
      `'${pattern}' matches no file. Download the shard jobs' artifacts first, and check the path.`,
    );
  }
  const out: ShardResult[] = [];
  for (const file of files) out.push(readResult(file, await readGlobbedFile('results', file)));
  return out;
}

/**
 * What a report's own settings imply: every literal, every address of every block, and for each
 * name the addresses the report says it resolved to (or the name alone when it has none).
 * `maxAddresses` bounds the blocks expanded, since a report may come from an untrusted file.
 */
export function plannedFromReport(report: Report, maxAddresses: number): Planned[] | string {
  const targets = report.settings.targets;
  if (!Array.isArray(targets)) return 'its settings hold no list of targets';
  const resolved = report.scan.resolved ?? {};
  const out: Planned[] = [];
  let size = 0;
  for (const spec of targets) {
    const target = typeof spec === 'string' ? classifyTarget(spec) : 'not a string';
    if (typeof target === 'string') return `its target ${JSON.stringify(spec)} is not a target`;
    size += target.size;
    if (size > maxAddresses) return `its targets hold more than max-addresses (${maxAddresses})`;
    if (target.kind === 'hostname') {
      const addresses = Object.hasOwn(resolved, target.spec) ? resolved[target.spec]! : [];
      if (addresses.length === 0) out.push({ target: target.spec, address: '' });
      for (const a of addresses) out.push({ target: target.spec, address: a });
    } else if (target.kind === 'cidr4' || target.kind === 'cidr6') {
      for (const address of expandBlock(target.spec)) out.push({ target: target.spec, address });
    } else {
      out.push({ target: target.spec, address: canonicalIp(target.spec) });
    }
  }
  return out;
}
