export const id = 411;
export const ids = [411,120,752];
export const modules = {

/***/ 58987:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  Y0: () => (/* binding */ MAX_PAGES),
  i5: () => (/* binding */ NoAnswerError),
  Cl: () => (/* binding */ createGitHub),
  Ur: () => (/* binding */ createOnce),
  dZ: () => (/* binding */ describeGitHubError),
  ne: () => (/* binding */ isMe),
  n4: () => (/* binding */ readPages),
  c2: () => (/* binding */ statusOf),
  Wc: () => (/* binding */ whoAmI)
});

// EXTERNAL MODULE: external "node:timers/promises"
var promises_ = __webpack_require__(58500);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js
var github = __webpack_require__(61351);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/utils.js + 19 modules
var utils = __webpack_require__(85555);
// EXTERNAL MODULE: ./node_modules/bottleneck/light.js
var light = __webpack_require__(63251);
;// CONCATENATED MODULE: ./node_modules/@octokit/plugin-throttling/dist-bundle/index.js
// pkg/dist-src/index.js


// pkg/dist-src/version.js
var VERSION = "0.0.0-development";

// pkg/dist-src/wrap-request.js
var noop = () => Promise.resolve();
function wrapRequest(state, request, options) {
  return state.retryLimiter.schedule(doRequest, state, request, options);
}
async function doRequest(state, request, options) {
  const { pathname } = new URL(options.url, "http://github.test");
  const isAuth = isAuthRequest(options.method, pathname);
  const isWrite = !isAuth && options.method !== "GET" && options.method !== "HEAD";
  const isSearch = options.method === "GET" && pathname.startsWith("/search/");
  const isGraphQL = pathname.startsWith("/graphql");
  const retryCount = ~~request.retryCount;
  const jobOptions = retryCount > 0 ? { priority: 0, weight: 0 } : {};
  if (state.clustering) {
    jobOptions.expiration = 1e3 * 60;
  }
  if (isWrite || isGraphQL) {
    await state.write.key(state.id).schedule(jobOptions, noop);
  }
  if (isWrite && state.triggersNotification(pathname)) {
    await state.notifications.key(state.id).schedule(jobOptions, noop);
  }
  if (isSearch) {
    await state.search.key(state.id).schedule(jobOptions, noop);
  }
  const req = (isAuth ? state.auth : state.global).key(state.id).schedule(jobOptions, request, options);
  if (isGraphQL) {
    const res = await req;
    if (res.data.errors != null && res.data.errors.some((error) => error.type === "RATE_LIMITED")) {
      const error = Object.assign(new Error("GraphQL Rate Limit Exceeded"), {
        response: res,
        data: res.data
      });
      throw error;
    }
  }
  return req;
}
function isAuthRequest(method, pathname) {
  return method === "PATCH" && // https://docs.github.com/en/rest/apps/apps?apiVersion=2022-11-28#create-a-scoped-access-token
  /^\/applications\/[^/]+\/token\/scoped$/.test(pathname) || method === "POST" && // https://docs.github.com/en/rest/apps/oauth-applications?apiVersion=2022-11-28#reset-a-token
  (/^\/applications\/[^/]+\/token$/.test(pathname) || // https://docs.github.com/en/rest/apps/apps?apiVersion=2022-11-28#create-an-installation-access-token-for-an-app
  /^\/app\/installations\/[^/]+\/access_tokens$/.test(pathname) || // https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
  pathname === "/login/oauth/access_token");
}

// pkg/dist-src/generated/triggers-notification-paths.js
var triggers_notification_paths_default = [
  "/orgs/{org}/invitations",
  "/orgs/{org}/invitations/{invitation_id}",
  "/orgs/{org}/teams/{team_slug}/discussions",
  "/orgs/{org}/teams/{team_slug}/discussions/{discussion_number}/comments",
  "/repos/{owner}/{repo}/collaborators/{username}",
  "/repos/{owner}/{repo}/commits/{commit_sha}/comments",
  "/repos/{owner}/{repo}/issues",
  "/repos/{owner}/{repo}/issues/{issue_number}/comments",
  "/repos/{owner}/{repo}/issues/{issue_number}/sub_issue",
  "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues/priority",
  "/repos/{owner}/{repo}/pulls",
  "/repos/{owner}/{repo}/pulls/{pull_number}/comments",
  "/repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies",
  "/repos/{owner}/{repo}/pulls/{pull_number}/merge",
  "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
  "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
  "/repos/{owner}/{repo}/releases",
  "/teams/{team_id}/discussions",
  "/teams/{team_id}/discussions/{discussion_number}/comments"
];

// pkg/dist-src/route-matcher.js
function routeMatcher(paths) {
  const regexes = paths.map(
    (path) => path.split("/").map((c) => c.startsWith("{") ? "(?:.+?)" : c).join("/")
  );
  const regex2 = `^(?:${regexes.map((r) => `(?:${r})`).join("|")})[^/]*$`;
  return new RegExp(regex2, "i");
}

