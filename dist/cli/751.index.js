export const id = 751;
export const ids = [751,120];
export const modules = {

/***/ 8120:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   a: () => (/* binding */ keyHash),
/* harmony export */   readRunContext: () => (/* binding */ readRunContext)
/* harmony export */ });
/* unused harmony export workflowFile */
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1351);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7598);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8161);
/* harmony import */ var _base_errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7594);
/* harmony import */ var _settings_settings_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(3152);
/* harmony import */ var _production_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(4752);
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
    const production = (0,_production_js__WEBPACK_IMPORTED_MODULE_5__/* .productionOf */ .zS)({
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

/***/ 2751:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  notify: () => (/* binding */ notify),
  wanted: () => (/* binding */ wanted)
});

// UNUSED EXPORTS: planDelivery

// EXTERNAL MODULE: ./lib/github/context.js
var github_context = __webpack_require__(8120);
// EXTERNAL MODULE: ./lib/settings/settings.js
var settings_settings = __webpack_require__(3152);
// EXTERNAL MODULE: ./lib/memory/changes.js
var memory_changes = __webpack_require__(1726);
// EXTERNAL MODULE: external "node:timers/promises"
var promises_ = __webpack_require__(8500);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js
var github = __webpack_require__(1351);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/utils.js + 20 modules
var utils = __webpack_require__(8665);
// EXTERNAL MODULE: ./node_modules/@octokit/plugin-throttling/dist-bundle/index.js
var dist_bundle = __webpack_require__(6856);
// EXTERNAL MODULE: ./lib/base/errors.js
var errors = __webpack_require__(7594);
// EXTERNAL MODULE: ./lib/base/markdown.js
var markdown = __webpack_require__(4536);
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
    }, dist_bundle/* throttling */.A);
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

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(8522);
// EXTERNAL MODULE: ./lib/report/format.js
var format = __webpack_require__(7703);
// EXTERNAL MODULE: ./lib/base/untrusted.js
var untrusted = __webpack_require__(5499);
;// CONCATENATED MODULE: ./lib/notify/render.js
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
const hash16 = (text) => (0,external_node_crypto_.createHash)('sha256').update(text).digest('hex').slice(0, 16);
/** The marker that identifies the issue of one key among the issues carrying the labels. */
function issueMarker(key) {
    return `<!-- port-drift:issue:v2:${(0,github_context/* keyHash */.a)(key)} -->`;
}
/** The marker of issues opened by port-drift before the key named the workflow and the job. */
function legacyIssueMarker(name) {
    return `<!-- port-drift:issue:${hash16(name)} -->`;
}
/** The marker that identifies the sticky pull-request comment of one key. */
function commentMarker(key) {
    return `<!-- port-drift:pr-comment:v2:${(0,github_context/* keyHash */.a)(key)} -->`;
}
/** The key in words, for the footer of the issue and the comment. */
function keyLine(key) {
    const parts = [
        key.workflow ? `workflow ${(0,markdown/* code */.aY)(key.workflow)}` : '',
        key.job ? `job ${(0,markdown/* code */.aY)(key.job)}` : '',
    ].filter(Boolean);
    return parts.length ? ` Kept for ${parts.join(', ')} and this name.` : '';
}
const STATE_RE_ALL = /<!-- port-drift:state:([A-Za-z0-9+/=]+) -->/g;
/** The state as a hidden marker: deflated JSON in base64, which cannot close the HTML comment. */
function stateMarker(state) {
    const encode = (s) => (0,external_node_zlib_.deflateRawSync)(Buffer.from(JSON.stringify(s))).toString('base64');
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
        const json = (0,external_node_zlib_.inflateRawSync)(Buffer.from(data, 'base64'), { maxOutputLength: 4 << 20 });
        return (0,memory_changes/* parseState */.Bu)(JSON.parse(json.toString('utf8')));
    }
    catch {
        return undefined;
    }
}
function refLine(f) {
    const port = (0,format/* portLabel */.Uz)(f);
    return `**${f.kind}** ${(0,markdown/* code */.aY)(f.target)}${f.address && f.address !== f.target ? ` ${(0,markdown/* code */.aY)(f.address)}` : ''}${port ? ` ${port}` : ''}`;
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
        `- …and ${(0,markdown/* plural */.LS)(lines.length - MAX_CHANGE_LINES, 'more change')}.`,
    ];
}
function headline(name, result) {
    const icon = result.status === 'clean' ? '✅' : result.failed ? '❌' : '⚠️';
    const what = result.status === 'clean' ? 'No drift' : result.status === 'drift' ? 'Drift' : 'Undecided';
    return `## ${icon} ${what}: ${(0,markdown/* code */.aY)(name)}`;
}
/**
 * The findings table, with as many rows as fit in `budget` characters, and a note when rows were
 * left out. The rows are GitHub Markdown already made safe by findingRow().
 */
