// nmap ready before the scan: found on PATH, or installed when missing and allowed (on Linux from the
// Actions cache's copy of its Debian packages, verified, else with apt-get; on macOS with brew), and
// the log and report say where it came from and how long it took. Then ensureNmap() locates it, reads
// its version and tells whether this runner may send raw packets (SYN and UDP scans) itself or
// through sudo. Commands are argv arrays (no shell); only dpkg and apt-get run with privilege.
import { setTimeout as sleep } from 'node:timers/promises';
import { NmapError, getErrorMessage } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { findOnPath, runProcess } from '../base/process.js';
import { QUICK_CALL_MS, nmapEnv } from './command.js';
import type { Deb, DebCacheOptions } from './debs.js';

export interface Nmap {
  path: string;
  version: string;
  /** Prefix for commands that need raw sockets: [] as root, ['sudo', '-n', '--'] with passwordless sudo. */
  rawPrefix: string[] | null;
  /** Why rawPrefix is what it is, for the log. */
  privilege: string;
}

/** Where nmap came from in this run, for report.json. */
export interface NmapInstall {
  from: 'path' | 'actions-cache' | 'apt-get' | 'homebrew';
  /** How long installing took, the cache's restore and checks included. */
  seconds?: number;
  /** From the Actions cache: the packages installed, each verified against the package index. */
  packages?: number;
  /** The Actions cache entry installed from (actions-cache) or kept for the next run (apt-get). */
  cacheKey?: string;
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

async function succeeds(argv: string[]): Promise<boolean> {
  try {
    const out = await runProcess(argv, { env: process.env, deadline: Date.now() + QUICK_CALL_MS });
    return out.code === 0;
  } catch {
    return false;
  }
}

/** Attempts of a failing `apt-get update`, and the waits between them (a mirror mid-sync recovers). */
const UPDATE_BACKOFF_MS = [2000, 5000];

const secondsSince = (started: number): number => Math.round((Date.now() - started) / 100) / 10;

/** Runs an installer (apt-get, dpkg, brew) after `prefix` (sudo), its output in the log; its exit code. */
async function runTool(prefix: string[], argv: string[], log: Logger): Promise<number> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log.info(`$ ${[...prefix, ...argv].join(' ')}`);
  try {
    const out = await runProcess([...prefix, ...argv], { env, onLine: (l) => log.info(l) });
    for (const line of out.stderr.trim().split('\n').filter(Boolean)) log.info(line);
    return out.code ?? 1;
  } catch (error) {
    log.info(`${argv[0] ?? ''} did not start: ${getErrorMessage(error)}`);
    return 127;
  }
}

/**
 * Man pages are not unpacked: the man-db trigger that indexes them takes longer than the rest of
 * the install, and a scan never reads them.
 */
const NO_MAN_PAGES = '--path-exclude=/usr/share/man/*';

/**
 * apt-get install from the package index the runner has (a GitHub-hosted runner's is fresh enough,
 * and `apt-get update` takes tens of seconds and fails while a mirror syncs); only when that fails is
 * the index updated (retried with backoff) and the install tried again. `fixBroken` after a cached
 * install that dpkg left half done. Downloaded packages are kept: the Actions cache takes them.
 * Returns whether the index was updated.
 */
async function aptGetInstall(prefix: string[], log: Logger, fixBroken: boolean): Promise<boolean> {
  const args = ['install', '-y', '-q', '--no-install-recommends'];
  const installArgs = [
    ...args,
    ...(fixBroken ? ['-f'] : []),
    '-o',
    'APT::Keep-Downloaded-Packages=true',
    '-o',
    `Dpkg::Options::=${NO_MAN_PAGES}`,
    'nmap',
  ];
  const first = await runTool(prefix, ['apt-get', ...installArgs], log);
  if (first === 0) return false;
  log.info(`apt-get install exited with ${first}: updating the package index, then trying again.`);
  for (let attempt = 0; ; attempt++) {
    const code = await runTool(prefix, ['apt-get', 'update', '-q'], log);
    if (code === 0) break;
    const wait = UPDATE_BACKOFF_MS[attempt];
    if (wait === undefined) {
      throw new NmapError(
        `apt-get update exited with ${code} ${attempt + 1} times (a package mirror may be syncing); nmap is not installed. Install nmap in an earlier step, or run again.`,
      );
    }
    log.info(`apt-get update exited with ${code}: trying again in ${wait / 1000} s.`);
    await sleep(wait);
  }
  const code = await runTool(prefix, ['apt-get', ...installArgs], log);
  if (code !== 0) throw new NmapError(`apt-get ${installArgs.join(' ')} exited with ${code}`);
  return true;
}

/** Installs verified packages with dpkg; true when it succeeded. */
async function dpkgInstall(prefix: string[], debs: Deb[], log: Logger): Promise<boolean> {
  const argv = ['dpkg', '-i', NO_MAN_PAGES, ...debs.map((d) => d.path)];
  return (await runTool(prefix, argv, log)) === 0;
}

/**
 * On Linux: nmap's packages from the Actions cache when an entry verifies, else apt-get, after which
 * the packages it installed are kept in the cache for the next run. A cache that fails, hangs or
 * holds anything that does not verify costs a warning and the apt-get install, never the run.
 */