// pkg/dist-src/index.js
var regex = routeMatcher(triggers_notification_paths_default);
var triggersNotification = regex.test.bind(regex);
var groups = {};
var createGroups = function(Bottleneck, common) {
  groups.global = new Bottleneck.Group({
    id: "octokit-global",
    maxConcurrent: 10,
    ...common
  });
  groups.auth = new Bottleneck.Group({
    id: "octokit-auth",
    maxConcurrent: 1,
    ...common
  });
  groups.search = new Bottleneck.Group({
    id: "octokit-search",
    maxConcurrent: 1,
    minTime: 2e3,
    ...common
  });
  groups.write = new Bottleneck.Group({
    id: "octokit-write",
    maxConcurrent: 1,
    minTime: 1e3,
    ...common
  });
  groups.notifications = new Bottleneck.Group({
    id: "octokit-notifications",
    maxConcurrent: 1,
    minTime: 3e3,
    ...common
  });
};
function throttling(octokit, octokitOptions) {
  const {
    enabled = true,
    Bottleneck = light,
    id = "no-id",
    timeout = 1e3 * 60 * 2,
    // Redis TTL: 2 minutes
    connection
  } = octokitOptions.throttle || {};
  if (!enabled) {
    return {};
  }
  const common = { timeout };
  if (typeof connection !== "undefined") {
    common.connection = connection;
  }
  const state = Object.assign(
    {
      clustering: connection != null,
      triggersNotification,
      fallbackSecondaryRateRetryAfter: 60,
      retryAfterBaseValue: 1e3,
      id
    },
    octokitOptions.throttle
  );
  if (typeof state.onSecondaryRateLimit !== "function" || typeof state.onRateLimit !== "function") {
    throw new Error(`octokit/plugin-throttling error:
        You must pass the onSecondaryRateLimit and onRateLimit error handlers.
        See https://octokit.github.io/rest.js/#throttling

        const octokit = new Octokit({
          throttle: {
            onSecondaryRateLimit: (retryAfter, options) => {/* ... */},
            onRateLimit: (retryAfter, options) => {/* ... */}
          }
        })
    `);
  }
  let initialized = false;
  const initializeBottleneck = () => {
    if (initialized) {
      return;
    }
    initialized = true;
    if (groups.global == null) {
      createGroups(Bottleneck, common);
    }
    state.global = state.global ?? groups.global;
    state.auth = state.auth ?? groups.auth;
    state.search = state.search ?? groups.search;
    state.write = state.write ?? groups.write;
    state.notifications = state.notifications ?? groups.notifications;
    state.retryLimiter = state.retryLimiter ?? new Bottleneck();
    const events = {};
    const emitter = new Bottleneck.Events(events);
    events.on("secondary-limit", state.onSecondaryRateLimit);
    events.on("rate-limit", state.onRateLimit);
    events.on(
      "error",
      (e) => octokit.log.warn("Error in throttling-plugin limit handler", e)
    );
    state.retryLimiter.on("failed", async function(error, info) {
      const [state2, request, options] = info.args;
      const { pathname } = new URL(options.url, "http://github.test");
      const shouldRetryGraphQL = pathname.startsWith("/graphql") && error.status !== 401;
      if (!(shouldRetryGraphQL || error.status === 403 || error.status === 429)) {
        return;
      }
      const retryCount = ~~request.retryCount;
      request.retryCount = retryCount;
      options.request.retryCount = retryCount;
      const { wantRetry, retryAfter = 0 } = await (async function() {
        if (/\bsecondary rate\b/i.test(error.message)) {
          const retryAfter2 = Number(error.response.headers["retry-after"]) || state2.fallbackSecondaryRateRetryAfter;
          const wantRetry2 = await emitter.trigger(
            "secondary-limit",
            retryAfter2,
            options,
            octokit,
            retryCount
          );
          return { wantRetry: wantRetry2, retryAfter: retryAfter2 };
        }
        if (error.response.headers != null && error.response.headers["x-ratelimit-remaining"] === "0" || (error.response.data?.errors ?? []).some(
          (error2) => error2.type === "RATE_LIMITED"
        )) {
          const rateLimitReset = new Date(
            ~~error.response.headers["x-ratelimit-reset"] * 1e3
          ).getTime();
          const retryAfter2 = Math.max(
            // Add one second so we retry _after_ the reset time
            // https://docs.github.com/en/rest/overview/resources-in-the-rest-api?apiVersion=2022-11-28#exceeding-the-rate-limit
            Math.ceil((rateLimitReset - Date.now()) / 1e3) + 1,
            0
          );
          const wantRetry2 = await emitter.trigger(
            "rate-limit",
            retryAfter2,
            options,
            octokit,
            retryCount
          );
          return { wantRetry: wantRetry2, retryAfter: retryAfter2 };
        }
        return {};
      })();
      if (wantRetry) {
        request.retryCount++;
        return retryAfter * state2.retryAfterBaseValue;
      }
    });
  };
  octokit.hook.wrap("request", (request, options) => {
    initializeBottleneck();
    return wrapRequest(state, request, options);
  });
  return {};
}
throttling.VERSION = VERSION;
throttling.triggersNotification = triggersNotification;


// EXTERNAL MODULE: ./lib/base/errors.js
var errors = __webpack_require__(17594);
// EXTERNAL MODULE: ./lib/base/markdown.js
var markdown = __webpack_require__(54536);
;// CONCATENATED MODULE: ./lib/github/client.js
// The GitHub client: Octokit from @actions/github with the throttling plugin, pointed at
// GITHUB_API_URL (GitHub Enterprise, or a test server); one deadline per call, retries included;
// who the token is; and one way to turn its errors into words that say what was seen.






