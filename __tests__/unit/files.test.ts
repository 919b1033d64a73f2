// How port-drift reads and writes files (files.ts, lock.ts): what a user relies on is that a link
// planted under a name port-drift writes never leads it to another file, that a folder another user
// can write is refused with the input named, that a FIFO or a folder is refused instead of waited on,
// and that two runs never hold one state file at once.
import { quietLogger } from '../../src/base/log.js';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancelledError, ConfigurationError } from '../../src/base/errors.js';
import {
  checkFolder,
  createExclusive,
  makeFolder,
  privateFolder,
  readUserFile,
  readUserFileSync,
  writeWhole,
} from '../../src/base/files.js';
import { lockFile } from '../../src/memory/lock.js';
import { isRoot } from '../helpers/paths.js';

const log = quietLogger;
const REPORTS = { input: 'report-dir', holds: 'the reports' };

let work: string;
let victim: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'port-drift-files-'));
  victim = join(work, 'victim');
  writeFileSync(victim, 'root:secret\n');
});
after(() => rmSync(work, { recursive: true, force: true }));

/** A fresh folder of this user's, mode 0755. */
function folder(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(dir, 0o755);
  return dir;
}

const refusal = (input: string, words: RegExp) => (e: unknown) =>
  e instanceof ConfigurationError && e.input === input && words.test(e.message);

describe('writing a file of port-drift’s', () => {
  it('replaces a symbolic link planted under its name, and never touches what it points to', async () => {
    const dir = folder('planted');
    const report = join(dir, 'report.json');
    symlinkSync(victim, report);
    await writeWhole(report, '{"ok": true}\n');
    assert.equal(readFileSync(victim, 'utf8'), 'root:secret\n');
    assert.equal(lstatSync(report).isSymbolicLink(), false);
    assert.equal(readFileSync(report, 'utf8'), '{"ok": true}\n');
    assert.deepEqual(readdirSync(dir), ['report.json'], 'no temporary file left');
  });

  it('never opens an existing name: a link at a name it creates is refused, its target untouched', async () => {
    const dir = folder('exclusive');
    const temp = join(dir, '.report.json.tmp');
    symlinkSync(victim, temp);
    await assert.rejects(createExclusive(temp, 'x'), { code: 'EEXIST' });
    assert.equal(readFileSync(victim, 'utf8'), 'root:secret\n');
  });

  it('writes under a new unpredictable name each time', async () => {
    const dir = folder('names');
    const seen = new Set<string>();
    const path = join(dir, 'state.json');
    // The temporary name is gone once renamed: catch it by making the rename fail (a folder there).
    mkdirSync(path);
    writeFileSync(join(path, 'x'), '');
    for (let i = 0; i < 3; i++) {
      const error = await writeWhole(path, 'x').catch((e: NodeJS.ErrnoException) => e);
      assert.ok(error instanceof Error);
      seen.add(String(error.path));
    }
    assert.equal(seen.size, 3, [...seen].join(', '));
    for (const name of seen) assert.match(name, /\.state\.json\.[0-9a-f]{16}\.tmp$/);
    assert.deepEqual(readdirSync(dir), ['state.json'], 'each left nothing behind');
  });

  it('gives nmap a private folder (0700) inside report-dir', async () => {
    const dir = folder('private');
    const mine = await privateFolder(dir);
    assert.equal(statSync(mine).mode & 0o777, 0o700);
    assert.match(mine, /\/\.port-drift-run-[A-Za-z0-9]{6}$/);
  });
});

describe('a folder port-drift writes into', () => {
  it('is refused when every user can write it, naming the input and the fix', async () => {
    const dir = folder('open');
    chmodSync(dir, 0o777);
    await assert.rejects(
      checkFolder(dir, REPORTS),
      refusal(
        'report-dir',
        /cannot hold the reports safely: .* can be written by every user\. Name a folder of this user's that no other user can write \(chmod go-w it, or make a new one\)\./,
      ),
    );
  });

  it('is refused when a folder above it can be written by every user, and not sticky', async () => {
    const shared = folder('shared');
    chmodSync(shared, 0o777);
    const mine = join(shared, 'mine');
    mkdirSync(mine, { mode: 0o755 });
    await assert.rejects(
      checkFolder(mine, { input: '--state', holds: 'the state file' }),
      refusal('--state', new RegExp(`${shared} can be written by every user`)),
    );
  });

  it('is taken when it is sticky and this user’s own, as /tmp is root’s', async () => {
    const dir = folder('sticky');
    chmodSync(dir, 0o1777);
    assert.equal(await checkFolder(dir, REPORTS), dir);
  });

  it(
    'is refused when it is sticky but another user’s',
    { skip: !isRoot && 'needs root' },
    async () => {
      const dir = folder('sticky-theirs');
      chmodSync(dir, 0o1777);
      chownSync(dir, 1000, 1000);
      await assert.rejects(
        checkFolder(dir, REPORTS),
        refusal('report-dir', /belongs to another user \(uid 1000\), who can plant links in it/),
      );
    },
  );

  it('is made when missing, no other user able to write it whatever the umask', async () => {
    const old = process.umask(0);
    try {
      const made = await makeFolder(join(work, 'made', 'deep'), REPORTS);
      assert.equal(statSync(made).mode & 0o777, 0o755);
    } finally {
      process.umask(old);
    }
  });

  it('is refused, naming it, when it is a file', async () => {
    await assert.rejects(
      makeFolder(victim, REPORTS),
      refusal(
        'report-dir',
        /victim cannot hold the reports \(it, or a folder on its path, is a file\)/,
      ),
    );
  });
});