function findingsTable(findings, budget, runUrl) {
    const header = (0,markdown/* table */.tp)(format/* FINDING_HEADER */.ib, []);
    const rows = [];
    let used = header.length;
    for (const f of findings) {
        const row = `\n${(0,markdown/* tableRow */.jD)((0,format/* findingRow */.ex)(f))}`;
        if (used + row.length > budget)
            break;
        rows.push(row);
        used += row.length;
    }
    const left = findings.length - rows.length;
    const note = left > 0
        ? `\n\n_${(0,markdown/* plural */.LS)(left, 'more finding')} not shown here (GitHub's ${GITHUB_BODY_LIMIT.toLocaleString('en-US')}-character limit): see the job summary and report.json of [the run](${runUrl})._`
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
    parts.push(`**${result.message}** ${(0,markdown/* plural */.LS)(result.addresses, 'address', 'addresses')} scanned.`, ...extra(result.sections?.reports), '### What changed', [(0,memory_changes/* describeChanges */.DT)(changes), ...changeLines(changes)].join('\n'), ...extra(result.sections?.history), ...extra((0,format/* whatToDo */.H6)(result.findings, result.acceptForm)), '### Findings');
    return assemble(parts, result.findings, run, [footer, stateMarker(state)]);
}
/** The short comment on an issue whose drift changed, was resolved, or came back. */
function renderIssueComment(run, result, changes, reopened) {
    const link = `[run ${run.runId}](${run.runUrl})`;
    if (result.status === 'clean')
        return `✅ Resolved: no drift in ${link}. Closing.`;
    const first = reopened
        ? `Drift is back in ${link}: ${result.message}`
        : `The drift changed in ${link}. ${(0,memory_changes/* describeChanges */.DT)(changes)}`;
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
    const addresses = (0,markdown/* plural */.LS)(result.addresses, 'address', 'addresses');
    parts.push(result.findings.length
        ? `**${result.message}** ${addresses} scanned.`
        : `${result.message} ${addresses} scanned.`, ...extra(result.sections?.reports), ...extra(result.sections?.exposure), ...extra(result.sections?.since));
    if (result.findings.length === 0)
        return [...parts, footer].join('\n\n');
    parts.push(...extra((0,format/* whatToDo */.H6)(result.findings, result.acceptForm)), '### Findings');
    return assemble(parts, result.findings, run, [footer]);
}
/**
 * The comment while the scan runs, written before it starts: a reviewer sees what the policy
 * change exposes at once, whatever the scan takes.
 */
function renderPrPending(run, sha, exposure) {
    return [
        commentMarker(run.key),
        `## ⏳ Scanning: ${code(run.name)}`,
        `The result of the scan replaces this comment when it is done. If it still says this after [run ${run.runId}](${run.runUrl}) ended, the run was cancelled or failed before it could report: its log says why.`,
        exposure,
        prFooter(run, sha),
    ].join('\n\n');
}
/** The issue's title: the name, on one line, within GitHub's 256 characters. */
function issueTitle(name) {
    const flat = name.replace(untrusted/* CONTROL_CHARS */.U, ' ').trim();
    return `Port drift: ${[...flat].slice(0, 200).join('')}`;
}
/** The body a duplicate issue is left with: a link to the one kept, and no marker. */
function renderDuplicateBody(kept) {
    return `Opened at the same moment as #${kept.number} by an overlapping run of the same workflow, job and name, and closed in its favour: [#${kept.number}](${kept.url}) tracks this drift. A \`concurrency:\` group on the job keeps runs from overlapping.`;
}

;// CONCATENATED MODULE: ./lib/notify/issue-plan.js
// What to do with the drift issue, decided from what exists (the issue of this key as listed, or as
// just read again) and what was found (the run's status and drift state). Pure: issue.ts carries
// the plan out, reading what the plan asks for before it decides again.


function planIssue(found, existing) {
    if (found.status === 'undecided') {
        const previous = existing.open ? readStateMarker(existing.open.body) : undefined;
        return {
            kind: 'leave',
            ...(existing.open && { issue: existing.open }),
            ...(previous && { previous }),
            action: 'none',
        };
    }
    if (found.status === 'clean')
        return planClean(found, existing);
    if (existing.open)
        return planOpenDrift(found, existing.open, existing.fresh);
    return planClosedDrift(found, existing);
}
/** Clean: the open issue, read again, is closed; one closed meanwhile is left as it is. */
function planClean(found, { open, fresh }) {
    if (!open)
        return { kind: 'leave', action: 'none' };
    if (!fresh)
        return { kind: 'reread', issue: open, slot: 'open' };
    const previous = readStateMarker(open.body);
    // Closed meanwhile, by an overlapping run or a person: nothing left to say.
    if (open.state === 'closed')
        return { kind: 'leave', issue: open, ...(previous && { previous }), action: 'unchanged' };
    return {
        kind: 'close',
        issue: open,
        ...(previous && { previous }),
        changes: (0,memory_changes/* compare */.UD)(previous, found.current),
    };
}
/**
 * Drift on an open issue. The same drift as its marker says: nothing to add (the chart aside).
 * Different: read it again first, since an overlapping run may have written this very drift.
 */