/** A call that ended without an answer GitHub meant: its deadline passed, or it was redirected. */
class NoAnswerError extends Error {
    kind;
    constructor(message, kind) {
        super(message);
        this.kind = kind;
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
function fetchWithoutRedirects() {
    const upstream = utils/* defaults */.NT.request?.fetch ?? fetch;
    return async (url, init) => {
        const response = await upstream(url, { ...init, redirect: 'manual' });
        if (response.status >= 300 && response.status < 400 && response.status !== 304) {
            await response.body?.cancel().catch(() => undefined);
            const where = response.headers.get('location');
            throw new NoAnswerError(`GitHub answered ${response.status} with a redirect${where ? ` to ${where.slice(0, 200)}` : ''}, which port-drift does not follow`, 'redirect');
        }
        return response;
    };
}
/** What the error says about the call, when it is one of ours (deadline, redirect). */
function noAnswer(error) {
    for (let e = error; e; e = e.cause) {
        if (e instanceof NoAnswerError)
            return e;
    }
    return undefined;
}
/**
 * Creates the client. `timeoutMs` is the deadline of each call: its attempts, the waits between
 * them and rate-limit waits all end within it. 5xx answers and requests that got no answer are tried
 * again (after 1 s, then 4 s) while time is left; creates are not (they pass `retries: 0`).
 */
function createGitHub(token, apiUrl, log, timeoutMs) {
    const gh = (0,github/* getOctokit */.Q)(token, {
        baseUrl: apiUrl,
        request: { ...utils/* defaults */.NT.request, fetch: fetchWithoutRedirects() },
        log: {
            debug: (m) => log.debug(m),
            info: (m) => log.debug(m),
            warn: (m) => log.info(m),
            error: (m) => log.info(m),
        },
        throttle: {
            onRateLimit: onRateLimit('primary', log),
            onSecondaryRateLimit: onRateLimit('secondary', log),
        },
    }, throttling);
    // Registered after the plugins, so it wraps them: one deadline covers the whole call.
    gh.hook.wrap('request', (request, options) => withinDeadline(request, options, timeoutMs, log));
    return gh;
}
/** The throttling plugin's question on a rate limit: wait and try again, while the call has time. */
function onRateLimit(kind, log) {
    return (retryAfter, options, _o, count) => {
        const left = (options.request?.deadline ?? Infinity) - Date.now();
        const retrying = count < 2 && retryAfter * 1000 < left;
        log.info(`GitHub ${kind} rate limit on ${options.method ?? ''} ${options.url ?? ''}: ${retrying ? `retrying in ${retryAfter} s` : `giving up (it asks for ${retryAfter} s, more than this call has left)`}.`);
        return retrying;
    };
}
/** One call, its attempts and waits within `timeoutMs`: 5xx and no answer are tried again. */
async function withinDeadline(request, options, timeoutMs, log) {
    const deadline = Date.now() + timeoutMs;
    const retries = options.request?.retries ?? BACKOFF_MS.length;
    for (let attempt = 0;; attempt++) {
        const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
        // The hooks inside (throttling, and the request itself) hold this very options object:
        // the signal and the deadline reach them through it.
        options.request = { ...options.request, signal, deadline };
        try {
            return await request(options);
        }
        catch (error) {
            const seen = noAnswer(error);
            if (seen)
                throw seen;
            if (signal.aborted || Date.now() >= deadline) {
                throw new NoAnswerError(`no answer within ${timeoutMs / 1000} s`, 'deadline');
            }
            const status = statusOf(error);
            const answered = error.response !== undefined;
            const wait = BACKOFF_MS[attempt];
            const retryable = !answered || (status !== undefined && status >= 500);
            if (!retryable || attempt >= retries || wait === undefined)
                throw error;
            if (Date.now() + wait >= deadline)
                throw error;
            log.info(`GitHub ${answered ? `answered ${status}` : `could not be reached (${firstLine(error)})`} on ${options.method ?? ''} ${options.url ?? ''}: trying again in ${wait / 1000} s.`);
            await (0,promises_.setTimeout)(wait);
        }
    }
}
/**
 * Who the token is: comments and issues are ours only when they are by this identity. A personal
 * token reads its user (`GET /user`); an installation token (the job's GITHUB_TOKEN, a GitHub App's
 * token) may not (403), and GraphQL's `viewer` names its bot and gives its id (`databaseId`, the
 * REST id: 41898282 for github-actions[bot]).
 */
async function whoAmI(gh, log) {
    try {
        const { data } = await gh.rest.users.getAuthenticated();
        return identityOf(data.login, data.id);
    }
    catch (error) {
        if (statusOf(error) !== 403)
            throw error;
    }
    const data = await gh.graphql('query { viewer { login databaseId } }');
    const login = data.viewer?.login;
    if (typeof login !== 'string' || !login) {
        throw new Error('GitHub did not say who the token is (GraphQL viewer has no login)');
    }
    const me = identityOf(login, data.viewer?.databaseId);
    log.debug(`The token writes as ${me.login}${me.id !== undefined ? ` (id ${me.id})` : ''}.`);
    return me;
}
function identityOf(login, id) {
    return Number.isSafeInteger(id) && id > 0 ? { login, id: id } : { login };
}
/** `github-actions` of `github-actions[bot]`, `app/github-actions` or `GitHub-Actions`. */
const bareName = (login) => login
    .toLowerCase()
    .replace(/^app\//, '')
    .replace(/\[bot\]$/, '');
/**
 * Is this author the token's identity? By the numeric id when both have one: it cannot differ
 * between APIs. Otherwise by login, case-insensitive (GitHub's logins are), where a bot's forms
 * (`name[bot]`, `app/name`, `name`) are one; a user (type `User`) never matches a bot's name: the
 * user `drift-watch` is not the app `drift-watch[bot]`.
 */
function isMe(me, author) {
    if (!author)
        return false;
    if (me.id !== undefined && typeof author.id === 'number')
        return author.id === me.id;
    if (typeof author.login !== 'string' || author.login === '')
        return false;
    if (author.login.toLowerCase() === me.login.toLowerCase())
        return true;
    const botForm = (login) => /^app\/|\[bot\]$/i.test(login);
    const aBot = author.type === 'Bot' || botForm(author.login);
    return aBot && author.type !== 'User' && bareName(author.login) === bareName(me.login);
}
/**
 * GitHub lists at most 3,000 files of a pull request, 30 pages of 100: no listing port-drift reads
 * (changed files, issues by label, comments) is read further. Each request has its deadline; this
 * bounds the whole listing, even against a server that answers empty pages that link a next one.
 */
const MAX_PAGES = 30;
/**
 * Reads a listing page by page, handing each page's items to `visit` until it returns true
 * (`stopped`), the listing ends (`ended`), or `maxPages` were read and GitHub still links a next
 * page (`cut`): then what was not read is unknown, and the caller says so.
 */
async function readPages(pages, visit, maxPages = MAX_PAGES) {
    let read = 0;
    for await (const page of pages) {
        if (visit(page.data))
            return 'stopped';
        // Leaving the loop closes the iterator: the next page is never asked for.
        if (++read >= maxPages)
            return /\brel="next"/.test(page.headers.link ?? '') ? 'cut' : 'ended';
    }
    return 'ended';
}
/** The HTTP status of an Octokit error, when it has one. */
function statusOf(error) {
    const status = error?.status;
    return typeof status === 'number' ? status : undefined;
}
function firstLine(error) {
    return (0,errors/* getErrorMessage */.u1)(error).split('\n')[0]?.slice(0, 300) ?? '';
}
/** `PATCH /repos/o/r/issues/7`, from an Octokit error, when it carries its request. */
function requestOf(error) {
    const request = error.request;
    if (typeof request?.method !== 'string' || typeof request.url !== 'string')
        return '';
    const path = URL.canParse(request.url) ? new URL(request.url).pathname : request.url;
    // As the user wrote it: Octokit sends a file's path encoded (`policies%2Fports.yml`), and the
    // runner's annotation would encode its `%` once more. Decoded text is put on one line.
    let shown = path;
    try {
        shown = decodeURIComponent(path);
    }
    catch {
        // Not valid percent-encoding: shown as sent.
    }
    return ` on ${request.method} ${(0,markdown/* oneLine */.TN)(shown, 200)}`;
}
/**
 * Octokit's error as one line saying what GitHub answered to which request, and what to do where the
 * answer itself says so. `permission` is what the job needs for this call, such as `issues: write`.
 */
function describeGitHubError(error, permission) {
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
            if (status === 500 && error.response === undefined) {
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
async function createOnce(what, create, find, log) {
    for (let attempt = 1;; attempt++) {
        try {
            return await create();
        }
        catch (error) {
            const status = statusOf(error);
            // A deadline that passed is not waited out again: GitHub had its time for this run.
            if (attempt >= 3 || noAnswer(error) || (status !== undefined && status < 500))
                throw error;
            log.info(`Creating ${what} got ${status ? `answer ${status}` : `no answer (${firstLine(error)})`}; checking whether it was made anyway.`);
            await (0,promises_.setTimeout)(attempt * 1000);
            const made = await find();
            if (made !== undefined)
                return made;
        }
    }
}


/***/ }),

/***/ 88120:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   keyHash: () => (/* binding */ keyHash),
/* harmony export */   readRunContext: () => (/* binding */ readRunContext)
/* harmony export */ });
/* unused harmony export workflowFile */
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(61351);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(77598);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(48161);
/* harmony import */ var _base_errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(17594);
/* harmony import */ var _settings_settings_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(93530);
/* harmony import */ var _production_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(14752);
// What the runner tells a step about the run, read once at the edge (main.ts, cli.ts) and handed
// to the notifications: the repository, the run and its URL, the pull request of the event (from
// @actions/github's context), and PORT_DRIFT_HTTP_TIMEOUT, the deadline of each call to GitHub,
// Slack or the Actions cache. Loaded only when a run has something to notify (Octokit comes with it).






const HTTP_TIMEOUT = '30s';
function httpTimeout(env, log) {
    const value = env['PORT_DRIFT_HTTP_TIMEOUT'];
    try {
        return (0,_settings_settings_js__WEBPACK_IMPORTED_MODULE_4__/* .parseDuration */ .E9)('PORT_DRIFT_HTTP_TIMEOUT', value || HTTP_TIMEOUT);
    }
    catch (error) {
        const why = error instanceof _base_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ConfigurationError */ .j1 ? error.problem : (0,_base_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .getErrorMessage */ .u1)(error);
        log.warning(`PORT_DRIFT_HTTP_TIMEOUT: ${why} Using ${HTTP_TIMEOUT}.`);
        return (0,_settings_settings_js__WEBPACK_IMPORTED_MODULE_4__/* .parseDuration */ .E9)('PORT_DRIFT_HTTP_TIMEOUT', HTTP_TIMEOUT);
    }
}
/** `.github/workflows/watch.yml` of `octo/fleet/.github/workflows/watch.yml@refs/heads/main`. */
function workflowFile(ref, repository) {
    const path = (ref ?? '').replace(/@[^@]*$/, '');
    const own = `${repository}/`;
    return path.toLowerCase().startsWith(own.toLowerCase()) ? path.slice(own.length) : path;
}
function readRunContext(name, log, env = process.env) {
    const context = _actions_github__WEBPACK_IMPORTED_MODULE_0__/* .context */ ._;
    // context.repo throws without GITHUB_REPOSITORY: a run outside Actions has no repository.
    const repo = env['GITHUB_REPOSITORY'] ? context.repo : undefined;
    const repository = repo ? `${repo.owner}/${repo.repo}` : '';
    const runId = Number.isFinite(context.runId) ? String(context.runId) : 'local';
    const key = {
        repository,
        workflow: workflowFile(env['GITHUB_WORKFLOW_REF'], repository),
        job: context.job ?? '',
        name,
    };
    const run = {
        name,
        runId,
        runUrl: repo ? `${context.serverUrl}/${repository}/actions/runs/${runId}` : context.serverUrl,
        key,
    };
    const pr = context.payload.pull_request;
    const isPr = /^pull_request(_target)?$/.test(context.eventName ?? '');
    const repository_ = context.payload.repository;
    const defaultBranch = typeof repository_?.default_branch === 'string' ? repository_.default_branch : undefined;
    const pullNumber = isPr && typeof pr?.number === 'number' ? pr.number : undefined;
    const production = (0,_production_js__WEBPACK_IMPORTED_MODULE_5__/* .productionOf */ .z)({
        ...(context.eventName ? { eventName: context.eventName } : {}),
        ...(env['GITHUB_REF'] ? { ref: env['GITHUB_REF'] } : {}),
        ...(defaultBranch !== undefined ? { defaultBranch } : {}),
        ...(pullNumber !== undefined ? { pullNumber } : {}),
    });
    return {
        ...(repo ? { repo } : {}),
        apiUrl: context.apiUrl.replace(/\/+$/, ''),
        run,
        runnerTemp: env['RUNNER_TEMP'] || (0,node_os__WEBPACK_IMPORTED_MODULE_2__.tmpdir)(),
        ...(pullNumber !== undefined
            ? {
                pull: {
                    number: pullNumber,
                    sha: typeof pr?.head?.sha === 'string' ? pr.head.sha : '',
                    ...(typeof pr?.base?.sha === 'string' ? { base: pr.base.sha } : {}),
                },
            }
            : {}),
        production,
        attempt: `${runId}-${env['GITHUB_RUN_ATTEMPT'] || '1'}`,
        workspace: env['GITHUB_WORKSPACE'] || process.cwd(),
        httpTimeoutMs: httpTimeout(env, log),
    };
}
/** The key as 16 hex digits: in markers and cache keys. The repository is compared in lower case. */
function keyHash(key) {
    return (0,node_crypto__WEBPACK_IMPORTED_MODULE_1__.createHash)('sha256')
        .update(JSON.stringify(['v2', key.repository.toLowerCase(), key.workflow, key.job, key.name]))
        .digest('hex')
        .slice(0, 16);
}


/***/ }),

