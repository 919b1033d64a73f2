#!/usr/bin/env node
// The `port-drift` command: the bundled CLI (dist/cli/index.js), built from src/cli/index.ts.
import '../dist/cli/index.js';
