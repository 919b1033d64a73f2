// The GitHub client: Octokit from @actions/github with the throttling plugin, pointed at
// GITHUB_API_URL (GitHub Enterprise, or a test server); one deadline per call, retries included;
// who the token is; and one way to turn its errors into words that say what was seen.
import { setTimeout as sleep } from 'node:timers/promises';
import { getOctokit } from '@actions/github';
import { defaults } from '@actions/github/lib/utils';
import { throttling } from '@octokit/plugin-throttling';
import { getErrorMessage } from '../base/errors.js';
import { oneLine } from '../base/markdown.js';
import type { Logger } from '../base/log.js';

export type GitHub = ReturnType<typeof getOctokit>;

/** A call that ended without an answer GitHub meant: its deadline passed, or it was redirected. */
export class NoAnswerError extends Error {
  constructor(
    message: string,
    readonly kind: 'deadline' | 'redirect',
  ) {
    super(message);
    this.name = 'NoAnswerError';
  }
}

/** Backoff before the second and third attempt of a call that failed with a 5xx or no answer. */
const BACKOFF_MS = [1000, 4000];

/**
 * The fetch @actions/github uses (it knows the runner's proxy), with redirects refused: GitHub's
 * API answers what it is asked, and a 3xx (a proxy's login page, a moved repository) is not an
 * answer to a create or an update. Octokit would otherwise follow it and report the page it landed
 * on as the result.
 */
function fetchWithoutRedirects(): typeof fetch {
  const upstream = (defaults.request?.fetch as typeof fetch | undefined) ?? fetch;
  return async (url, init) => {
    const response = await upstream(url, { ...init, redirect: 'manual' });
    if (response.status >= 300 && response.status < 400 && response.status !== 304) {
      await response.body?.cancel().catch(() => undefined);
      const where = response.headers.get('location');
      throw new NoAnswerError(
        `GitHub answered ${response.status} with a redirect${where ? ` to ${where.slice(0, 200)}` : ''}, which port-drift does not follow`,
        'redirect',
      );
    }
    return response;
  };
}

interface CallOptions {
  method?: string;
  url?: string;
  request?: { retries?: number; signal?: AbortSignal; deadline?: number; [key: string]: unknown };
}

/** What the error says about the call, when it is one of ours (deadline, redirect). */
function noAnswer(error: unknown): NoAnswerError | undefined {
  for (let e = error; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof NoAnswerError) return e;
  }
  return undefined;
}

/**
 * Creates the client. `timeoutMs` is the deadline of each call: its attempts, the waits between
 * them and rate-limit waits all end within it. 5xx answers and requests that got no answer are tried
 * again (after 1 s, then 4 s) while time is left; creates are not (they pass `retries: 0`).
 */
export function createGitHub(
  token: string,
  apiUrl: string,
  log: Logger,
  timeoutMs: number,
): GitHub {
  const gh = getOctokit(
    token,
    {
      baseUrl: apiUrl,
      request: { ...defaults.request, fetch: fetchWithoutRedirects() },
      log: {
        debug: (m: string) => log.debug(m),
        info: (m: string) => log.debug(m),
        warn: (m: string) => log.info(m),
        error: (m: string) => log.info(m),
      },
      throttle: {
        onRateLimit: onRateLimit('primary', log),
        onSecondaryRateLimit: onRateLimit('secondary', log),
      },
    },
    throttling,
  );
  // Registered after the plugins, so it wraps them: one deadline covers the whole call.
  gh.hook.wrap('request', (request, options: CallOptions) =>
    withinDeadline(request, options, timeoutMs, log),
  );
  return gh;
}

/** The throttling plugin's question on a rate limit: wait and try again, while the call has time. */
function onRateLimit(kind: string, log: Logger) {
  return (retryAfter: number, options: CallOptions, _o: unknown, count: number): boolean => {
    const left = (options.request?.deadline ?? Infinity) - Date.now();
    const retrying = count < 2 && retryAfter * 1000 < left;
    log.info(
      `GitHub ${kind} rate limit on ${options.method ?? ''} ${options.url ?? ''}: ${retrying ? `retrying in ${retryAfter} s` : `giving up (it asks for ${retryAfter} s, more than this call has left)`}.`,
    );
    return retrying;
  };
}