function planOpenDrift(found, issue, fresh) {
    const previous = readStateMarker(issue.body);
    const changes = (0,memory_changes/* compare */.UD)(previous, found.current);
    const known = previous && { previous };
    if (!changes.changed && !issue.legacy) {
        return found.history
            ? { kind: 'refresh', issue, ...known, changes }
            : { kind: 'leave', issue, ...known, action: 'unchanged' };
    }
    if (!fresh)
        return { kind: 'reread', issue, slot: 'open' };
    return { kind: 'update', issue, ...known, changes };
}
/** Drift and no open issue: the last closed one of this key is reopened, else one is opened. */
function planClosedDrift(found, existing) {
    const { closed } = existing;
    if (closed === undefined)
        return { kind: 'list-closed' };
    if (closed === null)
        return { kind: 'create', changes: (0,memory_changes/* compare */.UD)(undefined, found.current) };
    const previous = readStateMarker(closed.body);
    const changes = (0,memory_changes/* compare */.UD)(previous, found.current);
    const known = previous && { previous };
    // Closed by a person as not planned, with this very drift: they have seen it. It is reopened
    // when the drift changes, not every hour.
    if (!existing.fresh && closed.stateReason === 'not_planned' && !changes.changed) {
        return { kind: 'leave', issue: closed, ...known, action: 'unchanged' };
    }
    if (!existing.fresh)
        return { kind: 'reread', issue: closed, slot: 'closed' };
    // Reopened meanwhile by an overlapping run: from here on, it is an open issue to keep.
    if (closed.state === 'open')
        return planOpenDrift(found, closed, false);
    return { kind: 'reopen', issue: closed, ...known, changes };
}
/** Of the open issues listed (oldest first, this key's before an earlier version's), the one kept. */
function pickOpen(open) {
    const keyed = open.filter((i) => !i.legacy);
    // Overlapping runs whose listing did not yet show each other's issue may have left two: the
    // oldest is kept, the others are closed pointing to it. An issue of an earlier version is taken
    // over only when no issue of this key is open.
    const keep = keyed[0] ?? open.find((i) => i.legacy);
    return { ...(keep && { keep }), duplicates: keyed.slice(1) };
}

;// CONCATENATED MODULE: ./lib/notify/issue.js




