export const id = 35;
export const ids = [35];
export const modules = {

/***/ 2035:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  notify: () => (/* binding */ notify),
  wanted: () => (/* binding */ wanted)
});

// UNUSED EXPORTS: announce

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
function client_createGitHub(token, apiUrl, log, timeoutMs) {
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
            const status = client_statusOf(error);
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
async function client_whoAmI(gh, log) {
    try {
        const { data } = await gh.rest.users.getAuthenticated();
        return identityOf(data.login, data.id);
    }
    catch (error) {
        if (client_statusOf(error) !== 403)
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
const client_MAX_PAGES = 30;
/**
 * Reads a listing page by page, handing each page's items to `visit` until it returns true
 * (`stopped`), the listing ends (`ended`), or `maxPages` were read and GitHub still links a next
 * page (`cut`): then what was not read is unknown, and the caller says so.
 */
async function client_readPages(pages, visit, maxPages = client_MAX_PAGES) {
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
function client_statusOf(error) {
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
function client_describeGitHubError(error, permission) {
    const seen = noAnswer(error);
    if (seen) {
        return seen.kind === 'deadline'
            ? `could not reach GitHub: ${seen.message}`
            : `${seen.message}. Check GITHUB_API_URL and any proxy between the runner and GitHub.`;
    }
    const status = client_statusOf(error);
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
            const status = client_statusOf(error);
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
/** The key as 16 hex digits: in markers and cache keys. The repository is compared in lower case. */
function keyHash(key) {
    return hash16(JSON.stringify(['v2', key.repository.toLowerCase(), key.workflow, key.job, key.name]));
}
/** The marker that identifies the issue of one key among the issues carrying the labels. */
function issueMarker(key) {
    return `<!-- port-drift:issue:v2:${keyHash(key)} -->`;
}
/** The marker of issues opened by port-drift before the key named the workflow and the job. */
function legacyIssueMarker(name) {
    return `<!-- port-drift:issue:${hash16(name)} -->`;
}
/** The marker that identifies the sticky pull-request comment of one key. */
function commentMarker(key) {
    return `<!-- port-drift:pr-comment:v2:${keyHash(key)} -->`;
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
        parts.push(`Resolved: no drift in [run ${run.runId}](${run.runUrl}).${was.length ? ' The drift was:' : ''}`, ...(was.length ? [was.join('\n')] : []));
        return [...parts, ...extra(result.sections?.history), footer, stateMarker(state)].join('\n\n');
    }
    parts.push(`**${result.message}** ${(0,markdown/* plural */.LS)(result.addresses, 'address', 'addresses')} scanned.`, '### What changed', [(0,memory_changes/* describeChanges */.DT)(changes), ...changeLines(changes)].join('\n'), ...extra(result.sections?.history), ...extra((0,format/* whatToDo */.H6)(result.findings, result.acceptForm)), '### Findings');
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
        : `${result.message} ${addresses} scanned.`, ...extra(result.sections?.exposure), ...extra(result.sections?.since));
    if (result.findings.length === 0)
        return [...parts, footer].join('\n\n');
    parts.push(...extra((0,format/* whatToDo */.H6)(result.findings, result.acceptForm)), '### Findings');
    return assemble(parts, result.findings, run, [footer]);
}
/**
 * The comment while the scan runs, written before it starts: a reviewer sees what the policy
 * change exposes at once, whatever the scan takes.
 */
function render_renderPrPending(run, sha, exposure) {
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

;// CONCATENATED MODULE: ./lib/notify/issue.js
// The drift issue: one open issue per key (repository, workflow file, job, name), found by listing
// open issues by label and matching a hidden marker in the body (never the search API), and only
// among issues the token itself wrote. Opened on drift, updated in place when the drift changes,
// left alone when it does not, closed when a scan is clean, reopened when drift returns. Runs that
// overlap end with one open issue: after creating, each lists again, and the older issue wins.




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
async function syncIssue(gh, repo, labels, run, result, current, me, log) {
    const marker = issueMarker(run.key);
    const legacyMarker = legacyIssueMarker(run.name);
    /** Issues of this key in one state, written by the token's identity; oldest first (open). */
    const find = async (state, legacy = false) => {
        const found = [];
        const params = {
            ...repo,
            state,
            labels: labels[0] ?? '',
            per_page: 100,
            sort: state === 'open' ? 'created' : 'updated',
            direction: state === 'open' ? 'asc' : 'desc',
        };
        const closed = state === 'closed';
        const listing = gh.paginate.iterator(gh.rest.issues.listForRepo, params);
        const read = await client_readPages(listing, (issues) => {
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
        closed ? 10 : client_MAX_PAGES);
        // An open issue of ours may be on a page not read: a second one is not opened.
        if (read === 'cut' && !closed) {
            throw new Error(`GitHub still listed more open issues labelled ${(0,markdown/* oneLine */.TN)(params.labels, 60)} after ${client_MAX_PAGES} pages: the issue is left alone, so as not to open a second one`);
        }
        return found.sort((a, b) => Number(a.legacy) - Number(b.legacy) || a.number - b.number);
    };
    /** The issue as it is now: another run may have written to it since it was listed. */
    const reread = async (issue) => {
        const { data } = await gh.rest.issues.get({ ...repo, issue_number: issue.number });
        return toFound(data, issue.legacy && !(data.body ?? '').includes(marker));
    };
    const closeAsDuplicate = async (duplicate, kept) => {
        await gh.rest.issues.update({
            ...repo,
            issue_number: duplicate.number,
            state: 'closed',
            state_reason: 'not_planned',
            body: renderDuplicateBody(kept),
        });
    };
    const open = await find('open', result.status === 'drift');
    const keyed = open.filter((i) => !i.legacy);
    // Overlapping runs whose listing did not yet show each other's issue may have left two: the
    // oldest is kept, the others are closed pointing to it.
    for (const extra of keyed.slice(1)) {
        await closeAsDuplicate(extra, keyed[0]);
        log.info(`Issue: closed #${extra.number}, a duplicate of #${keyed[0].number}.`);
    }
    // An issue of an earlier version is taken over only by a run that sees drift: its marker named the
    // name alone, so it may have been another job's, and a clean run must not close it.
    let issue = keyed[0] ?? open.find((i) => i.legacy);
    if (issue?.legacy)
        log.info(`Issue: taking over #${issue.number}, opened by an earlier version.`);
    if (result.status === 'undecided') {
        const previous = issue ? readStateMarker(issue.body) : undefined;
        return { ...(issue && { url: issue.url }), ...(previous && { previous }), action: 'none' };
    }
    if (result.status === 'clean') {
        if (!issue)
            return { action: 'none' };
        issue = await reread(issue);
        const previous = readStateMarker(issue.body);
        if (issue.state === 'closed') {
            // Closed meanwhile, by an overlapping run or a person: nothing left to say.
            return { url: issue.url, ...(previous && { previous }), action: 'unchanged' };
        }
        const changes = (0,memory_changes/* compare */.UD)(previous, current);
        await gh.rest.issues.createComment({
            ...repo,
            issue_number: issue.number,
            body: renderIssueComment(run, result, changes, false),
        });
        await gh.rest.issues.update({
            ...repo,
            issue_number: issue.number,
            state: 'closed',
            state_reason: 'completed',
            body: renderIssueBody(run, result, changes, current),
        });
        return { url: issue.url, ...(previous && { previous }), action: 'closed' };
    }
    // Drift.
    if (issue)
        return updateDrift(issue);
    // No open issue: the last one of this key (closed when a scan was clean, or by a person) is
    // reopened.
    const [closed] = await find('closed');
    if (closed) {
        const before = readStateMarker(closed.body);
        const changes = (0,memory_changes/* compare */.UD)(before, current);
        // Closed by a person as not planned, with this very drift: they have seen it. It is reopened
        // when the drift changes, not every hour.
        if (closed.stateReason === 'not_planned' && !changes.changed) {
            return { url: closed.url, ...(before && { previous: before }), action: 'unchanged' };
        }
        const now = await reread(closed);
        // Reopened meanwhile by an overlapping run: from here on, it is an open issue to keep.
        if (now.state === 'open')
            return updateDrift(now);
        await gh.rest.issues.update({
            ...repo,
            issue_number: closed.number,
            state: 'open',
            title: issueTitle(run.name),
            body: renderIssueBody(run, result, changes, current),
        });
        await gh.rest.issues.createComment({
            ...repo,
            issue_number: closed.number,
            body: renderIssueComment(run, result, changes, true),
        });
        return { url: closed.url, ...(before && { previous: before }), action: 'reopened' };
    }
    await ensureLabels(gh, repo, labels, log);
    const body = renderIssueBody(run, result, (0,memory_changes/* compare */.UD)(undefined, current), current);
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
    }, async () => (await find('open'))[0], log);
    // Runs that overlap may each have opened one: list again, and the oldest one wins.
    const [kept] = await find('open');
    if (kept && kept.number < created.number) {
        await closeAsDuplicate(created, kept);
        const previous = readStateMarker(kept.body);
        return {
            url: kept.url,
            ...(previous && { previous }),
            action: 'duplicate',
            closedDuplicate: created.number,
        };
    }
    return { url: created.url, action: 'created' };
    async function updateDrift(found) {
        let issue = found;
        let previous = readStateMarker(issue.body);
        if (!(0,memory_changes/* compare */.UD)(previous, current).changed && !issue.legacy) {
            await refreshChart(issue, previous);
            return { url: issue.url, ...(previous && { previous }), action: 'unchanged' };
        }
        // An overlapping run may have written this very drift meanwhile: then there is nothing to add.
        issue = await reread(issue);
        previous = readStateMarker(issue.body);
        const changes = (0,memory_changes/* compare */.UD)(previous, current);
        if (!changes.changed && !issue.legacy) {
            await refreshChart(issue, previous);
            return { url: issue.url, ...(previous && { previous }), action: 'unchanged' };
        }
        await gh.rest.issues.update({
            ...repo,
            issue_number: issue.number,
            title: issueTitle(run.name),
            body: renderIssueBody(run, result, changes, current),
        });
        if (changes.changed) {
            await gh.rest.issues.createComment({
                ...repo,
                issue_number: issue.number,
                body: renderIssueComment(run, result, changes, false),
            });
        }
        return {
            url: issue.url,
            ...(previous && { previous }),
            action: changes.changed ? 'updated' : 'unchanged',
        };
    }
    /**
     * The same drift again: no comment, nobody is notified; with a history, the body is rewritten so
     * that its chart shows this run too (an edit notifies no one).
     */
    async function refreshChart(issue, previous) {
        if (!result.sections?.history)
            return;
        await gh.rest.issues.update({
            ...repo,
            issue_number: issue.number,
            body: renderIssueBody(run, result, (0,memory_changes/* compare */.UD)(previous, current), current),
        });
    }
}
/** Labels that do not exist yet are created, so the issue can be listed by them next time. */
async function ensureLabels(gh, repo, labels, log) {
    for (const name of labels) {
        try {
            await gh.rest.issues.getLabel({ ...repo, name });
        }
        catch (error) {
            if (client_statusOf(error) !== 404)
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


async function pr_comment_syncPrComment(gh, repo, pull, run, 
/** The comment, rendered (renderPrComment, renderPrPending): it carries the marker. */
body, me, log) {
    const marker = commentMarker(run.key);
    let ignored = 0;
    const find = async () => {
        ignored = 0;
        let mine;
        const listing = gh.paginate.iterator(gh.rest.issues.listComments, {
            ...repo,
            issue_number: pull,
            per_page: 100,
        });
        const read = await client_readPages(listing, (comments) => {
            for (const c of comments) {
                if (!c.body?.includes(marker))
                    continue;
                if (isMe(me, c.user)) {
                    mine = { id: c.id, url: c.html_url };
                    return true;
                }
                ignored++;
            }
            return false;
        });
        // A comment of ours may be on a page not read: a second one is not written.
        if (read === 'cut') {
            throw new Error(`GitHub still listed more comments on #${pull} after ${client_MAX_PAGES} pages: the comment is not written, so as not to add a second one`);
        }
        return mine;
    };
    const mine = await find();
    if (mine) {
        const { data } = await gh.rest.issues.updateComment({ ...repo, comment_id: mine.id, body });
        return { url: data.html_url, action: 'updated', ignored };
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
    }, find, log);
    return { url: made.url, action: 'created', ignored };
}

// EXTERNAL MODULE: ./lib/base/files.js
var files = __webpack_require__(378);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./lib/settings/ports.js
var ports = __webpack_require__(393);
// EXTERNAL MODULE: ./lib/settings/rules.js
var rules = __webpack_require__(6562);
;// CONCATENATED MODULE: ./lib/pull-request/exposure.js
// What a change of the policy file exposes, read from its base and head versions before any scan:
// which ports on which patterns become allowed, required or accepted for a while, which are no
// longer allowed, and which targets join or leave the scan. For the pull-request comment, where a
// reviewer approves what a pull request opens up. Pure: the caller reads both versions.
// Ports are handled as ranges throughout (a rule may allow 1-65535), never one by one.



/**
 * The ports of `from` that are not in `remove`, sorted and merged; protocols are kept apart. Works
 * on ranges, whatever their size.
 */
function subtractRanges(from, remove) {
    // coalesceRanges sorts by protocol, then by first port: both lists walk in the same order.
    const cut = coalesceRanges(remove);
    const before = (c, r) => c.protocol < r.protocol || (c.protocol === r.protocol && c.to < r.from);
    const out = [];
    let i = 0;
    for (const r of coalesceRanges(from)) {
        while (i < cut.length && before(cut[i], r))
            i++;
        let start = r.from;
        for (let j = i; j < cut.length && start <= r.to; j++) {
            const c = cut[j];
            if (c.protocol !== r.protocol || c.from > r.to)
                break;
            if (c.from > start)
                out.push({ from: start, to: c.from - 1, protocol: r.protocol });
            start = Math.max(start, c.to + 1);
        }
        if (start <= r.to)
            out.push({ from: start, to: r.to, protocol: r.protocol });
    }
    return out;
}
function intersectRanges(a, b) {
    return subtractRanges(a, subtractRanges(a, b));
}
function declared(ports) {
    const required = coalesceRanges(ports.filter((p) => !p.optional && !p.exception).map(rangeOf));
    const plain = coalesceRanges(ports.filter((p) => !p.exception).map(rangeOf));
    const byException = new Map();
    for (const p of ports) {
        if (!p.exception)
            continue;
        const { until, reason } = p.exception;
        const key = `${until}\n${reason}`;
        const entry = byException.get(key) ?? { exception: { until, reason }, ranges: [] };
        entry.ranges.push(rangeOf(p));
        byException.set(key, entry);
    }
    const latestFirst = [...byException.values()].sort((a, b) => compareUntil(b.exception.until, a.exception.until));
    const exceptions = [];
    let allowed = plain;
    for (const { exception, ranges } of latestFirst) {
        const own = subtractRanges(ranges, allowed);
        if (own.length === 0)
            continue;
        exceptions.push({ exception, ranges: own });
        allowed = coalesceRanges([...allowed, ...own]);
    }
    return { required, optional: subtractRanges(plain, required), exceptions, allowed };
}
const NOTHING = { required: [], optional: [], exceptions: [], allowed: [] };
/** Each rule pattern's ports, by pattern compared case-insensitively, in the order first written. */
function byPattern(policy) {
    const out = new Map();
    for (const rule of policy?.rules ?? []) {
        const key = rule.pattern.toLowerCase();
        const entry = out.get(key) ?? { pattern: rule.pattern, ports: [] };
        entry.ports.push(...rule.ports);
        out.set(key, entry);
    }
    return out;
}
function sameException(a, b) {
    return a.until === b.until && a.reason === b.reason;
}
/** The changes of one pattern, from what base declared to what head declares. */
function patternChanges(pattern, base, head) {
    const out = [];
    const add = (kind, effect, ranges, exceptions = {}) => {
        for (const protocol of ['tcp', 'udp']) {
            const own = ranges.filter((r) => r.protocol === protocol);
            if (own.length)
                out.push({ kind, effect, pattern, protocol, ranges: own, ...exceptions });
        }
    };
    const added = subtractRanges(head.allowed, base.allowed);
    const removed = subtractRanges(base.allowed, head.allowed);
    const basePlain = coalesceRanges([...base.required, ...base.optional]);
    add('requires', 'widens', intersectRanges(head.required, added));
    add('allows', 'widens', intersectRanges(head.optional, added));
    for (const { exception, ranges } of head.exceptions) {
        add('accepts', 'widens', intersectRanges(ranges, added), { exception });
    }
    add('now-requires', 'widens', intersectRanges(head.required, base.optional));
    for (const { exception: was, ranges } of base.exceptions) {
        add('now-requires', 'widens', intersectRanges(head.required, ranges), { was });
        add('exception-removed', 'widens', intersectRanges(head.optional, ranges), { was });
    }
    for (const { exception: was, ranges: baseRanges } of base.exceptions) {
        for (const { exception, ranges } of head.exceptions) {
            if (sameException(was, exception))
                continue;
            const order = compareUntil(exception.until, was.until);
            // The same end with another reason, or the same time written another way: no change of exposure.
            if (order === 0)
                continue;
            const kind = order > 0 ? 'exception-extended' : 'exception-shortened';
            add(kind, order > 0 ? 'widens' : 'narrows', intersectRanges(ranges, baseRanges), {
                exception,
                was,
            });
        }
    }
    add('no-longer-allows', 'narrows', intersectRanges(basePlain, removed));
    for (const { exception: was, ranges } of base.exceptions) {
        add('no-longer-allows', 'narrows', intersectRanges(ranges, removed), { was });
    }
    add('no-longer-requires', 'narrows', intersectRanges(base.required, head.optional));
    for (const { exception, ranges } of head.exceptions) {
        add('exception-added', 'narrows', intersectRanges(ranges, basePlain), { exception });
    }
    return out;
}
/**
 * What changes in exposure from the base version of a policy to its head version: compared rule
 * pattern by rule pattern (hostnames case-insensitively; group rules are already one rule per
 * member), and target by target. `base` undefined: the file is new, everything in head is new.
 */
function exposure_diffPolicies(base, head) {
    const changes = [];
    const baseTargets = new Map((base?.targets ?? []).map((t) => [t.spec.toLowerCase(), t.spec]));
    const headTargets = new Map(head.targets.map((t) => [t.spec.toLowerCase(), t.spec]));
    for (const [key, target] of headTargets) {
        if (!baseTargets.has(key))
            changes.push({ kind: 'scans-target', effect: 'widens', target });
    }
    for (const [key, target] of baseTargets) {
        if (!headTargets.has(key)) {
            changes.push({ kind: 'no-longer-scans-target', effect: 'narrows', target });
        }
    }
    const baseRules = byPattern(base);
    const headRules = byPattern(head);
    const keys = new Set([...headRules.keys(), ...baseRules.keys()]);
    for (const key of keys) {
        const before = baseRules.get(key);
        const after = headRules.get(key);
        const pattern = after?.pattern ?? before?.pattern ?? key;
        changes.push(...patternChanges(pattern, before ? declared(before.ports) : NOTHING, after ? declared(after.ports) : NOTHING));
    }
    return { newFile: base === undefined, changes };
}
// ---------------------------------------------------------------------------
// Markdown for the pull-request comment. Patterns, targets, reasons and the file name come from the
// pull request: each goes through code(), where GitHub makes no mention, reference, link or HTML,
// and which breaks up `<!--` so that no text of the pull request can pass for a hidden marker.
const MAX_RANGES_SHOWN = 12;
function portsLabel(c) {
    const shown = c.ranges.slice(0, MAX_RANGES_SHOWN);
    const more = c.ranges.length > shown.length;
    const list = `**${formatPortList(shown)}${more ? ',…' : ''}/${c.protocol}**`;
    return more
        ? `${list} (${plural(countPorts(c.ranges), 'port')} in ${plural(c.ranges.length, 'range')})`
        : list;
}
function exceptionLabel(e) {
    const reason = code(e.reason);
    return `until ${code(e.until, 40)}${reason ? ` (${reason})` : ''}`;
}
function line(c) {
    if ('target' in c) {
        return c.kind === 'scans-target'
            ? `scans new target ${code(c.target)}`
            : `no longer scans ${code(c.target)}: its ports are no longer checked`;
    }
    const what = `${portsLabel(c)} on ${c.pattern === '*' ? 'every target' : code(c.pattern)}`;
    const was = c.was ? `accepted ${exceptionLabel(c.was)}` : '';
    const until = c.exception ? exceptionLabel(c.exception) : '';
    switch (c.kind) {
        case 'requires':
            return `requires ${what}, new`;
        case 'allows':
            return `allows ${what}, new`;
        case 'accepts':
            return `accepts ${what} ${until}, new`;
        case 'now-requires':
            return `now requires ${what}, was ${was || 'only allowed'}`;
        case 'no-longer-requires':
            return `no longer requires ${what}, still allowed`;
        case 'no-longer-allows':
            return `no longer allows ${what}${was ? `, was ${was}` : ''}: drift if open`;
        case 'exception-added':
            return `accepts ${what} only ${until}, was allowed without end`;
        case 'exception-removed':
            return `allows ${what} without end, was ${was}`;
        case 'exception-extended':
        case 'exception-shortened':
            return `accepts ${what} ${until}, ${c.kind === 'exception-extended' ? 'extended' : 'shortened'} from ${c.was ? code(c.was.until, 40) : '?'}`;
    }
}
/**
 * The exposure change as Markdown: a heading naming the file, what widens (for the reviewer to
 * approve) before what narrows, at most `limit` lines and a count of the rest.
 */
function exposure_renderExposure(diff, policyFile, limit = 50) {
    const file = code(policyFile, 300);
    const out = [`### Exposure change in ${file}`];
    if (diff.newFile)
        out.push(`${file} is new in this pull request: all it declares is new.`);
    const widens = diff.changes.filter((c) => c.effect === 'widens');
    const narrows = diff.changes.filter((c) => c.effect === 'narrows');
    if (widens.length + narrows.length === 0) {
        out.push('This change of the policy does not change what is scanned or what may be open.');
        return out.join('\n\n');
    }
    const room = Math.max(0, limit);
    const shownWidens = widens.slice(0, room);
    const shownNarrows = narrows.slice(0, room - shownWidens.length);
    if (shownWidens.length) {
        out.push(`**Widens** (to approve):\n${shownWidens.map((c) => `- ${line(c)}`).join('\n')}`);
    }
    if (shownNarrows.length) {
        out.push(`**Narrows**:\n${shownNarrows.map((c) => `- ${line(c)}`).join('\n')}`);
    }
    const leftWidens = widens.length - shownWidens.length;
    const leftNarrows = narrows.length - shownNarrows.length;
    if (leftWidens + leftNarrows > 0) {
        const parts = [
            leftWidens ? `${leftWidens.toLocaleString('en-US')} widening` : '',
            leftNarrows ? `${leftNarrows.toLocaleString('en-US')} narrowing` : '',
        ].filter(Boolean);
        out.push(`…and ${plural(leftWidens + leftNarrows, 'more change')} (${parts.join(', ')}).`);
    }
    return out.join('\n\n');
}

// EXTERNAL MODULE: ./lib/settings/policy.js
var policy = __webpack_require__(2679);
;// CONCATENATED MODULE: ./lib/pull-request/policy-change.js
// What a pull request's change of the policy file exposes, read before any scan: the file is looked
// for among the pull request's changed files; its base version is read from GitHub at the base
// commit, its head version from the checkout; the two are compared rule by rule (exposure.ts).
// Nothing of the pull request's files is trusted: the base text is parsed like any policy, and
// everything shown goes through the escaping of renderExposure.







/** The policy file's path in the repository, when it lies in the workspace. */
function repositoryPath(policyPath, workspace) {
    const rel = relative(workspace, policyPath);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : undefined;
}
/**
 * The exposure change as Markdown, or undefined when the pull request does not change the policy
 * file (or it cannot be told, which the log says).
 */
async function policy_change_policyExposure(gh, repo, pull, policyPath, workspace, log) {
    const path = repositoryPath(policyPath, workspace);
    if (!path) {
        log.info(`Exposure: the policy file ${policyPath} is outside the workspace; not compared.`);
        return undefined;
    }
    const change = await changeOf(gh, repo, pull.number, path);
    if (!change) {
        log.info(`Exposure: the pull request does not change ${path}.`);
        return undefined;
    }
    const head = parsePolicy(await readUserFile('policy', policyPath, { followSymlinks: true }), path);
    const { base, note } = change.status === 'added'
        ? { base: undefined, note: '' }
        : await baseOf(gh, repo, pull, path, change);
    // Only a file GitHub lists as added is new: a base version that could not be read is said so
    // in the note, not taken for a new file.
    const diff = { ...diffPolicies(base, head), newFile: change.status === 'added' };
    return renderExposure(diff, path) + note;
}
/** How the pull request changes the file at `path`, as GitHub lists its files; undefined: not. */
async function changeOf(gh, repo, pullNumber, path) {
    let change;
    const listing = gh.paginate.iterator(gh.rest.pulls.listFiles, {
        ...repo,
        pull_number: pullNumber,
        per_page: 100,
    });
    const read = await readPages(listing, (files) => {
        const f = files.find((file) => file.filename === path);
        if (f) {
            change = {
                status: f.status,
                ...(f.previous_filename ? { previous: f.previous_filename } : {}),
            };
        }
        return f !== undefined;
    });
    if (read === 'cut') {
        throw new Error(`GitHub still listed more changed files after ${MAX_PAGES} pages (it lists at most 3,000): whether the pull request changes ${oneLine(path, 200)} is not known`);
    }
    return change;
}
/** The policy at the pull request's base commit, or a note saying why every rule shows as new. */
async function baseOf(gh, repo, pull, path, change) {
    if (!pull.base)
        throw new Error('the event gives no base commit of the pull request');
    const basePath = change.previous ?? path;
    const text = await readAt(gh, repo, basePath, pull.base);
    if (text === undefined) {
        return {
            base: undefined,
            note: `\n\n${code(basePath)} could not be read at the base commit: every rule is shown as new.`,
        };
    }
    try {
        return { base: parsePolicy(text, `${basePath} (base)`), note: '' };
    }
    catch (error) {
        const why = error instanceof ConfigurationError ? error.problem : getErrorMessage(error);
        return {
            base: undefined,
            note: `\n\nThe base version is not a valid policy (${code(why, 200)}): every rule is shown as new.`,
        };
    }
}
/** A file's text at a commit; undefined when it is not there (404) or not a file. */
async function readAt(gh, repo, path, ref) {
    try {
        const { data } = await gh.rest.repos.getContent({ ...repo, path, ref });
        if (Array.isArray(data) || data.type !== 'file' || !('content' in data))
            return undefined;
        if (data.encoding !== 'base64')
            return undefined;
        return Buffer.from(data.content, 'base64').toString('utf8');
    }
    catch (error) {
        if (statusOf(error) === 404)
            return undefined;
        throw error;
    }
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
    const service = 'service' in f && f.service
        ? (0,format/* describeService */.Jv)(f.service)
        : 'detail' in f
            ? (f.detail ?? '')
            : '';
    return [
        `• *${f.kind}*`,
        slackCode(f.target),
        f.address && f.address !== f.target ? slackCode(f.address) : '',
        (0,format/* portLabel */.Uz)(f),
        service ? slackCode(service, 80) : '',
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
/**
 * The message. `place`, for a run that does not speak for production (production.ts): where it ran,
 * such as `pull request #7`; the header says so, and the message says nothing of earlier runs.
 */
function buildSlackMessage(run, result, changes, event, place) {
    const name = slackEscape(run.name, 100);
    const title = place !== undefined
        ? `🔎 Port drift in ${slackEscape(place, 60)} (not production): ${name}`
        : {
            new: `🚨 New port drift: ${name}`,
            changed: `⚠️ Port drift changed: ${name}`,
            resolved: `✅ Port drift resolved: ${name}`,
            ongoing: `⚠️ Port drift: ${name}`,
        }[event];
    const blocks = [
        {
            type: 'header',
            text: { type: 'plain_text', text: [...title].slice(0, HEADER_LIMIT).join(''), emoji: true },
        },
    ];
    const verdict = slackEscape(result.message, 500);
    if (event === 'resolved') {
        blocks.push(section(`No drift in ${runLink(run)}. ${verdict}`));
    }
    else {
        const added = new Set(changes.added.map(memory_changes/* findingKey */.fl));
        const advised = new Set();
        const since = place === undefined ? ` ${slackEscape((0,memory_changes/* describeChanges */.DT)(changes), 200)}` : '';
        blocks.push(section(`*${verdict}*${since}`));
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
        blocks.push(...packed.blocks);
        if (packed.left > 0) {
            blocks.push(section(`…and ${packed.left} more in the job summary of ${runLink(run)}.`));
        }
    }
    blocks.push({
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `port-drift · ${runLink(run)}` }],
    });
    return { text: `${title}: ${verdict}`, blocks };
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
    const noAnswer = `could not reach Slack: no answer within ${timeoutMs / 1000} s`;
    let last = '';
    /** Waits, when the wait leaves time for another attempt; says whether it waited. */
    const waitIfTime = async (ms) => {
        if (Date.now() + ms >= deadline)
            return false;
        await (0,promises_.setTimeout)(ms);
        return true;
    };
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        let status;
        let text;
        let retryAfter;
        const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
        try {
            const response = await fetch(url, {
                method: 'POST',
                headers: { 'content-type': 'application/json; charset=utf-8' },
                body: JSON.stringify(message),
                redirect: 'manual',
                signal,
            });
            status = response.status;
            retryAfter = response.headers.get('retry-after');
            text = (0,markdown/* oneLine */.TN)(await response.text(), 200);
        }
        catch (error) {
            if (signal.aborted)
                return { ok: false, warning: noAnswer };
            const cause = error.cause;
            last = `could not reach Slack: ${(0,markdown/* oneLine */.TN)((0,errors/* getErrorMessage */.u1)(cause ?? error), 200)}`;
            if (attempt < MAX_ATTEMPTS && !(await waitIfTime(1000 * 2 ** (attempt - 1))))
                break;
            continue;
        }
        if (status >= 200 && status < 300)
            return { ok: true };
        if (status >= 300 && status < 400) {
            return {
                ok: false,
                warning: `Slack answered ${status} with a redirect, which port-drift does not follow: nothing was posted. Check slack-webhook-url.`,
            };
        }
        last = `Slack answered ${status}${text ? ` ${JSON.stringify(text)}` : ''}`;
        if (status === 429) {
            const wait = Number(retryAfter);
            const seconds = Number.isFinite(wait) && wait >= 0 ? wait : 1;
            if (seconds > MAX_RETRY_AFTER_S || Date.now() + seconds * 1000 >= deadline)
                break;
            log.info(`Slack rate limit (429): retrying in ${seconds} s.`);
            await (0,promises_.setTimeout)(seconds * 1000);
            continue;
        }
        if (status >= 500) {
            if (attempt < MAX_ATTEMPTS) {
                const wait = 1000 * 2 ** (attempt - 1);
                if (Date.now() + wait >= deadline)
                    break;
                log.info(`Slack answered ${status}: retrying in ${wait / 1000} s.`);
                await (0,promises_.setTimeout)(wait);
            }
            continue;
        }
        if (status === 404 || status === 410) {
            return {
                ok: false,
                warning: `${last}: the webhook is gone (removed, or its channel archived). Create a new incoming webhook and update slack-webhook-url.`,
            };
        }
        return { ok: false, warning: last };
    }
    return { ok: false, warning: last };
}

;// CONCATENATED MODULE: ./lib/notify/notify.js










/** Is any notification asked for? Without one, notifications are not even loaded. */
function wanted(settings) {
    return (settings.issue ||
        Boolean(settings.slackWebhookUrl) ||
        (settings.prComment && /^pull_request(_target)?$/.test(process.env['GITHUB_EVENT_NAME'] ?? '')));
}
/**
 * Before the scan, on a pull request that changes the policy file: what the change exposes, shown
 * at once in the sticky comment (the scan's result replaces it) and returned for the summary and
 * the final comment. Undefined when there is nothing to show or it could not be read (a warning).
 */
async function announce(settings, context, log) {
    const { pull, repo } = context;
    if (!pull || !repo || !settings.policyPath || !settings.githubToken)
        return undefined;
    // A shard leaves the comment to its merge job; record mode writes the policy, it checks nothing.
    if (settings.shard || settings.mode === 'record')
        return undefined;
    const gh = createGitHub(settings.githubToken, context.apiUrl, log, context.httpTimeoutMs);
    let exposure;
    try {
        exposure = await policyExposure(gh, repo, pull, settings.policyPath, context.workspace, log);
    }
    catch (error) {
        log.warning(`What the policy change exposes was not worked out: ${describeGitHubError(error, 'contents: read, pull-requests: read')}`);
        return undefined;
    }
    // The merge job has no scan to wait for: its comment comes with the result.
    if (!exposure || !settings.prComment || settings.mode === 'merge')
        return exposure;
    try {
        const done = await syncPrComment(gh, repo, pull.number, context.run, renderPrPending(context.run, pull.sha, exposure), await whoAmI(gh, log), log);
        log.info(`Pull-request comment: the policy's exposure change, before the scan: ${done.url}.`);
    }
    catch (error) {
        log.warning(`The pull-request comment was not written before the scan: ${describeGitHubError(error, 'pull-requests: write')}`);
    }
    return exposure;
}
async function notify(input, context, edge) {
    const { settings } = input;
    const wantsPr = settings.prComment && context.pull !== undefined;
    if (!settings.issue && !wantsPr && !settings.slackWebhookUrl)
        return {};
    return edge.log.group('Notifications', () => deliver(input, context, wantsPr, edge));
}
async function deliver(input, context, wantsPr, edge) {
    const { log } = edge;
    const notified = {};
    const { settings } = input;
    const { status, tracked } = (0,memory_changes/* classify */.L8)(input.findings, settings.failOn, input.nmapFailed);
    const current = (0,memory_changes/* stateOf */.L4)(tracked);
    const result = {
        status,
        message: input.verdict.message,
        failed: input.verdict.failed,
        findings: input.findings,
        addresses: input.addresses,
        acceptForm: (0,settings_settings/* acceptFormOf */.Sz)(settings),
        ...(input.sections ? { sections: input.sections } : {}),
    };
    let gh;
    let me;
    /** Set when GitHub let a call run out of time: it is not asked again in this run. */
    let githubHung = false;
    const github = (what) => {
        if (!settings.githubToken) {
            log.warning(`${what} skipped: github-token is empty.`);
            return undefined;
        }
        if (!context.repo) {
            log.warning(`${what} skipped: GITHUB_REPOSITORY is not set (not on a GitHub runner?).`);
            return undefined;
        }
        if (githubHung) {
            log.warning(`${what} skipped: GitHub did not answer earlier in this run.`);
            return undefined;
        }
        gh ??= client_createGitHub(settings.githubToken, context.apiUrl, log, context.httpTimeoutMs);
        return gh;
    };
    const failed = (error) => {
        if (error instanceof NoAnswerError && error.kind === 'deadline')
            githubHung = true;
    };
    // The issue carries the last state when it is on; else the Actions cache does.
    let previous;
    let previousKnown = false;
    /** Another run speaks for this drift (its issue was kept, ours closed): Slack hears it from it. */
    let anotherRunSpeaks = false;
    if (settings.issue && !context.production.speaks) {
        log.info('Issue: left alone, this run does not speak for production (see above).');
    }
    else if (settings.issue) {
        const client = github('The issue');
        if (client && context.repo) {
            try {
                me ??= client_whoAmI(client, log);
                const outcome = await syncIssue(client, context.repo, settings.issueLabels, context.run, result, current, await me, log);
                previous = outcome.previous;
                previousKnown = true;
                if (outcome.url)
                    notified.issueUrl = outcome.url;
                if (outcome.action === 'duplicate') {
                    anotherRunSpeaks = true;
                    log.info(`Issue: an overlapping run opened ${outcome.url} first; closed #${outcome.closedDuplicate}, which this run opened, in its favour.`);
                }
                else {
                    log.info(`Issue: ${outcome.action}${outcome.url ? ` ${outcome.url}` : ''}.`);
                }
            }
            catch (error) {
                failed(error);
                log.warning(`The drift issue was not updated: ${client_describeGitHubError(error, 'issues: write')}`);
            }
        }
    }
    if (wantsPr && context.pull) {
        const client = github('The pull-request comment');
        if (client && context.repo) {
            try {
                me ??= client_whoAmI(client, log);
                const done = await pr_comment_syncPrComment(client, context.repo, context.pull.number, context.run, renderPrComment(context.run, result, context.pull.sha), await me, log);
                log.info(`Pull-request comment: ${done.action} ${done.url}.`);
                if (done.ignored > 0) {
                    log.info(`Pull-request comment: ignored ${done.ignored} comment(s) carrying this job's marker that the token did not write.`);
                }
            }
            catch (error) {
                failed(error);
                const fork = client_statusOf(error) === 403
                    ? ' A pull request from a fork gets a read-only token: the result is in the job summary.'
                    : '';
                log.warning(`The pull-request comment was not written: ${client_describeGitHubError(error, 'pull-requests: write')}${fork}`);
            }
        }
    }
    if (settings.slackWebhookUrl) {
        const known = previousKnown ? { previous } : undefined;
        if (context.production.speaks) {
            await tellSlack(input, context, result, current, known, anotherRunSpeaks, edge);
        }
        else {
            await tellSlackNotProduction(input, context, result, current, log);
        }
    }
    return notified;
}
/**
 * Slack, for a run that speaks for production: new, changed and resolved drift (`notify: change`)
 * against the last state, which the issue carried (`known`) or the state store keeps.
 */
async function tellSlack(input, context, result, current, known, anotherRunSpeaks, edge) {
    const { settings } = input;
    const { log } = edge;
    const webhook = settings.slackWebhookUrl;
    const { status } = result;
    const store = known ? undefined : await edge.state(keyHash(context.run.key));
    const previous = store ? await store.load() : known?.previous;
    const changes = (0,memory_changes/* compare */.UD)(previous, current);
    let event = anotherRunSpeaks
        ? undefined
        : (0,memory_changes/* slackEventFor */.In)(status, previous, changes, settings.notify);
    let quiet = anotherRunSpeaks
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
        const message = buildSlackMessage(context.run, result, changes, event);
        const sent = await postToSlack(webhook, message, log, context.httpTimeoutMs);
        if (sent.ok)
            log.info(`Slack: ${event} drift sent.`);
        else
            log.warning(`Slack was not notified: ${sent.warning}`);
    }
    else if (quiet) {
        log.info(quiet);
    }
    else {
        log.info(status === 'drift'
            ? `Slack: not sent, the same drift as the last run (notify: change). ${(0,memory_changes/* describeChanges */.DT)(changes)}`
            : 'Slack: nothing to report.');
    }
}
/**
 * Slack, for a run that does not speak for production (production.ts): nothing, unless
 * `slack-on-non-production` asks for it; then each run with drift, marked with where it ran. It
 * reads no last state and saves none, and never says resolved: that is production's to say.
 */
async function tellSlackNotProduction(input, context, result, current, log) {
    const { settings } = input;
    if (!settings.slackOnNonProduction) {
        log.info('Slack: not sent, this run does not speak for production (slack-on-non-production: true would send its drift).');
        return;
    }
    if (result.status !== 'drift') {
        log.info('Slack: nothing to report (a run that does not speak for production reports drift only).');
        return;
    }
    const { place } = context.production;
    const message = buildSlackMessage(context.run, result, (0,memory_changes/* compare */.UD)(undefined, current), 'ongoing', place);
    const sent = await postToSlack(settings.slackWebhookUrl, message, log, context.httpTimeoutMs);
    if (sent.ok)
        log.info(`Slack: drift in ${(0,markdown/* oneLine */.TN)(place, 100)} sent (not production).`);
    else
        log.warning(`Slack was not notified: ${sent.warning}`);
}


/***/ })

};