/***/ 14752:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   productionLogLine: () => (/* binding */ productionLogLine),
/* harmony export */   productionNote: () => (/* binding */ productionNote),
/* harmony export */   z: () => (/* binding */ productionOf)
/* harmony export */ });
/* harmony import */ var _base_markdown_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(54536);
// Which runs speak for production: the drift issue, Slack's notification state and the history
// belong to the fleet, so only scheduled, dispatched and pushed runs on the repository's default
// branch (and the command line, outside GitHub Actions: the user's own cron) open, close or edit the
// issue, change Slack's state, post to Slack and keep the history. A pull request, another branch,
// a tag, a merge queue or any other event only shows its result (summary, outputs, reports, its own
// pull-request comment). One home for that decision; pure: the run's event in, the answer out.

/** Events GitHub runs on the default branch's last commit, whatever else the runner says. */
const ON_DEFAULT_BRANCH = new Set(['schedule', 'repository_dispatch']);
/** Events that speak when they run on the default branch. */
const ON_A_BRANCH = new Set(['push', 'workflow_dispatch']);
const branchOf = (ref) => /^refs\/heads\/(.+)$/.exec(ref ?? '')?.[1];
/** `pull request #7`, `branch feature`, `tag v1`, or the ref as written. */
function placeOf(event) {
    if (event.pullNumber !== undefined)
        return `pull request #${event.pullNumber}`;
    const ref = event.ref ?? '';
    const branch = branchOf(ref);
    if (branch)
        return `branch ${branch}`;
    const tag = /^refs\/tags\/(.+)$/.exec(ref)?.[1];
    if (tag)
        return `tag ${tag}`;
    return ref || 'an unknown ref';
}
/**
 * Whether a run speaks for production, from its event. A scheduled or repository_dispatch run
 * always does: GitHub runs them on the default branch. A push or workflow_dispatch run does on the
 * default branch only; when the event names no default branch, it is not taken for one (a run that
 * says it left the issue alone is better than a false all-clear from elsewhere). Every other event
 * (pull_request, pull_request_target, merge_group, workflow_run, release, ...) does not. Outside
 * GitHub Actions (no event), the run is the user's own, such as a cron job: it speaks.
 */
