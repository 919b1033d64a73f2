// nmap's Debian packages kept in the GitHub Actions cache, so that a hosted runner without nmap has
// it in seconds rather than after an apt-get install. An entry holds the .deb files apt-get had to
// install for nmap (nmap and the dependencies the runner lacked), under a key naming the runner image,
// the architecture, nmap's version and a digest of the files; the newest entry for the image and
// architecture is restored. An entry is untrusted input that would run as root (any job of the
// repository can save one under the key), so each file must be the package its name says, at the
// version the runner's package index offers now, with the SHA-256 that index gives it (the index apt
// verified against the distribution's signing keys); one that does not is discarded with a warning
// and nothing from the entry is installed. Every cache call ends within its deadline (cache-calls.ts).
import * as cache from '@actions/cache';
import { createHash } from 'node:crypto';
import { copyFile, lstat, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheCall, callOptions, service, whyNoAnswer } from '../github/cache-calls.js';
import type { Logger } from '../base/log.js';
import { runProcess, type ProcessResult } from '../base/process.js';
import { oneLine } from '../base/markdown.js';
import { QUICK_CALL_MS } from './command.js';

export interface DebCacheOptions {
  /** RUNNER_TEMP: the packages' folder is under it, at the same path in every run. */
  runnerTemp: string;
  /** The deadline of each call to the cache service. */
  timeoutMs: number;
}

/** A package file of an entry that verified: what it is, and where it is. */
export interface Deb {
  path: string;
  name: string;
  version: string;
  arch: string;
}

/** A restored entry: its key, and the verified packages when every file verified. */
export interface Restored {
  key: string;
  debs?: Deb[];
  /** The runner's package index lists none of its packages: nothing could be verified. */
  noIndex?: boolean;
}

/** More files than nmap and its dependencies ever need: such an entry is not read file by file. */
const MAX_FILES = 100;

/** Package names, versions and architectures as Debian allows them (no `_`, no leading `-`). */
const DEB_FILE = /^([a-z0-9][a-z0-9+.-]*)_([A-Za-z0-9.+~%-]+)_([a-z0-9-]+)\.deb$/;

/** apt's name for a package file: `name_version_arch.deb`, the epoch's `:` written `%3a`. */
export const debFileName = (name: string, version: string, arch: string): string =>
  `${name}_${version.replace(/:/g, '%3a')}_${arch}.deb`;

/** A file name from an entry, quoted and on one line: it is untrusted. */
const shown = (text: string): string => JSON.stringify(oneLine(text, 200));

const quick = (argv: string[]): Promise<ProcessResult> =>
  runProcess(argv, { env: process.env, deadline: Date.now() + QUICK_CALL_MS });

/** `Field: value` stanzas (apt-cache show, dpkg-deb -f), blank lines between them. */
export function parseStanzas(text: string): Record<string, string>[] {
  return text
    .split(/\n\s*\n/)
    .map((block) => {
      const fields: Record<string, string> = {};
      for (const m of block.matchAll(/^([A-Za-z0-9-]+):[ \t]*(.*)$/gm))
        fields[m[1] ?? ''] = (m[2] ?? '').trim();
      return fields;
    })
    .filter((f) => Object.keys(f).length > 0);
}

/** The runner image: ImageOS and ImageVersion on a GitHub-hosted runner, else /etc/os-release. */
export async function imageOf(env: NodeJS.ProcessEnv): Promise<string> {
  let image =
    env['ImageOS'] && env['ImageVersion'] ? `${env['ImageOS']}-${env['ImageVersion']}` : '';
  if (!image) {
    const release = await readFile('/etc/os-release', 'utf8').catch(() => '');
    const field = (name: string): string =>
      new RegExp(`^${name}="?([^"\\n]*)"?$`, 'm').exec(release)?.[1] ?? '';
    image = `${field('ID') || 'linux'}-${field('VERSION_ID') || 'unknown'}`;
  }
  // A key holds no comma, and this one stays readable.
  return image.replace(/[^A-Za-z0-9._+-]/g, '_').slice(0, 100);
}

/** Installed packages, `name:arch` -> version, as dpkg lists them. */
export async function installedPackages(): Promise<Map<string, string>> {
  const out = await quick([
    'dpkg-query',
    '-W',
    '-f',
    '${db:Status-Abbrev} ${Package}:${Architecture} ${Version}\n',
  ]);
  const installed = new Map<string, string>();
  for (const m of out.stdout.matchAll(/^ii\s+(\S+)\s+(\S+)$/gm))
    installed.set(m[1] ?? '', m[2] ?? '');
  return installed;
}