describe('reading a file a user names', () => {
  const fifo = (): string => {
    const path = join(work, `fifo-${Math.random().toString(16).slice(2)}`);
    assert.equal(spawnSync('mkfifo', [path]).status, 0);
    return path;
  };

  it('refuses a FIFO at once instead of waiting for a writer, sync or not', async () => {
    const path = fifo();
    const words = /is not a regular file \(a FIFO, socket or device\): not read/;
    await assert.rejects(
      readUserFile('--state', path, { followSymlinks: false }),
      refusal('--state', words),
    );
    assert.throws(
      () => readUserFileSync('policy', path, { followSymlinks: true }),
      refusal('policy', words),
    );
  });

  it('refuses a folder, a device, a link (when links are not followed) and a file too large', async () => {
    await assert.rejects(
      readUserFile('xml', work, { followSymlinks: true }),
      refusal('xml', /is a folder, not a file: name the file itself/),
    );
    await assert.rejects(
      readUserFile('xml', '/dev/zero', { followSymlinks: true }),
      refusal('xml', /\/dev\/zero is not a regular file/),
    );
    const link = join(work, 'link.json');
    symlinkSync(victim, link);
    await assert.rejects(
      readUserFile('--state', link, { followSymlinks: false }),
      refusal('--state', /link\.json is a symbolic link, which is not followed/),
    );
    await assert.rejects(
      readUserFile('--state', victim, { followSymlinks: false, maxBytes: 4 }),
      refusal('--state', /is larger than .* MiB, more than port-drift ever writes: not read/),
    );
  });
});

describe('one run per state file', () => {
  it('makes a second run wait, then end naming the file, the holder and the fix', async () => {
    const state = join(folder('lock-held'), 'edge.json');
    const first = await lockFile(state, { input: '--state', log });
    try {
      await assert.rejects(
        lockFile(state, { input: '--state', log, waitMs: 600 }),
        refusal(
          '--state',
          new RegExp(
            `edge\\.json is in use by another port-drift run \\(pid ${process.pid} on ${hostname()}, since .*\\), still after 0\\.6 s: this run stops before scanning and notifies nothing\\. .* delete .*edge\\.json\\.lock\\.$`,
          ),
        ),
      );
    } finally {
      first.release();
    }
    const second = await lockFile(state, { input: '--state', log, waitMs: 600 });
    second.release();
    assert.deepEqual(readdirSync(join(work, 'lock-held')), [], 'the lock is gone');
  });

  it('lets the waiting run go on as soon as the first ends', async () => {
    const state = join(folder('lock-wait'), 'edge.json');
    const first = await lockFile(state, { input: '--state', log });
    const waiting = lockFile(state, { input: '--state', log, waitMs: 30_000 });
    setTimeout(() => first.release(), 300);
    (await waiting).release();
  });

  it('takes over a lock whose run is gone', async () => {
    const state = join(folder('lock-stale'), 'edge.json');
    const gone = spawnSync(process.execPath, ['-e', 'process.pid']).pid;
    writeFileSync(
      `${state}.lock`,
      JSON.stringify({ pid: gone, host: hostname(), since: '2026-01-01T00:00:00.000Z' }),
    );
    const lock = await lockFile(state, { input: '--state', log, waitMs: 0 });
    assert.match(readFileSync(`${state}.lock`, 'utf8'), new RegExp(`"pid":${process.pid}`));
    lock.release();
  });

  it('stops waiting at once when the run is cancelled', async () => {
    const state = join(folder('lock-cancel'), 'edge.json');
    const first = await lockFile(state, { input: '--state', log });
    try {
      const controller = new AbortController();
      const waiting = lockFile(state, {
        input: '--state',
        log,
        waitMs: 60_000,
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 100);
      await assert.rejects(waiting, CancelledError);
    } finally {
      first.release();
    }
  });
});
