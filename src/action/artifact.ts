// The action's workflow artifact: the reports kept beyond the runner (report.json, report.sarif,
// nmap's XML, the summary as summary.md), uploaded after they are written and before the summary
// and the notifications that link to them; and, for `mode: merge` with `results` empty, the shard
// artifacts of the run as its results. An upload that fails or hangs is a warning: the verdict
// stands, and the summary names the runner's paths and why.
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConfigurationError } from '../base/errors.js';
import { writeWhole } from '../base/files.js';
import type { Logger } from '../base/log.js';
import type { RunContext } from '../github/context.js';
import type { FinishedJob } from '../run/close.js';
import { renderSummary, reportsSection, type Sections } from '../report/summary.js';
import { acceptFormOf, artifactName, type Settings } from '../settings/settings.js';

/**
 * The files of the artifact: the reports, summary.md, the XML nmap wrote into report-dir, and in
 * record mode the policy file written there (report-dir/policy.yml, unless `policy` names another).
 */
function artifactFiles({ result }: FinishedJob, summary: string): string[] {
  const { report, paths, policyPath } = result;
  const root = dirname(paths.report);
  const xml = report.scan.source === 'nmap' ? report.scan.runs.map((r) => r.xml) : [];
  const own = [...xml, ...(policyPath ? [policyPath] : [])].filter(
    (f) => dirname(f) === root && existsSync(f),
  );
  return [...new Set([paths.report, paths.sarif, summary, ...own])];
}

/**
 * Uploads the reports as the run's artifact and returns the section that links to it; when there
 * is none (off, no artifact service, a failure), the section names the runner's paths and why.
 */
export async function keepReports(
  job: FinishedJob,
  sections: Sections,
  log: Logger,
): Promise<{ section: string; url?: string }> {
  const { result, settings, context } = job;
  const { paths, report } = result;
  const runner = (why: string): { section: string } => ({
    section: reportsSection({ runner: paths, why }),
  });
  if (!settings.artifact) return runner('artifact is false');
  const name = artifactName(settings.artifact, report.name, report.settings.shard);
  const { noArtifactService, uploadArtifact, artifactError } =
    await import('../github/artifact.js');
  // The artifact's address names the repository: without one (not on a runner), no artifact.
  const missing =
    noArtifactService() ?? (context.repo ? undefined : 'GITHUB_REPOSITORY is not set');
  if (missing) {
    log.info(`The reports are not uploaded as artifact ${name}: ${missing}.`);
    return runner(`no artifact service (${missing})`);
  }
  try {
    const summaryPath = join(dirname(paths.report), 'summary.md');
    const inside = reportsSection({ inside: true });
    const markdown = renderSummary(report, paths.report, {
      sarifPath: paths.sarif,
      sections: { ...sections, reports: inside },
      acceptForm: acceptFormOf(settings),
    });
    await writeWhole(summaryPath, markdown);
    const files = artifactFiles(job, summaryPath);
    const kept = await log.group(`Uploading the reports as artifact ${name}`, () =>
      uploadArtifact(name, files, dirname(paths.report), {
        ...(settings.artifact?.retentionDays !== undefined
          ? { retentionDays: settings.artifact.retentionDays }
          : {}),
        timeoutMs: context.httpTimeoutMs,
        runUrl: context.run.runUrl,
      }),
    );
    log.info(
      `The reports are kept as artifact ${name}: ${kept.url} (${files.map((f) => basename(f)).join(', ')}).`,
    );
    return { section: reportsSection({ artifact: kept }), url: kept.url };
  } catch (error) {
    const why = artifactError(error, context.httpTimeoutMs);
    log.warning(
      `The reports were not uploaded as artifact ${name}: ${why}. They stay on the runner in ${dirname(paths.report)}; the verdict stands.`,
    );
    return runner(`the upload of artifact ${name} failed (${why})`);
  }
}

/**
 * `mode: merge` with `results` empty: downloads this run's shard artifacts (of `artifact`'s name
 * when one is given, or of `name`'s default when `name` is; else every shard artifact of the run)
 * and returns the settings with `results` naming their report.json files.
 */
export async function shardResults(
  settings: Settings,
  context: RunContext,
  log: Logger,
): Promise<Settings> {
  if (settings.mode !== 'merge' || settings.results || !settings.artifact) return settings;
  const { noArtifactService, downloadShardArtifacts, shardArtifactPattern, artifactError } =
    await import('../github/artifact.js');
  const missing = noArtifactService();
  if (missing) {
    throw new ConfigurationError(
      'results',
      `is empty, so the shard artifacts of this run are merged, but ${missing}. Give results a glob of the shards' report.json files.`,
    );
  }
  const base =
    settings.artifact.name ?? (settings.name ? artifactName({}, settings.name) : undefined);
  const pattern = shardArtifactPattern(base);
  const into = await mkdtemp(join(context.runnerTemp, 'port-drift-shards-'));
  let names: string[];
  try {
    names = await log.group('Downloading the shard artifacts of this run', () =>
      downloadShardArtifacts(pattern, into, context.httpTimeoutMs),
    );
  } catch (error) {
    throw new Error(
      `The shard artifacts of this run could not be downloaded: ${artifactError(error, context.httpTimeoutMs)}.`,
      { cause: error },
    );
  }
  if (names.length === 0) {
    throw new ConfigurationError(
      'results',
      `is empty, so the shard artifacts of this run are merged, and this run has none named ${base ? `${base}-shard-<i>-of-<n>` : '<artifact>-shard-<i>-of-<n>'}. Run the shard jobs with artifact on (the default) and the same artifact or name, or give results a glob.`,
    );
  }
  log.info(`Merging the shard artifacts ${names.join(', ')}.`);
  return { ...settings, results: join(into, '*', 'report.json') };
}