function productionOf(event) {
    const name = event.eventName ?? '';
    const branch = branchOf(event.ref);
    const main = event.defaultBranch;
    if (name === '')
        return { speaks: true, place: 'outside GitHub Actions' };
    if (ON_DEFAULT_BRANCH.has(name)) {
        const label = main ?? branch ?? 'the default branch';
        return { speaks: true, place: label, branch: label };
    }
    if (ON_A_BRANCH.has(name) && branch !== undefined && main !== undefined && branch === main) {
        return { speaks: true, place: main, branch: main };
    }
    const because = !ON_A_BRANCH.has(name)
        ? 'event'
        : branch === undefined
            ? 'tag'
            : main === undefined
                ? 'unknown'
                : 'branch';
    return {
        speaks: false,
        place: placeOf(event),
        not: {
            event: name,
            ref: event.ref || 'an unknown ref',
            because,
            ...(main !== undefined ? { defaultBranch: main } : {}),
        },
    };
}
/**
 * Why a run does not speak for production, in words: `a pull_request run on refs/pull/7/merge,
 * ...`. `show` writes the untrusted parts (the event, the ref, the branch): as code in Markdown, on
 * one line in the log.
 */
function whyNot(not, show) {
    const run = `a ${show(not.event)} run on ${show(not.ref)}`;
    const main = not.defaultBranch !== undefined ? ` ${show(not.defaultBranch)}` : '';
    switch (not.because) {
        case 'event':
            return `${run}: only scheduled, dispatched and pushed runs on the default branch${main} speak for production`;
        case 'tag':
            return `${run}, not on a branch`;
        case 'unknown':
            return `${run}, and its event does not name the repository's default branch, so it is not taken for a run on it`;
        case 'branch':
            return `${run}, not on the default branch${main}`;
    }
}
const consequence = (input) => `it does not open, close or edit the drift issue, does not change what Slack last heard, posts to Slack only with ${input}, and does not add to the history`;
/** The log's line for a run that does not speak for production; empty when it does. */
function productionLogLine(production) {
    if (!production.not)
        return '';
    const why = whyNot(production.not, (t) => (0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_0__/* .oneLine */ .TN)(t, 200));
    return `Not production: this is ${why}. So ${consequence('slack-on-non-production: true')}. Its summary, outputs, reports and pull-request comment are written as usual.`;
}
/** The job summary's note for a run that does not speak for production; empty when it does. */
function productionNote(production) {
    if (!production.not)
        return '';
    const why = whyNot(production.not, (t) => (0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_0__/* .code */ .aY)(t, 200));
    return `> **This run does not speak for production.** It is ${why}. So ${consequence('`slack-on-non-production: true`')}: those belong to runs on the default branch.`;
}


/***/ }),

/***/ 91726:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Bu: () => (/* binding */ parseState),
/* harmony export */   DT: () => (/* binding */ describeChanges),
/* harmony export */   In: () => (/* binding */ slackEventFor),
/* harmony export */   L4: () => (/* binding */ stateOf),
/* harmony export */   L8: () => (/* binding */ classify),
/* harmony export */   UD: () => (/* binding */ compare),
/* harmony export */   fl: () => (/* binding */ findingKey),
/* harmony export */   mh: () => (/* binding */ stateFrom)
/* harmony export */ });
/* unused harmony export driftState */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var _base_check_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(35273);
/* harmony import */ var _base_types_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(19356);
// What changed since the last run: findings are compared by what they are about (kind, address,
// port, protocol), not by how nmap described them, so the same drift seen again is no change.
// Pure: values in, values out.



function findingKey(f) {
    // A hostname that did not resolve has no address: its target is what identifies it.
    const where = f.address || `name:${f.target}`;
    const port = f.port === undefined ? '' : `${f.port}/${f.protocol ?? 'tcp'}`;
    return `${f.kind}|${where}|${port}`;
}
function toRef(f) {
    return {
        kind: f.kind,
        target: f.target,
        address: f.address,
        ...(f.port === undefined ? {} : { port: f.port, protocol: f.protocol ?? 'tcp' }),
    };
}
function stateOf(findings) {
    const byKey = new Map(findings.map((f) => [findingKey(f), toRef(f)]));
    const keys = [...byKey.keys()].sort();
    const digest = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(keys.join('\n')).digest('hex');
    return { digest, count: keys.length, findings: keys.map((k) => byKey.get(k)) };
}
function compare(previous, current) {
    if (!previous) {
        return {
            known: false,
            changed: true,
            added: current.findings ?? [],
            resolved: [],
            kept: 0,
            detailsLost: current.findings === undefined,
        };
    }
    if (previous.digest === current.digest) {
        return {
            known: true,
            changed: false,
            added: [],
            resolved: [],
            kept: current.count,
            detailsLost: false,
        };
    }
    if (!previous.findings || !current.findings) {
        return {
            known: true,
            changed: true,
            added: [],
            resolved: [],
            kept: 0,
            detailsLost: true,
        };
    }
    const before = new Set(previous.findings.map(findingKey));
    const now = new Set(current.findings.map(findingKey));
    return {
        known: true,
        changed: true,
        added: current.findings.filter((f) => !before.has(findingKey(f))),
        resolved: previous.findings.filter((f) => !now.has(findingKey(f))),
        kept: current.findings.filter((f) => before.has(findingKey(f))).length,
        detailsLost: false,
    };
}
const findingRef = (0,_base_check_js__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ik)({
    kind: (0,_base_check_js__WEBPACK_IMPORTED_MODULE_1__/* .oneOf */ .yL)(..._base_types_js__WEBPACK_IMPORTED_MODULE_2__/* .FINDING_KINDS */ .m),
    target: (0,_base_check_js__WEBPACK_IMPORTED_MODULE_1__/* .line */ .n8)(300),
    // A hostname that did not resolve has no address.
    address: (value, path) => (value === '' ? '' : (0,_base_check_js__WEBPACK_IMPORTED_MODULE_1__.ip)(value, path)),
    port: (0,_base_check_js__WEBPACK_IMPORTED_MODULE_1__/* .optional */ .lq)((0,_base_check_js__WEBPACK_IMPORTED_MODULE_1__/* .int */ .Wh)(1, 65535)),
    protocol: (0,_base_check_js__WEBPACK_IMPORTED_MODULE_1__/* .optional */ .lq)((0,_base_check_js__WEBPACK_IMPORTED_MODULE_1__/* .oneOf */ .yL)('tcp', 'udp')),
});
/**
 * The last state as it is read back (from an issue body, the Actions cache, a --state file): every
 * field checked; a SchemaError names the field that does not fit.
 */
