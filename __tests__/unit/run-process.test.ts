// runProcess stops what it started, whole: a cancelled run or a deadline ends the process and
// everything it spawned (sudo and nmap are two processes), so nothing outlives port-drift.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findOnPath, runProcess } from '../../src/base/process.js';

/** A parent that starts a child of its own, prints the child's pid, and then waits forever. */
const PARENT = `const { spawn } = require('node:child_process');
const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
console.log(child.pid);
setInterval(() => {}, 1000);`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
}

describe('runProcess', () => {
  for (const how of ['an abort signal', 'the deadline'] as const) {
    it(`stops the process and the processes it started on ${how}`, async () => {
      const controller = new AbortController();
      let grandchild = 0;
      const result = await runProcess([process.execPath, '-e', PARENT], {
        env: process.env,
        ...(how === 'the deadline' ? { deadline: Date.now() + 1500 } : {}),
        signal: controller.signal,
        onLine: (line) => {
          grandchild = Number(line);
          if (how === 'an abort signal') controller.abort();
        },
      });
      assert.equal(result.timedOut, true);
      assert.ok(grandchild > 0, result.stderr);
      assert.ok(await gone(grandchild), `pid ${grandchild} outlived its parent`);
    });
  }

  it('starts nothing when the signal has already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await runProcess([process.execPath, '-e', 'console.log("ran")'], {
      env: process.env,
      signal: controller.signal,
    });
    assert.equal(result.stdout, '');
    assert.equal(result.timedOut, true);
  });
});

describe('findOnPath', () => {
  it('finds the first executable file PATH names, as a shell would, and nothing else', () => {
    const root = mkdtempSync(join(tmpdir(), 'port-drift-path-'));
    try {
      const [a, b, c] = ['a', 'b', 'c'].map((d) => join(root, d));
      for (const d of [a, b, c]) mkdirSync(d as string);
      writeFileSync(join(a as string, 'nmap'), 'not executable'); // skipped: no x bit
      chmodSync(join(a as string, 'nmap'), 0o644);
      mkdirSync(join(b as string, 'nmap')); // skipped: a folder
      writeFileSync(join(c as string, 'nmap'), '#!/bin/sh\n');
      chmodSync(join(c as string, 'nmap'), 0o755);
      const file = join(root, 'a-file');
      writeFileSync(file, '');
      // A folder under a file, a relative folder and an empty entry are passed over without a word.
      const path = [join(file, 'bin'), 'relative', '', a, b, c].join(':');
      assert.equal(findOnPath('nmap', path), join(c as string, 'nmap'));
      assert.equal(findOnPath('apt-get', path), undefined);
      assert.equal(findOnPath('nmap', ''), undefined);
      // A link to an executable is found by its own path, as a shell runs it.
      symlinkSync(join(c as string, 'nmap'), join(a as string, 'ncat'));
      assert.equal(findOnPath('ncat', path), join(a as string, 'ncat'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