function toFound(issue, legacy) {
    return {
        number: issue.number,
        url: issue.html_url,
        body: issue.body ?? '',
        state: issue.state === 'closed' ? 'closed' : 'open',
        ...(issue.state_reason ? { stateReason: issue.state_reason } : {}),
        legacy,
    };
}
async function syncIssue(job) {
    const { result, current, log } = job;
    const { keep, duplicates } = pickOpen(await listIssues(job, 'open', result.status === 'drift'));
    for (const extra of duplicates) {
        await closeAsDuplicate(job, extra, keep);
        log.info(`Issue: closed #${extra.number}, a duplicate of #${keep.number}.`);
    }
    if (keep?.legacy)
        log.info(`Issue: taking over #${keep.number}, opened by an earlier version.`);
    const found = {
        status: result.status,
        current,
        history: Boolean(result.sections?.history),
    };
    let existing = { ...(keep && { open: keep }), fresh: false };
    for (;;) {
        const step = planIssue(found, existing);
        if (step.kind === 'list-closed') {
            existing = { closed: (await listIssues(job, 'closed'))[0] ?? null, fresh: false };
        }
        else if (step.kind === 'reread') {
            existing = { ...existing, [step.slot]: await reread(job, step.issue), fresh: true };
        }
        else {
            return carryOut(job, step);
        }
    }
}
/** The plan's last step, done: what it wrote, and what the run did. */
async function carryOut(job, step) {
    if (step.kind === 'create')
        return createIssue(job, step.changes);
    const outcome = (action) => ({
        ...(step.issue && { url: step.issue.url }),
        ...(step.previous && { previous: step.previous }),
        action,
    });
    if (step.kind === 'leave')
        return outcome(step.action);
    const { issue, changes } = step;
    const body = renderIssueBody(job.run, job.result, changes, job.current);
    const title = issueTitle(job.run.name);
    switch (step.kind) {
        case 'refresh':
            await editIssue(job, issue, { body });
            return outcome('unchanged');
        case 'close':
            await comment(job, issue, changes, false);
            await editIssue(job, issue, { state: 'closed', state_reason: 'completed', body });
            return outcome('closed');
        case 'update':
            await editIssue(job, issue, { title, body });
            if (changes.changed)
                await comment(job, issue, changes, false);
            return outcome(changes.changed ? 'updated' : 'unchanged');
        case 'reopen':
            await editIssue(job, issue, { state: 'open', title, body });
            await comment(job, issue, changes, true);
            return outcome('reopened');
    }
}
async function editIssue(job, issue, edit) {
    await job.gh.rest.issues.update({ ...job.repo, issue_number: issue.number, ...edit });
}
async function comment(job, issue, changes, reopened) {
    await job.gh.rest.issues.createComment({
        ...job.repo,
        issue_number: issue.number,
        body: renderIssueComment(job.run, job.result, changes, reopened),
    });
}
/** Issues of this key in one state, written by the token's identity; oldest first (open). */
async function listIssues({ gh, repo, labels, run, me }, state, legacy = false) {
    const marker = issueMarker(run.key);
    const legacyMarker = legacyIssueMarker(run.name);
    const found = [];
    const closed = state === 'closed';
    const params = {
        ...repo,
        state,
        labels: labels[0] ?? '',
        per_page: 100,
        sort: closed ? 'updated' : 'created',
        direction: closed ? 'desc' : 'asc',
    };
    const listing = gh.paginate.iterator(gh.rest.issues.listForRepo, params);
    const read = await readPages(listing, (issues) => {
        for (const issue of issues) {
            if (issue.pull_request || !isMe(me, issue.user))
                continue;
            const body = issue.body ?? '';
            if (body.includes(marker))
                found.push(toFound(issue, false));
            else if (legacy && body.includes(legacyMarker))
                found.push(toFound(issue, true));
        }
        // Closed issues: the most recently updated one is the one to reopen.
        return closed && found.length > 0;
    }, 
    // Ten pages of closed issues are plenty: a new issue is opened when none is among them.
    closed ? 10 : MAX_PAGES);
    // An open issue of ours may be on a page not read: a second one is not opened.
    if (read === 'cut' && !closed) {
        throw new Error(`GitHub still listed more open issues labelled ${(0,markdown/* oneLine */.TN)(params.labels, 60)} after ${MAX_PAGES} pages: the issue is left alone, so as not to open a second one`);
    }
    return found.sort((a, b) => Number(a.legacy) - Number(b.legacy) || a.number - b.number);
}
/** The issue as it is now: another run may have written to it since it was listed. */
async function reread(job, issue) {
    const { data } = await job.gh.rest.issues.get({ ...job.repo, issue_number: issue.number });
    const marker = issueMarker(job.run.key);
    return toFound(data, issue.legacy && !(data.body ?? '').includes(marker));
}
async function closeAsDuplicate(job, duplicate, kept) {
    await editIssue(job, duplicate, {
        state: 'closed',
        state_reason: 'not_planned',
        body: renderDuplicateBody(kept),
    });
}
/**
 * A new issue, its labels made first. Runs that overlap may each have opened one: the listing is
 * read again, and the oldest one wins.
 */
async function createIssue(job, changes) {
    const { gh, repo, labels, run, log } = job;
    await ensureLabels(gh, repo, labels, log);
    const body = renderIssueBody(run, job.result, changes, job.current);
    const created = await createOnce('the issue', async () => {
        const { data, status } = await gh.rest.issues.create({
            ...repo,
            title: issueTitle(run.name),
            body,
            labels: [...labels],
            request: { retries: 0 },
        });
        if (status !== 201 || typeof data.number !== 'number') {
            throw new Error(`GitHub answered the create with ${status}, not 201 Created`);
        }
        return { number: data.number, url: data.html_url };
    }, async () => (await listIssues(job, 'open'))[0], log);
    const [kept] = await listIssues(job, 'open');
    if (!kept || kept.number >= created.number)
        return { url: created.url, action: 'created' };
    await closeAsDuplicate(job, created, kept);
    const previous = readStateMarker(kept.body);
    return {
        url: kept.url,
        ...(previous && { previous }),
        action: 'duplicate',
        closedDuplicate: created.number,
    };
}
/** Labels that do not exist yet are created, so the issue can be listed by them next time. */
async function ensureLabels(gh, repo, labels, log) {
    for (const name of labels) {
        try {
            await gh.rest.issues.getLabel({ ...repo, name });
        }
        catch (error) {
            if (statusOf(error) !== 404)
                throw error;
            try {
                await gh.rest.issues.createLabel({ ...repo, name, color: 'b60205' });
            }
            catch (created) {
                // Created meanwhile by a concurrent run (422), or not ours to create: the issue still
                // carries the label, which GitHub then creates itself.
                log.debug(`label ${name}: ${String(created)}`);
            }
        }
    }
}