const driftState = (0,_base_check_js__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ik)({
    digest: (0,_base_check_js__WEBPACK_IMPORTED_MODULE_1__/* .matching */ .wC)(/^[0-9a-f]{64}$/, 'a SHA-256 digest'),
    count: (0,_base_check_js__WEBPACK_IMPORTED_MODULE_1__/* .int */ .Wh)(0, 1e9),
    findings: (0,_base_check_js__WEBPACK_IMPORTED_MODULE_1__/* .optional */ .lq)((0,_base_check_js__WEBPACK_IMPORTED_MODULE_1__/* .list */ .p_)(findingRef, 1_000_000)),
});
/** A state read back where a broken one is simply none (an issue body's marker). */
function parseState(value) {
    try {
        return (0,_base_check_js__WEBPACK_IMPORTED_MODULE_1__/* .checked */ .KD)(driftState, value);
    }
    catch (error) {
        if (error instanceof _base_check_js__WEBPACK_IMPORTED_MODULE_1__/* .SchemaError */ .Ar)
            return undefined;
        throw error;
    }
}
/**
 * The last state read back from `source` (a file, a cache key), or none, with a warning naming the
 * source, when it does not fit: the drift is then new, and Slack hears of it.
 */
function stateFrom(value, source, warn) {
    try {
        return (0,_base_check_js__WEBPACK_IMPORTED_MODULE_1__/* .checked */ .KD)(driftState, value);
    }
    catch (error) {
        if (!(error instanceof _base_check_js__WEBPACK_IMPORTED_MODULE_1__/* .SchemaError */ .Ar))
            throw error;
        warn(`${source}: the last state is not one port-drift writes (${error.message}): ignored, so the drift counts as new.`);
        return undefined;
    }
}
/** One line counting the changes, for an issue comment, the log and Slack. */
function describeChanges(changes) {
    if (!changes.known)
        return 'First report of this drift.';
    if (!changes.changed)
        return 'No change since the last run.';
    if (changes.detailsLost)
        return 'The drift changed since the last run.';
    const parts = [
        changes.added.length ? `${changes.added.length} new` : '',
        changes.resolved.length ? `${changes.resolved.length} resolved` : '',
        changes.kept ? `${changes.kept} unchanged` : '',
    ].filter(Boolean);
    return `Since the last run: ${parts.join(', ')}.`;
}
/**
 * What a run says about the drift. `undecided`: nothing drifted that counts, but the run could not
 * say all is clean either (inconclusive findings, or nmap failed); it neither opens nor closes.
 * Inconclusive findings count as drift only when fail-on lists them.
 */
function classify(findings, failOn, nmapFailed) {
    const tracked = findings.filter((f) => f.kind !== 'inconclusive' || failOn.has('inconclusive'));
    if (tracked.length > 0)
        return { status: 'drift', tracked };
    return { status: findings.length === 0 && !nmapFailed ? 'clean' : 'undecided', tracked };
}
/**
 * Whether Slack hears of this run. `change`: new drift, changed drift and resolved drift; the same
 * drift again is silent. `always`: every run with drift, and resolved drift.
 */
function slackEventFor(status, previous, changes, notify) {
    if (status === 'undecided')
        return undefined;
    if (status === 'clean')
        return previous && previous.count > 0 ? 'resolved' : undefined;
    if (!previous || previous.count === 0)
        return 'new';
    if (changes.changed)
        return 'changed';
    return notify === 'always' ? 'ongoing' : undefined;
}


/***/ }),

/***/ 411:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   h: () => (/* binding */ syncPrComment)
/* harmony export */ });
/* harmony import */ var _github_client_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(58987);
/* harmony import */ var _render_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(78937);
// The sticky pull-request comment: one comment per key on the pull request, found by its hidden
// marker among the comments the token itself wrote, and updated on each push. A marker in someone
// else's comment is ignored: anyone who may comment could plant one, and the result would then sit
// in text they can rewrite (or not be written at all).


/** `body`: the comment, rendered (renderPrComment, renderPrPending); it carries the marker. */
async function syncPrComment(job, body) {
    const { gh, repo, pull, log } = job;
    const seen = { ignored: 0 };
    const mine = await findComment(job, seen);
    if (mine) {
        const { data } = await gh.rest.issues.updateComment({ ...repo, comment_id: mine.id, body });
        return { url: data.html_url, action: 'updated', ignored: seen.ignored };
    }
    const made = await (0,_github_client_js__WEBPACK_IMPORTED_MODULE_0__/* .createOnce */ .Ur)('the pull-request comment', async () => {
        const { data, status } = await gh.rest.issues.createComment({
            ...repo,
            issue_number: pull,
            body,
            request: { retries: 0 },
        });
        if (status !== 201 || typeof data.id !== 'number') {
            throw new Error(`GitHub answered the create with ${status}, not 201 Created`);
        }
        return { id: data.id, url: data.html_url };
    }, () => findComment(job, seen), log);
    return { url: made.url, action: 'created', ignored: seen.ignored };
}
/**
 * The comment of this key the token wrote, if any; `seen.ignored` counts the comments carrying the
 * marker that someone else wrote.
 */