/** One call, its attempts and waits within `timeoutMs`: 5xx and no answer are tried again. */
async function withinDeadline<R>(
  request: (options: never) => R | Promise<R>,
  options: CallOptions,
  timeoutMs: number,
  log: Logger,
): Promise<R> {
  const deadline = Date.now() + timeoutMs;
  const retries = options.request?.retries ?? BACKOFF_MS.length;
  for (let attempt = 0; ; attempt++) {
    const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
    // The hooks inside (throttling, and the request itself) hold this very options object:
    // the signal and the deadline reach them through it.
    options.request = { ...options.request, signal, deadline };
    try {
      return await request(options as never);
    } catch (error) {
      const seen = noAnswer(error);
      if (seen) throw seen;
      if (signal.aborted || Date.now() >= deadline) {
        throw new NoAnswerError(`no answer within ${timeoutMs / 1000} s`, 'deadline');
      }
      const status = statusOf(error);
      const answered = (error as { response?: unknown }).response !== undefined;
      const wait = BACKOFF_MS[attempt];
      const retryable = !answered || (status !== undefined && status >= 500);
      if (!retryable || attempt >= retries || wait === undefined) throw error;
      if (Date.now() + wait >= deadline) throw error;
      log.info(
        `GitHub ${answered ? `answered ${status}` : `could not be reached (${firstLine(error)})`} on ${options.method ?? ''} ${options.url ?? ''}: trying again in ${wait / 1000} s.`,
      );
      await sleep(wait);
    }
  }
}

/**
 * Who the token writes as: its login and, when GitHub says it, its numeric user id, which is the
 * same in every API (a login is not: a bot is `github-actions[bot]` in REST and may be
 * `github-actions` in GraphQL or `app/github-actions` elsewhere).
 */
export interface Identity {
  login: string;
  id?: number;
}

/** An author as the REST API shows it on an issue or a comment. */
export interface Author {
  login?: string;
  id?: number;
  type?: string;
}

/**
 * Who the token is: comments and issues are ours only when they are by this identity. A personal
 * token reads its user (`GET /user`); an installation token (the job's GITHUB_TOKEN, a GitHub App's
 * token) may not (403), and GraphQL's `viewer` names its bot and gives its id (`databaseId`, the
 * REST id: 41898282 for github-actions[bot]).
 */
export async function whoAmI(gh: GitHub, log: Logger): Promise<Identity> {
  try {
    const { data } = await gh.rest.users.getAuthenticated();
    return identityOf(data.login, data.id);
  } catch (error) {
    if (statusOf(error) !== 403) throw error;
  }
  const data = await gh.graphql<{ viewer?: { login?: unknown; databaseId?: unknown } }>(
    'query { viewer { login databaseId } }',
  );
  const login = data.viewer?.login;
  if (typeof login !== 'string' || !login) {
    throw new Error('GitHub did not say who the token is (GraphQL viewer has no login)');
  }
  const me = identityOf(login, data.viewer?.databaseId);
  log.debug(`The token writes as ${me.login}${me.id !== undefined ? ` (id ${me.id})` : ''}.`);
  return me;
}

function identityOf(login: string, id: unknown): Identity {
  return Number.isSafeInteger(id) && (id as number) > 0 ? { login, id: id as number } : { login };
}