;// CONCATENATED MODULE: ./lib/notify/pr-comment.js
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
    const made = await createOnce('the pull-request comment', async () => {
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
    const marker = commentMarker(run.key);
    seen.ignored = 0;
    let mine;
    const listing = gh.paginate.iterator(gh.rest.issues.listComments, {
        ...repo,
        issue_number: pull,
        per_page: 100,
    });
    const read = await readPages(listing, (comments) => {
        for (const c of comments) {
            if (!c.body?.includes(marker))
                continue;
            if (isMe(me, c.user)) {
                mine = { id: c.id, url: c.html_url };
                return true;
            }
            seen.ignored++;
        }
        return false;
    });
    // A comment of ours may be on a page not read: a second one is not written.
    if (read === 'cut') {
        throw new Error(`GitHub still listed more comments on #${pull} after ${MAX_PAGES} pages: the comment is not written, so as not to add a second one`);
    }
    return mine;
}

// EXTERNAL MODULE: ./lib/findings/hints.js
var hints = __webpack_require__(8652);
;// CONCATENATED MODULE: ./lib/notify/slack-message.js
// The Slack message: one Block Kit message within Slack's limits, with Slack's special sequences
// (<!channel>, <!here>, <@U…>, <url|text>) made impossible in untrusted text; each finding with what
// to do about it. Pure. slack.ts sends
// it; changes.ts decides whether Slack hears of a run at all.




/** Slack's limits: section text, blocks per message, header text. */
const SLACK_SECTION_LIMIT = 3000;
const SLACK_MAX_BLOCKS = 50;
const HEADER_LIMIT = 150;
/** Sections of findings; the rest is counted and left to the run's summary. */
const MAX_FINDING_SECTIONS = 10;
/**
 * Untrusted text for Slack mrkdwn: on one line, `&`, `<` and `>` escaped (Slack's only control
 * characters: no `<!channel>`, `<@U…>` or `<url|text>` survives), backticks removed so the text
 * cannot leave the code span it is shown in.
 */
function slackEscape(text, max = 120) {
    return (0,markdown/* oneLine */.TN)(text, max)
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/`/g, "'");
}
/** Untrusted text as a Slack code span; empty text is no span. */
function slackCode(text, max = 120) {
    const t = slackEscape(text, max);
    return t ? `\`${t}\`` : '';
}
function findingLine(f) {
    const service = 'expected' in f ? (0,format/* findingDetail */.jc)(f) : '';
    const pinned = 'expected' in f && f.kind === 'service-changed' ? `pinned ${f.expected}` : '';
    return [
        `• *${f.kind}*`,
        slackCode(f.target),
        f.address && f.address !== f.target ? slackCode(f.address) : '',
        (0,format/* portLabel */.Uz)(f),
        pinned ? slackCode(pinned, 60) : '',
        service ? slackCode(service, 'certificate' in f && f.certificate ? 200 : 80) : '',
    ]
        .filter(Boolean)
        .join(' ');
}
/** Lines packed into sections of at most Slack's section limit; at most `max` sections. */
function sections(lines, max) {
    const blocks = [];
    let chunk = '';
    let used = 0;
    for (const line of lines) {
        if (chunk && chunk.length + 1 + line.length > SLACK_SECTION_LIMIT) {
            if (blocks.length + 1 >= max)
                break;
            blocks.push(section(chunk));
            chunk = '';
        }
        chunk = chunk ? `${chunk}\n${line}` : line;
        used++;
    }
    if (chunk)
        blocks.push(section(chunk));
    return { blocks, left: lines.length - used };
}
function section(text) {
    return { type: 'section', text: { type: 'mrkdwn', text: text.slice(0, SLACK_SECTION_LIMIT) } };
}
function runLink(run) {
    return /^https?:\/\/[^\s<>|]+$/.test(run.runUrl)
        ? `<${run.runUrl}|run ${slackEscape(run.runId, 30)}>`
        : `run ${slackEscape(run.runId, 30)}`;
}
function buildSlackMessage(news) {
    const { run, result, event } = news;
    const title = titleOf(news);
    const verdict = slackEscape(result.message, 500);
    const blocks = [
        {
            type: 'header',
            text: { type: 'plain_text', text: [...title].slice(0, HEADER_LIMIT).join(''), emoji: true },
        },
        ...(event === 'resolved'
            ? [section(`No drift in ${runLink(run)}. ${verdict}`)]
            : findingBlocks(news, verdict)),
        { type: 'context', elements: [{ type: 'mrkdwn', text: `port-drift · ${runLink(run)}` }] },
    ];
    return { text: `${title}: ${verdict}`, blocks };
}
function titleOf({ run, event, place }) {
    const name = slackEscape(run.name, 100);
    if (place !== undefined)
        return `🔎 Port drift in ${slackEscape(place, 60)} (not production): ${name}`;
    return {
        new: `🚨 New port drift: ${name}`,
        changed: `⚠️ Port drift changed: ${name}`,
        resolved: `✅ Port drift resolved: ${name}`,
        ongoing: `⚠️ Port drift: ${name}`,
    }[event];
}
/** The verdict, then the findings (resolved ones first), each remedy under its first finding. */
function findingBlocks({ run, result, changes, event, place }, verdict) {
    const added = new Set(changes.added.map(memory_changes/* findingKey */.fl));
    const advised = new Set();
    const since = place === undefined ? ` ${slackEscape((0,memory_changes/* describeChanges */.DT)(changes), 200)}` : '';
    const lines = [
        ...(changes.known && !changes.detailsLost
            ? changes.resolved.map((f) => `${findingLine(f)} _(resolved)_`)
            : []),
        ...result.findings.map((f) => {
            const line = event === 'changed' && added.has((0,memory_changes/* findingKey */.fl)(f))
                ? `${findingLine(f)} _(new)_`
                : findingLine(f);
            // What to do, under the first finding it is for: the same advice is not repeated.
            const remedy = (0,hints/* remedyFor */.wJ)(f);
            if (advised.has(remedy))
                return line;
            advised.add(remedy);
            return `${line}\n      ↳ ${slackEscape(remedy, 400)}`;
        }),
    ];
    // Header, verdict and context take three blocks; the rest may be findings.
    const max = Math.min(MAX_FINDING_SECTIONS, SLACK_MAX_BLOCKS - 4);
    const packed = sections(lines, max);
    return [
        section(`*${verdict}*${since}`),
        ...packed.blocks,
        ...(packed.left > 0
            ? [section(`…and ${packed.left} more in the job summary of ${runLink(run)}.`)]
            : []),
    ];
}

;// CONCATENATED MODULE: ./lib/notify/slack.js
// Slack's incoming webhook, the transport: posts a message within one deadline, waits as Slack
// asks (429 Retry-After), backs off on 5xx and network errors, and reports what Slack refused with
// its own error text. The message is slack-message.ts's; the URL (a secret) is never in a message.



const MAX_ATTEMPTS = 4;
const MAX_RETRY_AFTER_S = 60;
/**
 * Posts the message, within one deadline (`timeoutMs`) for all attempts and waits. 429 waits for
 * Retry-After, 5xx and network errors back off (1, 2, 4 s), each only while the deadline leaves
 * room; anything else Slack refused is reported with Slack's own error text, escaped. A redirect is
 * a failure. The URL is never in a message.
 */
async function postToSlack(url, message, log, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const answer = await post(url, message, deadline);
        if ('aborted' in answer && answer.aborted) {
            return {
                ok: false,
                warning: `could not reach Slack: no answer within ${timeoutMs / 1000} s`,
            };
        }
        const next = judge(answer, attempt);
        if ('end' in next)
            return next.end;
        last = next.last;
        if (next.wait === undefined)
            continue;
        // A wait that would leave no time for another attempt is not waited: the last answer stands.
        if (Date.now() + next.wait >= deadline)
            break;
        if (next.say)
            log.info(next.say);
        await (0,promises_.setTimeout)(next.wait);
    }
    return { ok: false, warning: last };
}
async function post(url, message, deadline) {
    const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
    try {
        const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json; charset=utf-8' },
            body: JSON.stringify(message),
            redirect: 'manual',
            signal,
        });
        return {
            status: response.status,
            retryAfter: response.headers.get('retry-after'),
            text: (0,markdown/* oneLine */.TN)(await response.text(), 200),
        };
    }
    catch (error) {
        const cause = error.cause;
        return { aborted: signal.aborted, error: (0,markdown/* oneLine */.TN)((0,errors/* getErrorMessage */.u1)(cause ?? error), 200) };
    }
}
/**
 * What an answer means: the end (sent, or refused for good), or try again, after `wait` ms when
 * set (saying `say`); `last` is the warning should no attempt succeed.
 */
