// Installing nmap when it is missing, through the built action.
//
// First with stand-ins for apt-get on PATH that write down every argv they are given: the runner's
// package index is tried first, the index is updated only when that fails (a failing update is tried
// again), and the log says how long it took. Nothing is installed for real there.
//
// Then for real, with the Actions cache: the loopback stand-in of the cache service driven by the real
// @actions/cache client, the real apt-get and dpkg, and the real nmap scanning a listener on
// 127.0.0.1. Each run happens in a view of this machine without nmap (helpers/no-nmap.ts: a private
// mount namespace over overlays), so that what apt-get and dpkg do never reaches the real system,
// where others use nmap meanwhile. apt-get and dpkg are reached through recorders on PATH that write
// down their argv and hand over to the real ones.
import * as cache from '@actions/cache';
import assert from 'node:assert/strict';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { listenTcp } from '../helpers/loopback.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAction, type ActionRun } from '../helpers/action.js';
import { startCacheServer, type CacheServer } from '../helpers/cache-server.js';
import { must, runCommand } from '../helpers/exec.js';
import { fakeNmap, shellQuote } from '../helpers/fake-nmap.js';
import { noNmapSkip, withoutNmap, type NoNmap } from '../helpers/no-nmap.js';

/**
 * A folder for PATH holding only `apt-get`. Each call appends its argv to calls.log; `install` and
 * `update` fail the first `failInstalls` / `failUpdates` times; an install that succeeds puts a
 * stand-in nmap (answers --version, fails any scan) next to it.
 */
function fakeAptGet(failInstalls: number, failUpdates: number): { dir: string; calls(): string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'port-drift-fake-apt-'));
  const nmap = fakeNmap('echo "no scans here" >&2; exit 1');
  const q = (name: string): string => shellQuote(join(dir, name));
  const script = `#!/bin/sh
PATH=/usr/bin:/bin
echo "$*" >> ${q('calls.log')}
count() { n=$(cat "$1" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "$1"; echo $n; }
case "$1" in
  update) [ "$(count ${q('updates')})" -le ${failUpdates} ] && { echo "E: mirror sync in progress" >&2; exit 100; }; exit 0 ;;
  install) [ "$(count ${q('installs')})" -le ${failInstalls} ] && { echo "E: Unable to locate package nmap" >&2; exit 100; }
    cp ${shellQuote(join(nmap.dir, 'nmap'))} ${q('nmap')}; exit 0 ;;
esac
exit 1
`;
  writeFileSync(join(dir, 'apt-get'), script);
  chmodSync(join(dir, 'apt-get'), 0o755);
  return {
    dir,
    calls: () => {
      const log = join(dir, 'calls.log');
      return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
    },
  };
}

const INSTALL =
  'install -y -q --no-install-recommends -o APT::Keep-Downloaded-Packages=true -o Dpkg::Options::=--path-exclude=/usr/share/man/* nmap';

describe('installing nmap when it is missing (as root)', { skip: process.getuid?.() !== 0 }, () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const run = async (failInstalls: number, failUpdates: number) => {
    const apt = fakeAptGet(failInstalls, failUpdates);
    dirs.push(apt.dir);
    const result: ActionRun = await runAction(
      { targets: '203.0.113.20', expected: '203.0.113.20: 22', ports: '22' },
      runCommand,
      { PATH: apt.dir },
    );
    return { result, calls: apt.calls() };
  };

  it('installs from the package index the runner has, without updating it', async () => {
    const { result, calls } = await run(0, 0);
    assert.deepEqual(calls, [INSTALL], result.stdout);
    assert.match(
      result.stdout,
      /^nmap installed with apt-get from the runner's package index in \d+\.\d s\.$/m,
    );
    // The nmap it installed is the one the scan then ran.
    assert.match(result.stdout + result.stderr, /no scans here/);
  });

  it('updates the index only when that install fails, trying a failing update again, and says how long it took', async () => {
    const { result, calls } = await run(1, 1);
    assert.deepEqual(calls, [INSTALL, 'update -q', 'update -q', INSTALL], result.stdout);
    assert.match(
      result.stdout,
      /^apt-get install exited with 100: updating the package index, then trying again\.$/m,
    );
    assert.match(result.stdout, /^apt-get update exited with 100: trying again in 2 s\.$/m);
    assert.match(
      result.stdout,
      /^nmap installed with apt-get after updating the package index, in \d+\.\d s\.$/m,
    );
  });

  it('fails naming the failing update when the index cannot be updated', async () => {
    const { result, calls } = await run(1, 9);
    assert.deepEqual(calls, [INSTALL, 'update -q', 'update -q', 'update -q'], result.stdout);
    assert.match(result.stdout, /^::error::apt-get update exited with 100 3 times/m);
  });
});