/** `github-actions` of `github-actions[bot]`, `app/github-actions` or `GitHub-Actions`. */
const bareName = (login: string): string =>
  login
    .toLowerCase()
    .replace(/^app\//, '')
    .replace(/\[bot\]$/, '');

/**
 * Is this author the token's identity? By the numeric id when both have one: it cannot differ
 * between APIs. Otherwise by login, case-insensitive (GitHub's logins are), where a bot's forms
 * (`name[bot]`, `app/name`, `name`) are one; a user (type `User`) never matches a bot's name: the
 * user `drift-watch` is not the app `drift-watch[bot]`.
 */
export function isMe(me: Identity, author: Author | null | undefined): boolean {
  if (!author) return false;
  if (me.id !== undefined && typeof author.id === 'number') return author.id === me.id;
  if (typeof author.login !== 'string' || author.login === '') return false;
  if (author.login.toLowerCase() === me.login.toLowerCase()) return true;
  const botForm = (login: string): boolean => /^app\/|\[bot\]$/i.test(login);
  const aBot = author.type === 'Bot' || botForm(author.login);
  return aBot && author.type !== 'User' && bareName(author.login) === bareName(me.login);
}

/**
 * GitHub lists at most 3,000 files of a pull request, 30 pages of 100: no listing port-drift reads
 * (changed files, issues by label, comments) is read further. Each request has its deadline; this
 * bounds the whole listing, even against a server that answers empty pages that link a next one.
 */
export const MAX_PAGES = 30;

/**
 * Reads a listing page by page, handing each page's items to `visit` until it returns true
 * (`stopped`), the listing ends (`ended`), or `maxPages` were read and GitHub still links a next
 * page (`cut`): then what was not read is unknown, and the caller says so.
 */
export async function readPages<T>(
  pages: AsyncIterable<{ data: T[]; headers: { link?: string } }>,
  visit: (items: T[]) => boolean,
  maxPages = MAX_PAGES,
): Promise<'stopped' | 'ended' | 'cut'> {
  let read = 0;
  for await (const page of pages) {
    if (visit(page.data)) return 'stopped';
    // Leaving the loop closes the iterator: the next page is never asked for.
    if (++read >= maxPages) return /\brel="next"/.test(page.headers.link ?? '') ? 'cut' : 'ended';
  }
  return 'ended';
}

/** The HTTP status of an Octokit error, when it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function firstLine(error: unknown): string {
  return getErrorMessage(error).split('\n')[0]?.slice(0, 300) ?? '';
}

/** `PATCH /repos/o/r/issues/7`, from an Octokit error, when it carries its request. */
function requestOf(error: unknown): string {
  const request = (error as { request?: { method?: unknown; url?: unknown } }).request;
  if (typeof request?.method !== 'string' || typeof request.url !== 'string') return '';
  const path = URL.canParse(request.url) ? new URL(request.url).pathname : request.url;
  // As the user wrote it: Octokit sends a file's path encoded (`policies%2Fports.yml`), and the
  // runner's annotation would encode its `%` once more. Decoded text is put on one line.
  let shown = path;
  try {
    shown = decodeURIComponent(path);
  } catch {
    // Not valid percent-encoding: shown as sent.
  }
  return ` on ${request.method} ${oneLine(shown, 200)}`;
}

/**
 * Octokit's error as one line saying what GitHub answered to which request, and what to do where the
 * answer itself says so. `permission` is what the job needs for this call, such as `issues: write`.
 */
export function describeGitHubError(error: unknown, permission: string): string {
  const seen = noAnswer(error);
  if (seen) {
    return seen.kind === 'deadline'
      ? `could not reach GitHub: ${seen.message}`
      : `${seen.message}. Check GITHUB_API_URL and any proxy between the runner and GitHub.`;
  }
  const status = statusOf(error);
  const message = firstLine(error);
  const where = requestOf(error);
  switch (status) {
    case 401:
      return `the token was refused (401 ${message}). Check github-token.`;
    case 403:
      return /rate limit/i.test(message)
        ? `GitHub's rate limit stopped it (403 ${message}).`
        : `the token may not do this (403 ${message}${where}). Add \`permissions: ${permission}\` to the job.`;
    case 404:
      return `not found (404 ${message}${where}).`;
    case 410:
      return `gone (410 ${message}${where}): issues may be disabled in this repository.`;
    case 422:
      return `GitHub refused the request (422 ${message}${where}).`;
    default:
      // Octokit gives a request that got no answer at all (refused, reset) status 500.
      if (status === 500 && (error as { response?: unknown }).response === undefined) {
        return `could not reach GitHub: ${message}`;
      }
      return status ? `GitHub answered ${status}${where}: ${message}` : message;
  }
}

/**
 * Creates something that must not exist twice (the issue, the sticky comment). A create answered
 * with a 5xx, or lost on the way back, may still have been made: GitHub sometimes does both. So it
 * is never retried blindly (callers pass `request: { retries: 0 }`): `find` looks for it first, and
 * the create is repeated only when it is not there. A 4xx, a redirect or a passed deadline ends it.
 */
export async function createOnce<T>(
  what: string,
  create: () => Promise<T>,
  find: () => Promise<T | undefined>,
  log: Logger,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (error) {
      const status = statusOf(error);
      // A deadline that passed is not waited out again: GitHub had its time for this run.
      if (attempt >= 3 || noAnswer(error) || (status !== undefined && status < 500)) throw error;
      log.info(
        `Creating ${what} got ${status ? `answer ${status}` : `no answer (${firstLine(error)})`}; checking whether it was made anyway.`,
      );
      await sleep(attempt * 1000);
      const made = await find();
      if (made !== undefined) return made;
    }
  }
}

/** A repository as the REST API names it. */
export interface Repo {
  owner: string;
  repo: string;
}