function judge(answer, attempt) {
    const backoff = attempt < MAX_ATTEMPTS ? 1000 * 2 ** (attempt - 1) : undefined;
    if ('error' in answer) {
        return { last: `could not reach Slack: ${answer.error}`, ...(backoff && { wait: backoff }) };
    }
    const { status, text } = answer;
    if (status >= 200 && status < 300)
        return { end: { ok: true } };
    if (status >= 300 && status < 400) {
        const warning = `Slack answered ${status} with a redirect, which port-drift does not follow: nothing was posted. Check slack-webhook-url.`;
        return { end: { ok: false, warning } };
    }
    const last = `Slack answered ${status}${text ? ` ${JSON.stringify(text)}` : ''}`;
    if (status === 429) {
        const asked = Number(answer.retryAfter);
        const seconds = Number.isFinite(asked) && asked >= 0 ? asked : 1;
        if (seconds > MAX_RETRY_AFTER_S)
            return { last, wait: Infinity };
        return { last, wait: seconds * 1000, say: `Slack rate limit (429): retrying in ${seconds} s.` };
    }
    if (status >= 500) {
        return backoff
            ? { last, wait: backoff, say: `Slack answered ${status}: retrying in ${backoff / 1000} s.` }
            : { last };
    }
    if (status === 404 || status === 410) {
        const warning = `${last}: the webhook is gone (removed, or its channel archived). Create a new incoming webhook and update slack-webhook-url.`;
        return { end: { ok: false, warning } };
    }
    return { end: { ok: false, warning: last } };
}