/** A folder for PATH with recorders of apt-get and dpkg: each writes its argv to $CALLS/<name>. */
function recorders(): string {
  const dir = mkdtempSync(join(tmpdir(), 'port-drift-recorders-'));
  for (const name of ['apt-get', 'dpkg']) {
    writeFileSync(
      join(dir, name),
      `#!/bin/sh\necho "$*" >> "$CALLS/${name}"\nexec /usr/bin/${name} "$@"\n`,
    );
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

/** Text that a RegExp matches as it is. */
const esc = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface CachedRun {
  run: ActionRun;
  /** The argv of each apt-get and dpkg the action started. */
  aptGet: string[];
  dpkg: string[];
  warnings: string[];
}

describe(
  'nmap from the Actions cache (as root, in a view of this machine without nmap)',
  { skip: noNmapSkip() },
  () => {
    let work: string;
    let system: NoNmap;
    let server: CacheServer;
    let listener: Server;
    let port: number;
    let shims: string;
    /** The key prefix of this runner's entries: image test-image 7, this machine's architecture. */
    let prefix = '';
    /** nmap's version as this machine's package index has it, escaped for a RegExp. */
    let version = '';
    let runs = 0;
    const runnerTemp = (): string => join(work, 'runner-temp');

    before(async () => {
      work = mkdtempSync(join(tmpdir(), 'port-drift-install-'));
      mkdirSync(runnerTemp());
      system = await withoutNmap();
      server = await startCacheServer();
      listener = await listenTcp();
      port = (listener.address() as AddressInfo).port;
      shims = recorders();
      prefix = `port-drift-nmap-v1-test-image-7-${(await must(['dpkg', '--print-architecture'])).trim()}-`;
      version = esc(await must(['dpkg-query', '-W', '-f', '${Version}', 'nmap']));
    });
    after(async () => {
      system?.destroy();
      await server?.close();
      listener?.close();
      rmSync(work, { recursive: true, force: true });
      rmSync(shims, { recursive: true, force: true });
    });

    /** The action, on this machine without nmap, as a runner of image test-image 7 with this cache. */
    const run = async (env: Record<string, string> = {}): Promise<CachedRun> => {
      const calls = mkdtempSync(join(work, 'calls-'));
      const result = await runAction(
        { targets: '127.0.0.1', ports: String(port), expected: `127.0.0.1: ${port}` },
        system.exec,
        {
          ...server.env,
          RUNNER_TEMP: runnerTemp(),
          GITHUB_WORKSPACE: work,
          ImageOS: 'test-image',
          ImageVersion: '7',
          PATH: `${shims}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
          CALLS: calls,
          // Each run its own (the history the action keeps in the cache is saved under it).
          GITHUB_RUN_ID: String(++runs),
          ...env,
        },
      );
      const read = (name: string): string[] => {
        const file = join(calls, name);
        return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
      };
      return {
        run: result,
        aptGet: read('apt-get'),
        dpkg: read('dpkg').filter((argv) => argv !== '--print-architecture'),
        warnings: result.stdout.split('\n').filter((l) => l.startsWith('::warning::')),
      };
    };

    /** The scan ran with a working nmap: the listener's port found open, nothing else to say. */
    const scanned = ({ run: r }: CachedRun): void => {
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.deepEqual(r.findings, [], r.stdout);
      const observed = (r.report?.['observed'] ?? []) as {
        address: string;
        ports: { port: number; state: string }[];
      }[];
      const open = observed.flatMap((o) =>
        o.ports.filter((p) => p.state === 'open').map((p) => `${o.address}:${p.port}`),
      );
      assert.deepEqual(open, [`127.0.0.1:${port}`]);
    };

    /** report.json's scan.nmapInstall, its seconds checked to be a number and left out. */
    const installed = (r: CachedRun): Record<string, unknown> => {
      const scan = (r.run.report?.['scan'] ?? {}) as { nmapInstall?: Record<string, unknown> };
      const { seconds, ...rest } = scan.nmapInstall ?? {};
      assert.equal(typeof seconds, 'number', JSON.stringify(scan.nmapInstall));
      return rest;
    };

    const nmapEntries = () => server.entries.filter((e) => e.finalized && e.key.startsWith(prefix));

    const apt = (r: CachedRun): string[] => r.aptGet.filter((argv) => argv.startsWith('install'));

    let firstKey = '';

    it('on a miss, installs with apt-get and keeps the packages apt-get installed in the cache', async () => {
      const r = await run();
      scanned(r);
      assert.equal(apt(r).length, 1, r.run.stdout);
      assert.deepEqual(r.warnings, [], r.run.stdout);
      assert.match(r.run.stdout, new RegExp(`^No entry ${esc(prefix)}… in the Actions cache`, 'm'));
      assert.match(
        r.run.stdout,
        /^nmap installed with apt-get from the runner's package index in \d+\.\d s\.$/m,
      );
      const kept = new RegExp(
        `^Kept nmap's (\\d+) packages in the Actions cache as (${esc(prefix)}${version}-\\S+), for the next run\\.$`,
        'm',
      ).exec(r.run.stdout);
      assert.ok(kept, r.run.stdout);
      // Every package the view of the machine lacked: nmap and what only it needs.
      assert.equal(Number(kept[1]), system.removed.length);
      firstKey = kept[2] ?? '';
      assert.deepEqual(
        nmapEntries().map((e) => e.key),
        [firstKey],
      );
      assert.deepEqual(installed(r), {
        from: 'apt-get',
        cacheKey: firstKey,
      });
    });

    it('on a hit, verifies every package against the apt index and installs them with dpkg, without apt-get', async () => {
      const r = await run();
      scanned(r);
      assert.deepEqual(r.aptGet, [], 'apt-get never ran');
      assert.deepEqual(r.warnings, [], r.run.stdout);
      const n = system.removed.length;
      assert.match(
        r.run.stdout,
        new RegExp(
          `^nmap ${version} from the Actions cache \\(${n} packages verified against the apt index\\) in \\d+\\.\\d s\\.$`,
          'm',
        ),
      );
      assert.equal(r.dpkg.length, 1, r.dpkg.join('\n'));
      // dpkg -i [options] the entry's files: one per package the view of the machine lacked.
      const argv = (r.dpkg[0] ?? '').split(' ');
      assert.equal(argv[0], '-i');
      const files = argv.slice(1).filter((a) => !a.startsWith('-'));
      assert.ok(
        files.every((f) => f.startsWith(join(runnerTemp(), 'port-drift-nmap/'))),
        argv.join(' '),
      );
      assert.deepEqual(
        files.map((f) => f.replace(/^.*\//, '').replace(/_.*$/, '')).sort(),
        [...system.removed].sort(),
      );
      assert.deepEqual(installed(r), {
        from: 'actions-cache',
        packages: n,
        cacheKey: firstKey,
      });
      // Nothing new was saved.
      assert.equal(nmapEntries().length, 1);
    });

    let tamperedKey = '';

    it('discards an entry whose packages do not verify, with a warning naming each, and installs with apt-get', async () => {
      // An entry saved after the good one (so restored first), by the real cache client: the good
      // entry's files, with nmap's package rebuilt around one more file (a valid package, not the one
      // the index signs), and another package renamed to liblinear4's name.
      const dir = join(runnerTemp(), 'port-drift-nmap');
      let nmapDeb = '';
      let victim: string | undefined;
      let impostor: string | undefined;
      tamperedKey = `${prefix}tampered`;
      // The test's own cache client talks to the stand-in service, from the same workspace.
      const env: Record<string, string> = { ...server.env, GITHUB_WORKSPACE: work };
      const saved = Object.keys(env).map((k) => [k, process.env[k]] as const);
      Object.assign(process.env, env);
      try {
        rmSync(dir, { recursive: true, force: true });
        assert.equal(await cache.restoreCache([dir], firstKey), firstKey);
        const files = readdirSync(dir);
        nmapDeb = files.find((f) => f.startsWith('nmap_')) ?? '';
        const tree = join(work, 'tree');
        await must(['dpkg-deb', '-R', join(dir, nmapDeb), tree]);
        mkdirSync(join(tree, 'usr/share/doc/nmap'), { recursive: true });
        writeFileSync(join(tree, 'usr/share/doc/nmap/port-drift-was-here'), 'not from Debian\n');
        await must(['dpkg-deb', '-b', tree, join(dir, nmapDeb)]);
        // Another package of the entry under a third one's name.
        [victim, impostor] = files.filter((f) => f !== nmapDeb);
        assert.ok(victim && impostor, `two packages beside nmap's: ${files.join(' ')}`);
        copyFileSync(join(dir, impostor), join(dir, victim));
        assert.notEqual(await cache.saveCache([dir], tamperedKey), -1);
      } finally {
        for (const [k, v] of saved) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }

      const r = await run();
      scanned(r);
      const refused = (file: string, why: string): void =>
        assert.ok(
          r.warnings.some((w) =>
            w.startsWith(
              `::warning::The Actions cache entry ${tamperedKey} holds a package that does not verify, discarded: "${file}": ${why}. Nothing from this entry is installed: nmap is installed with apt-get.`,
            ),
          ),
          r.warnings.join('\n'),
        );
      const [nmapName, nmapVersion] = nmapDeb.split('_');
      refused(
        nmapDeb,
        `its SHA-256 is not the one the runner's package index gives ${nmapName} ${nmapVersion?.replace('%3a', ':')}`,
      );
      const [otherName, otherVersion, otherArch] = (impostor ?? '')
        .replace(/\.deb$/, '')
        .split('_');
      refused(
        victim ?? '',
        `holds ${otherName} ${otherVersion?.replace('%3a', ':')} ${otherArch}, not the package its name says`,
      );
      assert.deepEqual(r.dpkg, [], 'dpkg installed nothing from the entry');
      assert.equal(apt(r).length, 1, r.run.stdout);
      assert.equal(installed(r)['from'], 'apt-get');
      // What apt-get installed is kept as a newer entry: the next run uses it.
      const healed = installed(r)['cacheKey'];
      assert.match(String(healed), new RegExp(`^${esc(prefix)}${version}-`));

      const next = await run();
      scanned(next);
      assert.deepEqual(next.aptGet, []);
      assert.deepEqual(next.warnings, [], next.run.stdout);
      assert.equal(installed(next)['cacheKey'], healed);
    });

    for (const [what, set] of [
      ['hangs', (s: CacheServer) => (s.hang = true)],
      ['answers 500', (s: CacheServer) => (s.failWith = 500)],
    ] as const) {
      it(`installs with apt-get, after one warning, when the cache service ${what}`, async () => {
        set(server);
        try {
          const r = await run({ PORT_DRIFT_HTTP_TIMEOUT: '2s' });
          scanned(r);
          assert.deepEqual(
            r.warnings,
            [
              "::warning::nmap's packages were not restored from the Actions cache: the Actions cache service gave no answer within 2 s. nmap is installed with apt-get.",
            ],
            r.run.stdout,
          );
          assert.equal(apt(r).length, 1, r.run.stdout);
          assert.deepEqual(installed(r), { from: 'apt-get' });
        } finally {
          server.hang = false;
          server.failWith = undefined;
        }
      });
    }
  },
);
