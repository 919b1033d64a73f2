// Finds nmap on PATH, installs it when missing and allowed (apt-get on Linux, brew on macOS), and
// tells whether this runner may send raw packets (SYN and UDP scans) itself or through sudo.
import * as core from '@actions/core';
import * as exec from '@actions/exec';
import * as io from '@actions/io';
import { NmapError, getErrorMessage } from '../errors.js';
import { runProcess } from '../process.js';
import { QUICK_CALL_MS, nmapEnv } from './command.js';

export interface Nmap {
  path: string;
  version: string;
  /** Prefix for commands that need raw sockets: [] as root, ['sudo', '-n', '--'] with passwordless sudo. */
  rawPrefix: string[] | null;
  /** Why rawPrefix is what it is, for the log. */
  privilege: string;
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

async function succeeds(command: string, args: string[]): Promise<boolean> {
  try {
    const code = await exec.exec(command, args, { silent: true, ignoreReturnCode: true });
    return code === 0;
  } catch {
    return false;
  }
}

/** Attempts of a failing `apt-get update`, and the waits between them (a mirror mid-sync recovers). */
const UPDATE_BACKOFF_MS = [2000, 5000];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Installs nmap, and says how: which commands ran, and how long it took. On Linux the runner's
 * package index is tried first (a GitHub-hosted runner's is fresh enough, and `apt-get update` takes
 * tens of seconds and fails while a mirror syncs); only when that install fails is the index
 * updated (retried with backoff) and the install tried again.
 */
async function install(): Promise<void> {
  const platform = process.platform;
  const started = Date.now();
  const took = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  if (platform === 'linux') {
    const prefix = isRoot() ? [] : (await succeeds('sudo', ['-n', 'true'])) ? ['sudo', '-n'] : null;
    if (!prefix) {
      throw new NmapError(
        'nmap is not installed and cannot be: installing needs root or passwordless sudo. Install nmap in an earlier step, or run as root.',
      );
    }
    if (!(await io.which('apt-get', false))) {
      throw new NmapError(
        'nmap is not installed, and this Linux has no apt-get to install it. Install nmap in an earlier step.',
      );
    }
    const aptGet = async (args: string[]): Promise<number> => {
      const [cmd, ...rest] = [...prefix, 'apt-get', ...args];
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } as Record<string, string>;
      return exec.exec(cmd ?? 'apt-get', rest, { env, ignoreReturnCode: true });
    };
    const installArgs = ['install', '-y', '-q', '--no-install-recommends', 'nmap'];
    const first = await aptGet(installArgs);
    if (first === 0) {
      core.info(`nmap installed with apt-get from the runner's package index in ${took()}.`);
      return;
    }
    core.info(
      `apt-get install exited with ${first}: updating the package index, then trying again.`,
    );
    for (let attempt = 0; ; attempt++) {
      const code = await aptGet(['update', '-q']);
      if (code === 0) break;
      const wait = UPDATE_BACKOFF_MS[attempt];
      if (wait === undefined) {
        throw new NmapError(
          `apt-get update exited with ${code} ${attempt + 1} times (a package mirror may be syncing); nmap is not installed. Install nmap in an earlier step, or run again.`,
        );
      }
      core.info(`apt-get update exited with ${code}: trying again in ${wait / 1000} s.`);
      await sleep(wait);
    }
    const code = await aptGet(installArgs);
    if (code !== 0) throw new NmapError(`apt-get ${installArgs.join(' ')} exited with ${code}`);
    core.info(`nmap installed with apt-get after updating the package index, in ${took()}.`);
  } else if (platform === 'darwin') {
    const code = await exec.exec('brew', ['install', 'nmap'], { ignoreReturnCode: true });
    if (code !== 0) throw new NmapError(`brew install nmap exited with ${code}`);
    core.info(`nmap installed with Homebrew in ${took()}.`);
  } else {
    throw new NmapError(
      `nmap is not installed, and port-drift cannot install it on ${platform}. Install nmap in an earlier step (on Windows: choco install nmap) and make sure it is on PATH.`,
    );
  }
}

/** Locates (or installs) nmap and reads its version. */
export async function ensureNmap(installIfMissing: boolean): Promise<Nmap> {
  let path = await io.which('nmap', false);
  if (!path) {
    if (!installIfMissing) {
      throw new NmapError('nmap is not on PATH and install-nmap is false. Install nmap first.');
    }
    core.info('nmap is not on PATH: installing it');
    try {
      await install();
    } catch (error) {
      throw error instanceof NmapError ? error : new NmapError(getErrorMessage(error));
    }
    path = await io.which('nmap', false);
    if (!path) throw new NmapError('nmap was installed but is still not on PATH');
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
  } else if (process.platform !== 'win32' && (await succeeds('sudo', ['-n', 'true']))) {
    rawPrefix = ['sudo', '-n', '--'];
    privilege = 'passwordless sudo is available';
  }
  return { path, version, rawPrefix, privilege };
}