async function installLinux(log: Logger, cacheOptions?: DebCacheOptions): Promise<NmapInstall> {
  const started = Date.now();
  const prefix = isRoot()
    ? []
    : (await succeeds(['sudo', '-n', 'true']))
      ? ['sudo', '-n', '--']
      : null;
  if (!prefix) {
    throw new NmapError(
      'nmap is not installed and cannot be: installing needs root or passwordless sudo. Install nmap in an earlier step, or run as root.',
    );
  }
  if (!findOnPath('apt-get')) {
    throw new NmapError(
      'nmap is not installed, and this Linux has no apt-get to install it. Install nmap in an earlier step.',
    );
  }
  // The cache's code loads only when nmap is missing: most runs start faster without it.
  const { DebCache, installedPackages } = await import('./debs.js');
  const debCache = cacheOptions ? await DebCache.open(cacheOptions, log) : undefined;
  const restored = await debCache?.restore();
  const debs = restored?.debs;
  if (debs && (await dpkgInstall(prefix, debs, log))) {
    const version = debs.find((d) => d.name === 'nmap')?.version ?? '';
    const seconds = secondsSince(started);
    log.info(
      `nmap ${version} from the Actions cache (${debs.length} packages verified against the apt index) in ${seconds.toFixed(1)} s.`,
    );
    return { from: 'actions-cache', seconds, packages: debs.length, cacheKey: restored.key };
  }
  if (debs) {
    log.warning(
      `dpkg could not install nmap's packages from the Actions cache entry ${restored.key}: nmap is installed with apt-get.`,
    );
  }
  // Kept for the next run, unless they would be what was just restored: the same packages that
  // dpkg failed on, or packages the runner's index cannot verify.
  const keep = debCache && !debs && !restored?.noIndex;
  const before = keep ? await installedPackages() : undefined;
  const updated = await aptGetInstall(prefix, log, Boolean(debs));
  const seconds = secondsSince(started);
  log.info(
    updated
      ? `nmap installed with apt-get after updating the package index, in ${seconds.toFixed(1)} s.`
      : `nmap installed with apt-get from the runner's package index in ${seconds.toFixed(1)} s.`,
  );
  // Packages from an updated index would not verify against the index the next run starts with.
  if (before && updated)
    log.info(
      "nmap's packages are not kept in the Actions cache: they came from an updated package index, which the next run would not have to verify them against.",
    );
  const kept = before && !updated ? await debCache?.save(before) : undefined;
  return { from: 'apt-get', seconds, ...(kept ? { cacheKey: kept } : {}) };
}

async function install(log: Logger, cacheOptions?: DebCacheOptions): Promise<NmapInstall> {
  const platform = process.platform;
  if (platform === 'linux') return installLinux(log, cacheOptions);
  if (platform === 'darwin') {
    const started = Date.now();
    const code = await runTool([], ['brew', 'install', 'nmap'], log);
    if (code !== 0) throw new NmapError(`brew install nmap exited with ${code}`);
    const seconds = secondsSince(started);
    log.info(`nmap installed with Homebrew in ${seconds.toFixed(1)} s.`);
    return { from: 'homebrew', seconds };
  }
  throw new NmapError(
    `nmap is not installed, and port-drift cannot install it on ${platform}. Install nmap in an earlier step (on Windows: choco install nmap) and make sure it is on PATH.`,
  );
}

const NOT_ALLOWED = 'nmap is not on PATH and install-nmap is false. Install nmap first.';

/**
 * nmap on PATH before the scan: installed when missing and `installIfMissing`. Says where it came
 * from and how long it took. `cacheOptions`: where the Actions cache keeps its packages (a run on a
 * GitHub runner); without them, apt-get alone.
 */
export async function readyNmap(
  installIfMissing: boolean,
  log: Logger,
  cacheOptions?: DebCacheOptions,
): Promise<NmapInstall> {
  if (findOnPath('nmap')) {
    log.info('nmap is already on PATH: nothing to install.');
    return { from: 'path' };
  }
  if (!installIfMissing) throw new NmapError(NOT_ALLOWED);
  return log.group('Install nmap', async () => {
    try {
      return await install(log, cacheOptions);
    } catch (error) {
      throw error instanceof NmapError ? error : new NmapError(getErrorMessage(error));
    }
  });
}

/** Locates nmap (readyNmap installed it when it was missing) and reads its version. */
export async function ensureNmap(installIfMissing: boolean): Promise<Nmap> {
  const path = findOnPath('nmap');
  if (!path) {
    throw new NmapError(
      installIfMissing ? 'nmap was installed but is still not on PATH' : NOT_ALLOWED,
    );
  }
  const out = await runProcess([path, '--version'], {
    env: nmapEnv(process.env),
    deadline: Date.now() + QUICK_CALL_MS,
  });
  const version = /Nmap version (\S+)/.exec(out.stdout)?.[1];
  if (out.timedOut) throw new NmapError(`${path} --version did not answer within 60 s`);
  if (out.code !== 0 || !version) {
    throw new NmapError(`${path} --version failed: ${(out.stderr || out.stdout).trim()}`);
  }

  let rawPrefix: string[] | null = null;
  let privilege = 'not root and no passwordless sudo';
  if (isRoot()) {
    rawPrefix = [];
    privilege = 'running as root';
  } else if (process.platform !== 'win32' && (await succeeds(['sudo', '-n', 'true']))) {
    rawPrefix = ['sudo', '-n', '--'];
    privilege = 'passwordless sudo is available';
  }
  return { path, version, rawPrefix, privilege };
}
