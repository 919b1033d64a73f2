// The action's entry point: everything happens in run().
import { run } from './action/main.js';

await run();
// The run is over. A service that never answered (the Actions cache client keeps its own sockets
// and retries, and takes no signal) must not hold the job: once what was written is flushed, exit.
process.stdout.write('', () => process.stderr.write('', () => process.exit()));
