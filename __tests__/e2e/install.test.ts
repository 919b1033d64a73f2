// Installing nmap when it is missing, through the built action, with stand-ins for apt-get on
// PATH that write down every argv they are given: the runner's package index is tried first, the
// index is updated only when that fails (a failing update is tried again), and the log says how
// long it took. Nothing is installed for real; the nmap the stand-in "installs" never sends a packet.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runAction, type ActionRun } from '../helpers/action.js';
import { runCommand } from '../helpers/exec.js';
import { fakeNmap, shellQuote } from '../helpers/fake-nmap.js';

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

const INSTALL = 'install -y -q --no-install-recommends nmap';

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