async function findComment({ gh, repo, pull, run, me }, seen) {
    const marker = (0,_render_js__WEBPACK_IMPORTED_MODULE_1__/* .commentMarker */ .Ql)(run.key);
    seen.ignored = 0;
    let mine;
    const listing = gh.paginate.iterator(gh.rest.issues.listComments, {
        ...repo,
        issue_number: pull,
        per_page: 100,
    });
    const read = await (0,_github_client_js__WEBPACK_IMPORTED_MODULE_0__/* .readPages */ .n4)(listing, (comments) => {
        for (const c of comments) {
            if (!c.body?.includes(marker))
                continue;
            if ((0,_github_client_js__WEBPACK_IMPORTED_MODULE_0__/* .isMe */ .ne)(me, c.user)) {
                mine = { id: c.id, url: c.html_url };
                return true;
            }
            seen.ignored++;
        }
        return false;
    });
    // A comment of ours may be on a page not read: a second one is not written.
    if (read === 'cut') {
        throw new Error(`GitHub still listed more comments on #${pull} after ${_github_client_js__WEBPACK_IMPORTED_MODULE_0__/* .MAX_PAGES */ .Y0} pages: the comment is not written, so as not to add a second one`);
    }
    return mine;
}


/***/ }),

/***/ 78937:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Q1: () => (/* binding */ renderPrComment),
/* harmony export */   Q_: () => (/* binding */ issueMarker),
/* harmony export */   Ql: () => (/* binding */ commentMarker),
/* harmony export */   Sf: () => (/* binding */ renderPrPending),
/* harmony export */   Yx: () => (/* binding */ renderIssueBody),
/* harmony export */   al: () => (/* binding */ issueTitle),
/* harmony export */   l$: () => (/* binding */ legacyIssueMarker),
/* harmony export */   uO: () => (/* binding */ readStateMarker),
/* harmony export */   x: () => (/* binding */ renderIssueComment),
/* harmony export */   yT: () => (/* binding */ renderDuplicateBody)
/* harmony export */ });
/* unused harmony exports GITHUB_BODY_LIMIT, stateMarker */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(38522);
/* harmony import */ var _base_markdown_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(54536);
/* harmony import */ var _report_format_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(87703);
/* harmony import */ var _base_untrusted_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(75499);
/* harmony import */ var _github_context_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(88120);
/* harmony import */ var _memory_changes_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(91726);
// GitHub Markdown for the issue and the pull-request comment, and the hidden markers that find them
// again and carry the last state. Every value that came from a scanned host or a user goes through
// code(), so a banner or a DNS name cannot become a mention, a reference, a link or HTML.