;// CONCATENATED MODULE: ./lib/notify/notify.js










/** Is any notification asked for? Without one, notifications are not even loaded. */
function wanted(settings) {
    return (settings.issue ||
        Boolean(settings.slackWebhookUrl) ||
        (settings.prComment && /^pull_request(_target)?$/.test(process.env['GITHUB_EVENT_NAME'] ?? '')));
}
async function notify(input, context, edge) {
    const { settings } = input;
    const wantsPr = settings.prComment && context.pull !== undefined;
    if (!settings.issue && !wantsPr && !settings.slackWebhookUrl)
        return {};
    return edge.log.group('Notifications', () => deliver(input, context, wantsPr, edge));
}
function planDelivery(settings, context, wantsPr) {
    const speaks = context.production.speaks;
    return {
        issue: !settings.issue ? 'off' : speaks ? 'sync' : 'not-production',
        prComment: wantsPr && context.pull !== undefined,
        slack: !settings.slackWebhookUrl ? 'off' : speaks ? 'production' : 'not-production',
    };
}
async function deliver(input, context, wantsPr, edge) {
    const { settings } = input;
    const plan = planDelivery(settings, context, wantsPr);
    const { status, tracked } = (0,memory_changes/* classify */.L8)(input.findings, settings.failOn, input.nmapFailed);
    const result = {
        status,
        message: input.verdict.message,
        failed: input.verdict.failed,
        findings: input.findings,
        addresses: input.addresses,
        acceptForm: (0,settings_settings/* acceptFormOf */.Sz)(settings),
        ...(input.sections ? { sections: input.sections } : {}),
    };
    const github = new GitHubAccess(settings.githubToken, context, edge.log);
    const notifying = { input, context, edge, result, current: (0,memory_changes/* stateOf */.L4)(tracked), github };
    // The issue carries the last state when it is on; else the Actions cache does.
    let issue;
    if (plan.issue === 'not-production') {
        edge.log.info('Issue: left alone, this run does not speak for production (see above).');
    }
    else if (plan.issue === 'sync') {
        issue = await deliverIssue(notifying);
    }
    if (plan.prComment)
        await deliverPrComment(notifying);
    if (plan.slack === 'production')
        await tellSlack(notifying, issue);
    else if (plan.slack === 'not-production')
        await tellSlackNotProduction(notifying);
    return issue?.url ? { issueUrl: issue.url } : {};
}
/**
 * The GitHub client the issue and the comment share, made when first needed; one that let a call
 * run out of time is not asked again in this run.
 */
