// The Node the end-to-end tests run the action (dist/index.js) and the command line (dist/cli) on:
// the binary PORT_DRIFT_TEST_NODE names, else the Node running the tests. `npm run test:node24`
// sets it to the Node 24 of __tests__/node24 (the runtime action.yml names), so CI runs the same
// end-to-end tests on both. Only the action runs on it: the tests, the listeners and the stand-ins
// stay on the Node running the tests. A variable that names nothing that runs is an error, never
// a silent fallback to the test's own Node.
import { spawnSync } from 'node:child_process';
import { delimiter, dirname, resolve } from 'node:path';
import { repoRoot } from './paths.js';

export const NODE_VARIABLE = 'PORT_DRIFT_TEST_NODE';

function resolveActionNode(): { path: string; version: string } {
  const named = process.env[NODE_VARIABLE];
  if (!named) return { path: process.execPath, version: process.version };
  const path = resolve(repoRoot, named);
  const probe = spawnSync(path, ['-p', 'process.version'], { encoding: 'utf8', timeout: 30_000 });
  const version = probe.stdout?.trim() ?? '';
  if (probe.status !== 0 || !/^v\d+\./.test(version)) {
    throw new Error(
      `${NODE_VARIABLE}=${named}: ${path} does not run as Node (${probe.error?.message ?? (probe.stderr?.trim() || `exit ${probe.status}`)}). Install Node 24 with 'npm ci --prefix __tests__/node24', or unset ${NODE_VARIABLE}.`,
    );
  }
  return { path, version };
}

const resolved = resolveActionNode();

/** The node binary the action runs on: an absolute path. */
export const actionNode = resolved.path;
/** Its version as it reports it (`v24.22.3`). */
export const actionNodeVersion = resolved.version;
/** Whether PORT_DRIFT_TEST_NODE chose it (else it is the Node running the tests). */
export const actionNodeChosen = Boolean(process.env[NODE_VARIABLE]);

/** PATH with the action's Node first: for the command line installed as `port-drift` (env node). */
export function pathWithActionNode(path = process.env['PATH'] ?? ''): string {
  if (!actionNodeChosen) return path;
  return [dirname(actionNode), ...path.split(delimiter).filter(Boolean)].join(delimiter);
}
