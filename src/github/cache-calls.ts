// Calls to the GitHub Actions results service: the cache (@actions/cache), for every store kept in
// it (nmap's packages, the last state and the history), and the workflow artifacts
// (@actions/artifact, artifact.ts), which the runner serves from the same ACTIONS_RESULTS_URL. Each
// call ends within its deadline, whatever the client's own retries would do, and a service that let
// one call run out of time is not asked again in this run (one process runs one job): a hung
// service costs one deadline, not one per store.
import { getErrorMessage } from '../base/errors.js';
import { within as deadline } from '../base/files.js';

export class Deadline extends Error {}

/** Whether the cache service let a call run out of time earlier in this run. */
export const service = { hung: false };

export type CallOptions = { timeoutInMs: number; segmentTimeoutInMs: number };

/** The cache client's own timeouts, set to the deadline. */
export const callOptions = (timeoutMs: number): CallOptions => ({
  timeoutInMs: timeoutMs,
  segmentTimeoutInMs: timeoutMs,
});

/** Why a call failed, for the log; a deadline marks the service as not answering. */
export function whyNoAnswer(
  error: unknown,
  timeoutMs: number,
  what = 'the Actions cache service',
): string {
  if (!(error instanceof Deadline)) return getErrorMessage(error);
  service.hung = true;
  return `${what} gave no answer within ${timeoutMs / 1000} s`;
}

/**
 * `work` within `ms`. The cache and artifact clients retry on its own (five attempts, three-minute sockets)
 * and takes no signal: past the deadline its promise is left behind, its outcome ignored; the
 * action's entry point ends the process when the run is over, so a hung socket cannot hold it.
 */
export function cacheCall<T>(ms: number, work: Promise<T>): Promise<T> {
  work.catch(() => undefined);
  return deadline(work, ms, () => new Deadline());
}