class GitHubAccess {
    token;
    context;
    log;
    gh;
    me;
    hung = false;
    constructor(token, context, log) {
        this.token = token;
        this.context = context;
        this.log = log;
    }
    /** The client, or undefined with a warning saying why `what` is skipped. */
    client(what) {
        const { repo } = this.context;
        const why = !this.token
            ? 'github-token is empty.'
            : !repo
                ? 'GITHUB_REPOSITORY is not set (not on a GitHub runner?).'
                : this.hung
                    ? 'GitHub did not answer earlier in this run.'
                    : undefined;
        if (why || !repo) {
            this.log.warning(`${what} skipped: ${why}`);
            return undefined;
        }
        this.gh ??= createGitHub(this.token, this.context.apiUrl, this.log, this.context.httpTimeoutMs);
        return { gh: this.gh, repo };
    }
    /** Who the token is, asked once. */
    identity(gh) {
        this.me ??= whoAmI(gh, this.log);
        return this.me;
    }
    failed(error) {
        if (error instanceof NoAnswerError && error.kind === 'deadline')
            this.hung = true;
    }
}
async function deliverIssue(notifying) {
    const { input, context, edge, result, current, github } = notifying;
    const { log } = edge;
    const client = github.client('The issue');
    if (!client)
        return undefined;
    try {
        const outcome = await syncIssue({
            ...client,
            labels: input.settings.issueLabels,
            run: context.run,
            result,
            current,
            me: await github.identity(client.gh),
            log,
        });
        if (outcome.action === 'duplicate') {
            log.info(`Issue: an overlapping run opened ${outcome.url} first; closed #${outcome.closedDuplicate}, which this run opened, in its favour.`);
        }
        else {
            log.info(`Issue: ${outcome.action}${outcome.url ? ` ${outcome.url}` : ''}.`);
        }
        return {
            ...(outcome.url && { url: outcome.url }),
            previous: outcome.previous,
            anotherRunSpeaks: outcome.action === 'duplicate',
        };
    }
    catch (error) {
        github.failed(error);
        log.warning(`The drift issue was not updated: ${describeGitHubError(error, 'issues: write')}`);
        return undefined;
    }
}
async function deliverPrComment({ context, edge, result, github }) {
    const { log } = edge;
    const { pull } = context;
    const client = github.client('The pull-request comment');
    if (!client || !pull)
        return;
    try {
        const done = await syncPrComment({ ...client, pull: pull.number, run: context.run, me: await github.identity(client.gh), log }, renderPrComment(context.run, result, pull.sha));
        log.info(`Pull-request comment: ${done.action} ${done.url}.`);
        if (done.ignored > 0) {
            log.info(`Pull-request comment: ignored ${done.ignored} comment(s) carrying this job's marker that the token did not write.`);
        }
    }
    catch (error) {
        github.failed(error);
        const fork = statusOf(error) === 403
            ? ' A pull request from a fork gets a read-only token: the result is in the job summary.'
            : '';
        log.warning(`The pull-request comment was not written: ${describeGitHubError(error, 'pull-requests: write')}${fork}`);
    }
}
/**
 * Slack, for a run that speaks for production: new, changed and resolved drift (`notify: change`)
 * against the last state, which the issue carried (`issue`) or the state store keeps.
 */
async function tellSlack(notifying, issue) {
    const { input, context, edge, result, current } = notifying;
    const { settings } = input;
    const { log } = edge;
    const { status } = result;
    const store = issue ? undefined : await edge.state((0,github_context/* keyHash */.a)(context.run.key));
    const previous = store ? await store.load() : issue?.previous;
    const changes = (0,memory_changes/* compare */.UD)(previous, current);
    let event = issue?.anotherRunSpeaks
        ? undefined
        : (0,memory_changes/* slackEventFor */.In)(status, previous, changes, settings.notify);
    let quiet = issue?.anotherRunSpeaks
        ? 'Slack: not sent, the overlapping run that kept the issue reports this drift.'
        : undefined;
    // Without an issue, the cache decides which of overlapping runs reports a change: the one
    // that saves it. The state is saved before Slack hears of it, so a run that cannot reach Slack
    // does not leave the next run to repeat the message: that message is lost, with a warning.
    // A cancelled run stops before it changes the last state: the next run tells Slack instead.
    if (edge.signal?.aborted)
        return;
    if (store && status !== 'undecided' && previous?.digest !== current.digest) {
        const claim = await store.save(current);
        if (claim === 'taken' && event) {
            event = undefined;
            quiet = 'Slack: not sent, an overlapping run saved this same change first and reports it.';
        }
    }
    if (event) {
        const message = buildSlackMessage({ run: context.run, result, changes, event });
        await sendToSlack(notifying, message, `Slack: ${event} drift sent.`);
    }
    else {
        log.info(quiet ??
            (status === 'drift'
                ? `Slack: not sent, the same drift as the last run (notify: change). ${(0,memory_changes/* describeChanges */.DT)(changes)}`
                : 'Slack: nothing to report.'));
    }
}
/**
 * Slack, for a run that does not speak for production (production.ts): nothing, unless
 * `slack-on-non-production` asks for it; then each run with drift, marked with where it ran. It
 * reads no last state and saves none, and never says resolved: that is production's to say.
 */
async function tellSlackNotProduction(notifying) {
    const { input, context, edge, result, current } = notifying;
    if (!input.settings.slackOnNonProduction) {
        edge.log.info('Slack: not sent, this run does not speak for production (slack-on-non-production: true would send its drift).');
        return;
    }
    if (result.status !== 'drift') {
        edge.log.info('Slack: nothing to report (a run that does not speak for production reports drift only).');
        return;
    }
    const { place } = context.production;
    const message = buildSlackMessage({
        run: context.run,
        result,
        changes: (0,memory_changes/* compare */.UD)(undefined, current),
        event: 'ongoing',
        place,
    });
    await sendToSlack(notifying, message, `Slack: drift in ${(0,markdown/* oneLine */.TN)(place, 100)} sent (not production).`);
}
async function sendToSlack({ input, context, edge }, message, sentLine) {
    const sent = await postToSlack(input.settings.slackWebhookUrl, message, edge.log, context.httpTimeoutMs);
    if (sent.ok)
        edge.log.info(sentLine);
    else
        edge.log.warning(`Slack was not notified: ${sent.warning}`);
}


/***/ })

};
