// This machine as a hosted runner sees it, without nmap, for the tests and the bench that install it
// for real (apt-get, dpkg), while other work on the machine goes on using the real nmap.
//
// Nothing on the real system changes. Each command runs in a private mount namespace (unshare -m)
// in which /usr, /etc and /var are overlays: the real directories are the bottom layer, read only;
// above them a layer made once, in which nmap and the packages only it needs were removed with dpkg
// (their files and dpkg's record of them); on top a tmpfs, where whatever the command installs
// lands. The tmpfs and every mount go away with the namespace's last process, however the command
// or the test ends; the layer made once is a folder under the temporary directory, removed by
// destroy(). Outside the namespace, /usr/bin/nmap and dpkg's database stay as they were.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand, type ExecOptions, type ExecResult } from './exec.js';
import { isRoot } from './paths.js';

/** nmap, and the packages nmap pulled in that nothing else on a usual system needs. */
const NMAP_PACKAGES = ['nmap', 'nmap-common', 'liblinear4', 'liblua5.3-0', 'lua-lpeg'];
const LAYERS = ['usr', 'etc', 'var'];

/**
 * Mounts the overlays. $1: the folder of the layer made once; $2: the top layer's folder, the same
 * while that layer is made (on disk, to be kept), another for a command (a tmpfs, to be lost).
 */
const MOUNT = `set -e
base="$1"; top="$2"; shift 2
lower() { echo "/$1"; }
if [ "$base" != "$top" ]; then
  mount -t tmpfs tmpfs "$top"
  lower() { echo "$base/$1/up:/$1"; }
fi
for d in ${LAYERS.join(' ')}; do
  mkdir -p "$top/$d/up" "$top/$d/wk"
  mount -t overlay overlay -o "lowerdir=$(lower $d),upperdir=$top/$d/up,workdir=$top/$d/wk" "/$d"
done
`;

export interface NoNmap {
  /** Runs argv where the system has no nmap; each call starts from the same state. */
  exec: (argv: string[], opts?: ExecOptions) => Promise<ExecResult>;
  /** The packages removed. */
  removed: string[];
  destroy: () => void;
}

/** Why the tests that need this cannot run here, or false. */
export function noNmapSkip(): false | string {
  if (!isRoot) return 'needs root: a mount namespace, overlays, and dpkg inside them';
  const probe = spawnSync('unshare', ['-m', '--', 'true']);
  if (probe.status !== 0) return 'unshare -m does not work here';
  if (spawnSync('dpkg-query', ['-W', 'nmap']).status !== 0)
    return 'nmap is not installed from a Debian package on this machine';
  return false;
}

/** The installed ones of NMAP_PACKAGES that can go without taking anything else with them. */
function removable(): string[] {
  const installed = NMAP_PACKAGES.filter(
    (p) =>
      spawnSync('dpkg-query', ['-W', '-f', '${db:Status-Abbrev}', p]).stdout?.toString() === 'ii ',
  );
  const sim = spawnSync('apt-get', ['-s', 'remove', ...installed], { encoding: 'utf8' });
  const goes = [...sim.stdout.matchAll(/^Remv (\S+)/gm)].map((m) => m[1] ?? '');
  return goes.every((p) => installed.includes(p)) ? installed : ['nmap', 'nmap-common'];
}

/**
 * The layer made once: nmap removed. `emptyArchives`: apt's downloaded packages are gone too, so
 * that apt-get downloads what it installs, as on a hosted runner.
 */
export async function withoutNmap(options: { emptyArchives?: boolean } = {}): Promise<NoNmap> {
  const base = mkdtempSync(join(tmpdir(), 'port-drift-no-nmap-'));
  const removed = removable();
  const inside = (top: string, script: string, argv: string[], opts: ExecOptions = {}) =>
    runCommand(
      [
        'unshare',
        '-m',
        '--propagation',
        'private',
        '--',
        'sh',
        '-c',
        MOUNT + script,
        'sh',
        base,
        top,
        ...argv,
      ],
      opts,
    );
  const clean = options.emptyArchives ? 'rm -f /var/cache/apt/archives/*.deb\n' : '';
  const made = await inside(
    base,
    `dpkg -r ${removed.join(' ')} >&2\n${clean}! command -v nmap`,
    [],
    { env: { DEBIAN_FRONTEND: 'noninteractive' }, timeoutMs: 300_000 },
  );
  if (made.code !== 0) {
    rmSync(base, { recursive: true, force: true });
    throw new Error(`could not make a system without nmap: ${made.stderr.slice(-2000)}`);
  }
  return {
    removed,
    exec: (argv, opts) => {
      const top = join(base, 'runs', String(Date.now()) + Math.random().toString(36).slice(2));
      mkdirSync(top, { recursive: true });
      // The shell drops variables whose names it could not hold (INPUT_REPORT-DIR): env(1) sets
      // the command's own after it.
      const env = Object.entries(opts?.env ?? {});
      const vars = [
        ...env.flatMap(([k, v]) => (v === undefined ? ['-u', k] : [])),
        ...env.flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`])),
      ];
      // The top layer is a tmpfs of the namespace's own: it goes with it.
      return inside(top, 'exec "$@"', ['env', ...vars, ...argv], opts).finally(() =>
        rmSync(top, { recursive: true, force: true }),
      );
    },
    destroy: () => rmSync(base, { recursive: true, force: true }),
  };
}
