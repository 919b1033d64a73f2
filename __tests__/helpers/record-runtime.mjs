// Preloaded into the action by __tests__/e2e/runtime.test.ts (NODE_OPTIONS=--import): writes the
// version and path of the Node that runs it to the file PORT_DRIFT_TEST_RUNTIME_FILE names, so the
// test reads which Node ran the action from the action's own process, not from the harness.
import { writeFileSync } from 'node:fs';

const file = process.env.PORT_DRIFT_TEST_RUNTIME_FILE;
if (file) {
  writeFileSync(file, JSON.stringify({ version: process.version, execPath: process.execPath }));
}
