// runProcess stops what it started, whole: a cancelled run or a deadline ends the process and
// everything it spawned (sudo and nmap are two processes), so nothing outlives port-drift.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runProcess } from '../../src/base/process.js';

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
