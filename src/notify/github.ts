// The GitHub client: Octokit from @actions/github with the throttling and retry plugins, pointed at
// GITHUB_API_URL (GitHub Enterprise, or a test server), and one way to turn its errors into words.
import { getOctokit } from '@actions/github';
import { defaults } from '@actions/github/lib/utils';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { getErrorMessage } from '../errors.js';

export type GitHub = ReturnType<typeof getOctokit>;

export interface Log {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}

/** Waits longer than this are not worth holding a job for: the notification becomes a warning. */
const MAX_WAIT_S = 60;

/**
 * The fetch @actions/github uses (it knows the runner's proxy), with a deadline on each request.
 * Octokit sets none, and undici waits 300 s for the headers and as long again for the body: a
 * GitHub that accepts a connection and never answers would hold the job for many minutes.
 */
function fetchWithDeadline(timeoutMs: number): typeof fetch {
  const upstream = (defaults.request?.fetch as typeof fetch | undefined) ?? fetch;
  return async (url, init) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      return await upstream(url, {
        ...init,
        signal: init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline,
      });
    } catch (error) {
      if (deadline.aborted)
        throw new Error(`no answer within ${timeoutMs / 1000} s`, { cause: error });
      throw error;
    }
  };
}

export function createGitHub(token: string, apiUrl: string, log: Log, timeoutMs: number): GitHub {
  const onLimit =
    (kind: string) =>
    (
      retryAfter: number,
      options: { method?: string; url?: string },
      _o: unknown,
      count: number,
    ) => {
      const retrying = count < 2 && retryAfter <= MAX_WAIT_S;
      log.info(
        `GitHub ${kind} rate limit on ${options.method ?? ''} ${options.url ?? ''}: ${retrying ? `retrying in ${retryAfter} s` : 'giving up'}.`,
      );
      return retrying;
    };
  return getOctokit(
    token,
    {
      baseUrl: apiUrl,
      request: { ...defaults.request, fetch: fetchWithDeadline(timeoutMs) },
      log: {
        debug: (m: string) => log.debug(m),
        info: (m: string) => log.debug(m),
        warn: (m: string) => log.info(m),
        error: (m: string) => log.info(m),
      },
      throttle: { onRateLimit: onLimit('primary'), onSecondaryRateLimit: onLimit('secondary') },
      // 5xx, network errors and timeouts: retried after 1 s and 4 s. 4xx are answers, not accidents.
      retry: { retries: 2, doNotRetry: [400, 401, 403, 404, 410, 422, 451] },
    },
    retry,
    throttling,
  );
}

/** The HTTP status of an Octokit error, when it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Octokit's error as one line a user can act on. `permission` is what the job needs for this call,
 * such as `issues: write`.
 */
export function describeGitHubError(error: unknown, permission: string): string {
  const status = statusOf(error);
  const message = getErrorMessage(error).split('\n')[0]?.slice(0, 300) ?? '';
  switch (status) {
    case 401:
      return `the token was refused (401 ${message}). Check github-token.`;
    case 403:
      return /rate limit/i.test(message)
        ? `GitHub's rate limit stopped it (403 ${message}).`
        : `the token may not do this (403 ${message}). Add \`permissions: ${permission}\` to the job.`;
    case 404:
      return `not found (404 ${message}): the repository or the token's access to it. The token needs \`permissions: ${permission}\`.`;
    case 410:
      return `gone (410 ${message}): issues may be disabled in this repository.`;
    case 422:
      return `GitHub refused the request (422 ${message}).`;
    default:
      // Octokit gives a request that got no answer at all (refused, reset, timed out) status 500.
      if (status === 500 && (error as { response?: unknown }).response === undefined) {
        return `could not reach GitHub: ${message}`;
      }
      return status ? `GitHub answered ${status}: ${message}` : message;
  }
}

/**
 * Creates something that must not exist twice (the issue, the sticky comment). A create answered
 * with a 5xx, or lost on the way back, may still have been made: GitHub sometimes does both. So it
 * is never retried blindly (callers pass `request: { retries: 0 }`): `find` looks for it first, and
 * the create is repeated only when it is not there.
 */
export async function createOnce<T>(
  what: string,
  create: () => Promise<T>,
  find: () => Promise<T | undefined>,
  log: Log,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (error) {
      const status = statusOf(error);
      if (attempt >= 3 || (status !== undefined && status < 500)) throw error;
      log.info(
        `Creating ${what} failed (${status ?? getErrorMessage(error)}); checking whether it was made anyway.`,
      );
      await new Promise((resolve) => setTimeout(resolve, attempt * 1000));
      const made = await find();
      if (made !== undefined) return made;
    }
  }
}
