// The scan phase lives in src/scan/: this is its entry point.
export { scan, type ScanOutcome } from './scan/index.js';