/** GitHub refuses issue and comment bodies longer than this. */
const GITHUB_BODY_LIMIT = 65_536;
/** Room kept below the limit for the footer and markers, which are added last. */
const RESERVE = 2_000;
/** A state marker larger than this keeps only the digest. */
const MAX_STATE_MARKER = 16_000;
const MAX_CHANGE_LINES = 20;
const hash16 = (text) => (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(text).digest('hex').slice(0, 16);
/** The marker that identifies the issue of one key among the issues carrying the labels. */
function issueMarker(key) {
    return `<!-- port-drift:issue:v2:${(0,_github_context_js__WEBPACK_IMPORTED_MODULE_3__.keyHash)(key)} -->`;
}
/** The marker of issues opened by port-drift before the key named the workflow and the job. */
function legacyIssueMarker(name) {
    return `<!-- port-drift:issue:${hash16(name)} -->`;
}
/** The marker that identifies the sticky pull-request comment of one key. */
function commentMarker(key) {
    return `<!-- port-drift:pr-comment:v2:${(0,_github_context_js__WEBPACK_IMPORTED_MODULE_3__.keyHash)(key)} -->`;
}
/** The key in words, for the footer of the issue and the comment. */
function keyLine(key) {
    const parts = [
        key.workflow ? `workflow ${(0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_5__/* .code */ .aY)(key.workflow)}` : '',
        key.job ? `job ${(0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_5__/* .code */ .aY)(key.job)}` : '',
    ].filter(Boolean);
    return parts.length ? ` Kept for ${parts.join(', ')} and this name.` : '';
}
const STATE_RE_ALL = /<!-- port-drift:state:([A-Za-z0-9+/=]+) -->/g;
/** The state as a hidden marker: deflated JSON in base64, which cannot close the HTML comment. */
function stateMarker(state) {
    const encode = (s) => (0,node_zlib__WEBPACK_IMPORTED_MODULE_1__.deflateRawSync)(Buffer.from(JSON.stringify(s))).toString('base64');
    let data = encode(state);
    if (data.length > MAX_STATE_MARKER)
        data = encode({ digest: state.digest, count: state.count });
    return `<!-- port-drift:state:${data} -->`;
}
/** The state a body carries, or undefined when it carries none (or one that does not parse). */
function readStateMarker(body) {
    // The marker is the body's last part: the last one is the run's own.
    const data = [...(body ?? '').matchAll(STATE_RE_ALL)].at(-1)?.[1];
    if (!data)
        return undefined;
    try {
        const json = (0,node_zlib__WEBPACK_IMPORTED_MODULE_1__.inflateRawSync)(Buffer.from(data, 'base64'), { maxOutputLength: 4 << 20 });
        return (0,_memory_changes_js__WEBPACK_IMPORTED_MODULE_4__/* .parseState */ .Bu)(JSON.parse(json.toString('utf8')));
    }
    catch {
        return undefined;
    }
}
function refLine(f) {
    const port = (0,_report_format_js__WEBPACK_IMPORTED_MODULE_2__/* .portLabel */ .Uz)(f);
    return `**${f.kind}** ${(0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_5__/* .code */ .aY)(f.target)}${f.address && f.address !== f.target ? ` ${(0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_5__/* .code */ .aY)(f.address)}` : ''}${port ? ` ${port}` : ''}`;
}
/** Bullets for new and resolved findings, capped. */
function changeLines(changes) {
    if (!changes.known || !changes.changed || changes.detailsLost)
        return [];
    const lines = [
        ...changes.added.map((f) => `- New: ${refLine(f)}`),
        ...changes.resolved.map((f) => `- Resolved: ${refLine(f)}`),
    ];
    if (lines.length <= MAX_CHANGE_LINES)
        return lines;
    return [
        ...lines.slice(0, MAX_CHANGE_LINES),
        `- …and ${(0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_5__/* .plural */ .LS)(lines.length - MAX_CHANGE_LINES, 'more change')}.`,
    ];
}
function headline(name, result) {
    const icon = result.status === 'clean' ? '✅' : result.failed ? '❌' : '⚠️';
    const what = result.status === 'clean' ? 'No drift' : result.status === 'drift' ? 'Drift' : 'Undecided';
    return `## ${icon} ${what}: ${(0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_5__/* .code */ .aY)(name)}`;
}
/**
 * The findings table, with as many rows as fit in `budget` characters, and a note when rows were
 * left out. The rows are GitHub Markdown already made safe by findingRow().
 */
function findingsTable(findings, budget, runUrl) {
    const header = (0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_5__/* .table */ .tp)(_report_format_js__WEBPACK_IMPORTED_MODULE_2__/* .FINDING_HEADER */ .ib, []);
    const rows = [];
    let used = header.length;
    for (const f of findings) {
        const row = `\n${(0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_5__/* .tableRow */ .jD)((0,_report_format_js__WEBPACK_IMPORTED_MODULE_2__/* .findingRow */ .ex)(f))}`;
        if (used + row.length > budget)
            break;
        rows.push(row);
        used += row.length;
    }
    const left = findings.length - rows.length;
    const note = left > 0
        ? `\n\n_${(0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_5__/* .plural */ .LS)(left, 'more finding')} not shown here (GitHub's ${GITHUB_BODY_LIMIT.toLocaleString('en-US')}-character limit): see the job summary and report.json of [the run](${runUrl})._`
        : '';
    return header + rows.join('') + note;
}
function assemble(parts, findings, run, tail) {
    const fixed = [...parts, ...tail].join('\n\n').length;
    const budget = GITHUB_BODY_LIMIT - RESERVE - fixed;
    const body = [...parts, findingsTable(findings, budget, run.runUrl), ...tail].join('\n\n');
    return body.length <= GITHUB_BODY_LIMIT ? body : body.slice(0, GITHUB_BODY_LIMIT);
}
/** The issue's body: verdict, what changed, the findings, a link to the run, marker and state. */
function renderIssueBody(run, result, changes, state) {
    const parts = [issueMarker(run.key), headline(run.name, result)];
    const footer = `<sub>Updated by [run ${run.runId}](${run.runUrl}) at ${new Date().toISOString()}. port-drift keeps this issue up to date while the drift lasts and closes it when a scan is clean.${keyLine(run.key)}</sub>`;
    if (result.status === 'clean') {
        // What the drift was stays on the closed issue, for whoever reads it later.
        const was = changeLines(changes);
        parts.push(`Resolved: no drift in [run ${run.runId}](${run.runUrl}).${was.length ? ' The drift was:' : ''}`, ...(was.length ? [was.join('\n')] : []), ...extra(result.sections?.reports));
        return [...parts, ...extra(result.sections?.history), footer, stateMarker(state)].join('\n\n');
    }
    parts.push(`**${result.message}** ${(0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_5__/* .plural */ .LS)(result.addresses, 'address', 'addresses')} scanned.`, ...extra(result.sections?.reports), '### What changed', [(0,_memory_changes_js__WEBPACK_IMPORTED_MODULE_4__/* .describeChanges */ .DT)(changes), ...changeLines(changes)].join('\n'), ...extra(result.sections?.history), ...extra((0,_report_format_js__WEBPACK_IMPORTED_MODULE_2__/* .whatToDo */ .H6)(result.findings, result.acceptForm)), '### Findings');
    return assemble(parts, result.findings, run, [footer, stateMarker(state)]);
}
/** The short comment on an issue whose drift changed, was resolved, or came back. */
function renderIssueComment(run, result, changes, reopened) {
    const link = `[run ${run.runId}](${run.runUrl})`;
    if (result.status === 'clean')
        return `✅ Resolved: no drift in ${link}. Closing.`;
    const first = reopened
        ? `Drift is back in ${link}: ${result.message}`
        : `The drift changed in ${link}. ${(0,_memory_changes_js__WEBPACK_IMPORTED_MODULE_4__/* .describeChanges */ .DT)(changes)}`;
    return [first, ...changeLines(changes)].join('\n');
}
/** A section, or nothing when it is empty. */
const extra = (section) => (section ? [section] : []);
function prFooter(run, sha) {
    const commit = /^[0-9a-f]{7,40}$/i.test(sha) ? ` for ${sha.slice(0, 7)}` : '';
    return `<sub>[Run ${run.runId}](${run.runUrl})${commit}, ${new Date().toISOString()}. This comment is updated on each push.${keyLine(run.key)}</sub>`;
}
/**
 * The sticky pull-request comment: the verdict of the latest push, what the policy change exposes,
 * the open ports since the default branch, what to do, and the findings.
 */
function renderPrComment(run, result, sha) {
    const parts = [commentMarker(run.key), headline(run.name, result)];
    const footer = prFooter(run, sha);
    const addresses = (0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_5__/* .plural */ .LS)(result.addresses, 'address', 'addresses');
    parts.push(result.findings.length
        ? `**${result.message}** ${addresses} scanned.`
        : `${result.message} ${addresses} scanned.`, ...extra(result.sections?.reports), ...extra(result.sections?.exposure), ...extra(result.sections?.since));
    if (result.findings.length === 0)
        return [...parts, footer].join('\n\n');
    parts.push(...extra((0,_report_format_js__WEBPACK_IMPORTED_MODULE_2__/* .whatToDo */ .H6)(result.findings, result.acceptForm)), '### Findings');
    return assemble(parts, result.findings, run, [footer]);
}
/**
 * The comment while the scan runs, written before it starts: a reviewer sees what the policy
 * change exposes at once, whatever the scan takes.
 */
function renderPrPending(run, sha, exposure) {
    return [
        commentMarker(run.key),
        `## ⏳ Scanning: ${(0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_5__/* .code */ .aY)(run.name)}`,
        `The result of the scan replaces this comment when it is done. If it still says this after [run ${run.runId}](${run.runUrl}) ended, the run was cancelled or failed before it could report: its log says why.`,
        exposure,
        prFooter(run, sha),
    ].join('\n\n');
}
/** The issue's title: the name, on one line, within GitHub's 256 characters. */
function issueTitle(name) {
    const flat = name.replace(_base_untrusted_js__WEBPACK_IMPORTED_MODULE_6__/* .CONTROL_CHARS */ .U, ' ').trim();
    return `Port drift: ${[...flat].slice(0, 200).join('')}`;
}
/** The body a duplicate issue is left with: a link to the one kept, and no marker. */
function renderDuplicateBody(kept) {
    return `Opened at the same moment as #${kept.number} by an overlapping run of the same workflow, job and name, and closed in its favour: [#${kept.number}](${kept.url}) tracks this drift. A \`concurrency:\` group on the job keeps runs from overlapping.`;
}


/***/ })

};