async function sha256Of(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** The index's candidate of each `name:arch`: its version and SHA-256. */
async function candidates(
  ids: string[],
): Promise<Map<string, { version: string; sha256: string }>> {
  const out = await quick(['apt-cache', 'show', '--no-all-versions', ...ids]);
  const found = new Map<string, { version: string; sha256: string }>();
  for (const s of parseStanzas(out.stdout)) {
    const id = `${s['Package']}:${s['Architecture']}`;
    if (s['Version'] && s['SHA256'] && !found.has(id))
      found.set(id, { version: s['Version'], sha256: s['SHA256'].toLowerCase() });
  }
  return found;
}

/** What a file of an entry claims to be, by its name, when its control fields say the same. */
async function claimOf(dir: string, file: string): Promise<Deb | string> {
  const path = join(dir, file);
  const m = DEB_FILE.exec(file);
  if (!m || !(await lstat(path)).isFile()) return 'not a Debian package file';
  const claim = {
    path,
    name: m[1] ?? '',
    version: (m[2] ?? '').replace(/%3a/gi, ':'),
    arch: m[3] ?? '',
  };
  // Read without sudo: the file is not trusted yet.
  const out = await quick(['dpkg-deb', '-f', path, 'Package', 'Version', 'Architecture']);
  if (out.code !== 0) return 'not a readable Debian package';
  const f = parseStanzas(out.stdout)[0] ?? {};
  if (
    f['Package'] !== claim.name ||
    f['Version'] !== claim.version ||
    f['Architecture'] !== claim.arch
  )
    return `holds ${oneLine(`${f['Package']} ${f['Version']} ${f['Architecture']}`, 120)}, not the package its name says`;
  return claim;
}

/** Outcome of checking one entry: its verified packages, and why any other file was refused. */
interface Checked {
  debs: Deb[];
  refused: string[];
  /** Packages the index now has in another version: the entry is older than the index. */
  stale: string[];
  /** The index lists none of the entry's packages (a runner without `apt-get update`). */
  noIndex: boolean;
}

/** Each file of the entry against its name, then against the runner's package index. */
async function check(dir: string): Promise<Checked> {
  const files = (await readdir(dir)).sort();
  const result: Checked = { debs: [], refused: [], stale: [], noIndex: false };
  if (files.length > MAX_FILES) {
    result.refused.push(`${files.length} files, more than nmap ever needs`);
    return result;
  }
  const claims: Deb[] = [];
  for (const file of files) {
    const claim = await claimOf(dir, file);
    if (typeof claim === 'string') result.refused.push(`${shown(file)}: ${claim}`);
    else claims.push(claim);
  }
  const index = claims.length
    ? await candidates(claims.map((c) => `${c.name}:${c.arch}`))
    : new Map<string, { version: string; sha256: string }>();
  result.noIndex = claims.length > 0 && index.size === 0;
  if (result.noIndex) return result;
  for (const c of claims) {
    const file = shown(debFileName(c.name, c.version, c.arch));
    const known = index.get(`${c.name}:${c.arch}`);
    if (!known)
      result.refused.push(`${file}: ${c.name} (${c.arch}) is not in the runner's package index`);
    else if (known.version !== c.version)
      result.stale.push(`${c.name} ${c.version} (the index has ${known.version})`);
    else if (known.sha256 !== (await sha256Of(c.path)))
      result.refused.push(
        `${file}: its SHA-256 is not the one the runner's package index gives ${c.name} ${c.version}`,
      );
    else result.debs.push(c);
  }
  return result;
}

/**
 * nmap's packages in the Actions cache, for one runner image and architecture. Restored entries are
 * verified before anything in them is installed; after an apt-get install, the packages it
 * installed are saved under a new key.
 */
export class DebCache {
  private readonly dir: string;
  private readonly prefix: string;

  private constructor(
    private readonly options: DebCacheOptions,
    private readonly log: Logger,
    image: string,
    arch: string,
  ) {
    // The path is part of the cache's version: it must be the same in every run.
    this.dir = join(options.runnerTemp, 'port-drift-nmap');
    this.prefix = `port-drift-nmap-v1-${image}-${arch}-`;
  }

  /** The cache for this runner; undefined where there is no cache service (a local run). */
  static async open(options: DebCacheOptions, log: Logger): Promise<DebCache | undefined> {
    if (!cache.isFeatureAvailable()) {
      log.info(
        'No GitHub Actions cache here (not on a GitHub runner): nmap is installed with apt-get.',
      );
      return undefined;
    }
    const arch = (await quick(['dpkg', '--print-architecture'])).stdout.trim();
    if (!/^[a-z0-9-]+$/.test(arch)) {
      log.info('dpkg did not name this runner’s architecture: nmap is installed with apt-get.');
      return undefined;
    }
    return new DebCache(options, log, await imageOf(process.env), arch);
  }

  /** The newest entry for this image and architecture, checked file by file. */
  async restore(): Promise<Restored | undefined> {
    const { timeoutMs } = this.options;
    if (service.hung) {
      this.log.info(
        'The Actions cache service did not answer earlier in this run: nmap is installed with apt-get.',
      );
      return undefined;
    }
    let key: string | undefined;
    try {
      await rm(this.dir, { recursive: true, force: true });
      await mkdir(this.dir, { recursive: true });
      key = await cacheCall(
        timeoutMs,
        cache.restoreCache([this.dir], this.prefix, [this.prefix], callOptions(timeoutMs)),
      );
    } catch (error) {
      this.log.warning(
        `nmap's packages were not restored from the Actions cache: ${whyNoAnswer(error, timeoutMs)}. nmap is installed with apt-get.`,
      );
      return undefined;
    }
    if (!key) {
      this.log.info(
        `No entry ${this.prefix}… in the Actions cache: nmap is installed with apt-get.`,
      );
      return undefined;
    }
    return this.verify(oneLine(key, 600));
  }

  /** The entry's packages when every file verified and nmap is among them; else the reasons, logged. */
  private async verify(key: string): Promise<Restored> {
    const { debs, refused, stale, noIndex } = await check(this.dir);
    if (noIndex) {
      this.log.info(
        `The runner's package index lists none of the packages of the Actions cache entry ${key}: they cannot be verified, and nmap is installed with apt-get.`,
      );
      return { key, noIndex };
    }
    for (const why of refused)
      this.log.warning(
        `The Actions cache entry ${key} holds a package that does not verify, discarded: ${why}. Nothing from this entry is installed: nmap is installed with apt-get. port-drift never saves such a file: if this repeats, find the job of this repository that does (gh cache delete ${key} removes the entry).`,
      );
    if (refused.length > 0) return { key };
    if (stale.length > 0) {
      this.log.info(
        `The Actions cache entry ${key} is older than the runner's package index (${stale.join(', ')}): nmap is installed with apt-get.`,
      );
      return { key };
    }
    if (!debs.some((d) => d.name === 'nmap')) {
      this.log.warning(
        `The Actions cache entry ${key} holds no nmap package, so nothing from it is installed: nmap is installed with apt-get.`,
      );
      return { key };
    }
    return { key, debs };
  }

  /**
   * Keeps the packages apt-get installed (what is installed now and was not `before`) under a key of
   * their digest and the time: the newest entry is what the next run restores, so one that replaced
   * an entry that did not verify is the one used from then on. Returns the key saved under.
   */
  async save(before: Map<string, string>): Promise<string | undefined> {
    const { timeoutMs } = this.options;
    if (service.hung) return undefined;
    try {
      const added = [...(await installedPackages())].filter(([id, v]) => before.get(id) !== v);
      const nmap = added.find(([id]) => id.startsWith('nmap:'))?.[1];
      const files = nmap ? await this.collect(added) : undefined;
      if (!nmap || !files) return undefined;
      const digest = createHash('sha256');
      for (const f of files) digest.update(`${f} ${await sha256Of(join(this.dir, f))}\n`);
      const key = `${this.prefix}${nmap}-${digest.digest('hex').slice(0, 12)}-${Date.now().toString(36)}`;
      const id = await cacheCall(timeoutMs, cache.saveCache([this.dir], key));
      if (id === -1) {
        this.log.info(
          `nmap's packages were not kept in the Actions cache: it did not take ${key}.`,
        );
        return undefined;
      }
      this.log.info(
        `Kept nmap's ${files.length} packages in the Actions cache as ${key}, for the next run.`,
      );
      return key;
    } catch (error) {
      this.log.warning(
        `nmap's packages were not kept in the Actions cache: ${whyNoAnswer(error, timeoutMs)}.`,
      );
      return undefined;
    }
  }

  /** Copies the package files apt-get left in its archives into the cache's folder. */
  private async collect(added: [string, string][]): Promise<string[] | undefined> {
    const out = await quick(['apt-config', 'shell', 'A', 'Dir::Cache::archives/d']);
    const archives = /^A='(.+)'$/m.exec(out.stdout)?.[1] ?? '/var/cache/apt/archives/';
    await rm(this.dir, { recursive: true, force: true });
    await mkdir(this.dir, { recursive: true });
    const files: string[] = [];
    for (const [id, version] of added) {
      const [name = '', arch = ''] = id.split(':');
      const file = debFileName(name, version, arch);
      try {
        await copyFile(join(archives, file), join(this.dir, file));
      } catch {
        this.log.info(
          `apt-get left no ${file} in ${archives}: nmap's packages are not kept in the Actions cache.`,
        );
        return undefined;
      }
      files.push(file);
    }
    return files.sort();
  }
}
