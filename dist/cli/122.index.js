export const id = 122;
export const ids = [122];
export const modules = {

/***/ 6122:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  notify: () => (/* binding */ notify),
  readRunContext: () => (/* binding */ readRunContext),
  wanted: () => (/* binding */ wanted)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var core = __webpack_require__(3838);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: ./lib/errors.js
var errors = __webpack_require__(452);
// EXTERNAL MODULE: ./lib/settings.js
var settings = __webpack_require__(3390);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
;// CONCATENATED MODULE: ./lib/notify/changes.js
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
    const digest = (0,external_node_crypto_.createHash)('sha256').update(keys.join('\n')).digest('hex');
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
/** A state read back from an issue body or a cache file: anything malformed is no state. */
function parseState(value) {
    if (typeof value !== 'object' || value === null)
        return undefined;
    const v = value;
    if (typeof v['digest'] !== 'string' || !/^[0-9a-f]{64}$/.test(v['digest']))
        return undefined;
    if (typeof v['count'] !== 'number' || !Number.isInteger(v['count']) || v['count'] < 0) {
        return undefined;
    }
    const state = { digest: v['digest'], count: v['count'] };
    if (Array.isArray(v['findings'])) {
        const refs = [];
        for (const item of v['findings']) {
            const ref = parseRef(item);
            if (!ref)
                return { digest: state.digest, count: state.count };
            refs.push(ref);
        }
        state.findings = refs;
    }
    return state;
}
const KINDS = ['unexpected-open', 'missing', 'host-down', 'inconclusive'];
function parseRef(item) {
    if (typeof item !== 'object' || item === null)
        return undefined;
    const r = item;
    if (typeof r['kind'] !== 'string' || !KINDS.includes(r['kind']))
        return undefined;
    if (typeof r['target'] !== 'string' || typeof r['address'] !== 'string')
        return undefined;
    const ref = {
        kind: r['kind'],
        target: r['target'],
        address: r['address'],
    };
    if (r['port'] !== undefined) {
        const port = r['port'];
        if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
            return undefined;
        }
        ref.port = port;
        ref.protocol = r['protocol'] === 'udp' ? 'udp' : 'tcp';
    }
    return ref;
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

// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js
var github = __webpack_require__(1351);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/utils.js + 19 modules
var utils = __webpack_require__(5555);
// EXTERNAL MODULE: ./node_modules/@octokit/plugin-retry/dist-bundle/index.js
var dist_bundle = __webpack_require__(9735);
// EXTERNAL MODULE: ./node_modules/@octokit/plugin-throttling/dist-bundle/index.js
var plugin_throttling_dist_bundle = __webpack_require__(6856);
;// CONCATENATED MODULE: ./lib/notify/github.js
// The GitHub client: Octokit from @actions/github with the throttling and retry plugins, pointed at
// GITHUB_API_URL (GitHub Enterprise, or a test server), and one way to turn its errors into words.





/** Waits longer than this are not worth holding a job for: the notification becomes a warning. */
const MAX_WAIT_S = 60;
/**
 * The fetch @actions/github uses (it knows the runner's proxy), with a deadline on each request.
 * Octokit sets none, and undici waits 300 s for the headers and as long again for the body: a
 * GitHub that accepts a connection and never answers would hold the job for many minutes.
 */
function fetchWithDeadline(timeoutMs) {
    const upstream = utils/* defaults */.NT.request?.fetch ?? fetch;
    return async (url, init) => {
        const deadline = AbortSignal.timeout(timeoutMs);
        try {
            return await upstream(url, {
                ...init,
                signal: init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline,
            });
        }
        catch (error) {
            if (deadline.aborted)
                throw new Error(`no answer within ${timeoutMs / 1000} s`, { cause: error });
            throw error;
        }
    };
}
function createGitHub(token, apiUrl, log, timeoutMs) {
    const onLimit = (kind) => (retryAfter, options, _o, count) => {
        const retrying = count < 2 && retryAfter <= MAX_WAIT_S;
        log.info(`GitHub ${kind} rate limit on ${options.method ?? ''} ${options.url ?? ''}: ${retrying ? `retrying in ${retryAfter} s` : 'giving up'}.`);
        return retrying;
    };
    return (0,github/* getOctokit */.Q)(token, {
        baseUrl: apiUrl,
        request: { ...utils/* defaults */.NT.request, fetch: fetchWithDeadline(timeoutMs) },
        log: {
            debug: (m) => log.debug(m),
            info: (m) => log.debug(m),
            warn: (m) => log.info(m),
            error: (m) => log.info(m),
        },
        throttle: { onRateLimit: onLimit('primary'), onSecondaryRateLimit: onLimit('secondary') },
        // 5xx, network errors and timeouts: retried after 1 s and 4 s. 4xx are answers, not accidents.
        retry: { retries: 2, doNotRetry: [400, 401, 403, 404, 410, 422, 451] },
    }, dist_bundle/* retry */.L, plugin_throttling_dist_bundle/* throttling */.A);
}
/** The HTTP status of an Octokit error, when it has one. */
function statusOf(error) {
    const status = error?.status;
    return typeof status === 'number' ? status : undefined;
}
/**
 * Octokit's error as one line a user can act on. `permission` is what the job needs for this call,
 * such as `issues: write`.
 */
function describeGitHubError(error, permission) {
    const status = statusOf(error);
    const message = (0,errors/* getErrorMessage */.u1)(error).split('\n')[0]?.slice(0, 300) ?? '';
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
            if (status === 500 && error.response === undefined) {
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
async function createOnce(what, create, find, log) {
    for (let attempt = 1;; attempt++) {
        try {
            return await create();
        }
        catch (error) {
            const status = statusOf(error);
            if (attempt >= 3 || (status !== undefined && status < 500))
                throw error;
            log.info(`Creating ${what} failed (${status ?? (0,errors/* getErrorMessage */.u1)(error)}); checking whether it was made anyway.`);
            await new Promise((resolve) => setTimeout(resolve, attempt * 1000));
            const made = await find();
            if (made !== undefined)
                return made;
        }
    }
}

// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(8522);
// EXTERNAL MODULE: ./lib/report/markdown.js
var markdown = __webpack_require__(5402);
// EXTERNAL MODULE: ./lib/report/summary.js
var summary = __webpack_require__(3394);
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
function nameHash(name) {
    return (0,external_node_crypto_.createHash)('sha256').update(name).digest('hex').slice(0, 16);
}
/** The marker that identifies the issue of one `name` among the issues carrying the labels. */
function issueMarker(name) {
    return `<!-- port-drift:issue:${nameHash(name)} -->`;
}
/** The marker that identifies the sticky pull-request comment of one `name`. */
function commentMarker(name) {
    return `<!-- port-drift:pr-comment:${nameHash(name)} -->`;
}
const STATE_RE = /<!-- port-drift:state:([A-Za-z0-9+/=]+) -->/;
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
    const data = STATE_RE.exec(body ?? '')?.[1];
    if (!data)
        return undefined;
    try {
        const json = (0,external_node_zlib_.inflateRawSync)(Buffer.from(data, 'base64'), { maxOutputLength: 4 << 20 });
        return parseState(JSON.parse(json.toString('utf8')));
    }
    catch {
        return undefined;
    }
}
function refLine(f) {
    const port = (0,summary/* portLabel */.Uz)(f);
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
    const header = (0,markdown/* table */.tp)(summary/* FINDING_HEADER */.ib, []);
    const rows = [];
    let used = header.length;
    for (const f of findings) {
        const row = `\n${(0,markdown/* tableRow */.jD)((0,summary/* findingRow */.ex)(f))}`;
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
    const parts = [issueMarker(run.name), headline(run.name, result)];
    const footer = `<sub>Updated by [run ${run.runId}](${run.runUrl}) at ${new Date().toISOString()}. port-drift keeps this issue up to date while the drift lasts and closes it when a scan is clean.</sub>`;
    if (result.status === 'clean') {
        // What the drift was stays on the closed issue, for whoever reads it later.
        const was = changeLines(changes);
        parts.push(`Resolved: no drift in [run ${run.runId}](${run.runUrl}).${was.length ? ' The drift was:' : ''}`, ...(was.length ? [was.join('\n')] : []));
        return [...parts, footer, stateMarker(state)].join('\n\n');
    }
    parts.push(`**${result.message}** ${(0,markdown/* plural */.LS)(result.addresses, 'address', 'addresses')} scanned.`, '### What changed', [describeChanges(changes), ...changeLines(changes)].join('\n'), '### Findings');
    return assemble(parts, result.findings, run, [footer, stateMarker(state)]);
}
/** The short comment on an issue whose drift changed, was resolved, or came back. */
function renderIssueComment(run, result, changes, reopened) {
    const link = `[run ${run.runId}](${run.runUrl})`;
    if (result.status === 'clean')
        return `✅ Resolved: no drift in ${link}. Closing.`;
    const first = reopened
        ? `Drift is back in ${link}: ${result.message}`
        : `The drift changed in ${link}. ${describeChanges(changes)}`;
    return [first, ...changeLines(changes)].join('\n');
}
/** The sticky pull-request comment: the verdict and the findings of the latest push. */
function renderPrComment(run, result, sha) {
    const parts = [commentMarker(run.name), headline(run.name, result)];
    const commit = /^[0-9a-f]{7,40}$/i.test(sha) ? ` for ${sha.slice(0, 7)}` : '';
    const footer = `<sub>[Run ${run.runId}](${run.runUrl})${commit}, ${new Date().toISOString()}. This comment is updated on each push.</sub>`;
    if (result.findings.length === 0) {
        parts.push(`${result.message} ${(0,markdown/* plural */.LS)(result.addresses, 'address', 'addresses')} scanned.`);
        return [...parts, footer].join('\n\n');
    }
    parts.push(`**${result.message}** ${(0,markdown/* plural */.LS)(result.addresses, 'address', 'addresses')} scanned.`);
    return assemble(parts, result.findings, run, [footer]);
}
/** The issue's title: the name, on one line, within GitHub's 256 characters. */
function issueTitle(name) {
    // eslint-disable-next-line no-control-regex
    const flat = name.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
    return `Port drift: ${[...flat].slice(0, 200).join('')}`;
}

;// CONCATENATED MODULE: ./lib/notify/issue.js
// The drift issue: one open issue per `name`, found by listing open issues by label and matching a
// hidden marker in the body (never the search API). Opened on drift, updated in place when the drift
// changes, left alone when it does not, closed when a scan is clean, reopened when drift returns.



/** The issues of this name in one state, by the first label and the marker; oldest first. */
async function findIssues(gh, repo, labels, marker, state) {
    const found = [];
    const params = {
        ...repo,
        state,
        labels: labels[0] ?? '',
        per_page: 100,
        sort: state === 'open' ? 'created' : 'updated',
        direction: state === 'open' ? 'asc' : 'desc',
    };
    let pages = 0;
    for await (const page of gh.paginate.iterator(gh.rest.issues.listForRepo, params)) {
        for (const issue of page.data) {
            if (issue.pull_request || !issue.body?.includes(marker))
                continue;
            found.push({
                number: issue.number,
                url: issue.html_url,
                body: issue.body,
                ...(issue.state_reason ? { stateReason: issue.state_reason } : {}),
            });
        }
        // Closed issues: the most recently updated one is the one to reopen; ten pages are plenty.
        if (state === 'closed' && (found.length > 0 || ++pages >= 10))
            break;
    }
    return found;
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
async function syncIssue(gh, repo, labels, run, result, current, log) {
    const marker = issueMarker(run.name);
    const open = await findIssues(gh, repo, labels, marker, 'open');
    const issue = open[0];
    if (open.length > 1) {
        log.warning(`${open.length} open issues carry the port-drift marker of this name; keeping #${issue?.number} up to date. Close the others.`);
    }
    const previous = issue ? readStateMarker(issue.body) : undefined;
    if (result.status === 'undecided') {
        return { ...(issue && { url: issue.url }), ...(previous && { previous }), action: 'none' };
    }
    if (result.status === 'clean') {
        if (!issue)
            return { action: 'none' };
        const changes = compare(previous, current);
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
    if (issue) {
        const changes = compare(previous, current);
        if (!changes.changed)
            return { url: issue.url, ...(previous && { previous }), action: 'unchanged' };
        await gh.rest.issues.update({
            ...repo,
            issue_number: issue.number,
            title: issueTitle(run.name),
            body: renderIssueBody(run, result, changes, current),
        });
        await gh.rest.issues.createComment({
            ...repo,
            issue_number: issue.number,
            body: renderIssueComment(run, result, changes, false),
        });
        return { url: issue.url, ...(previous && { previous }), action: 'updated' };
    }
    // No open issue: the last one of this name (closed when a scan was clean, or by a person) is
    // reopened.
    const [closed] = await findIssues(gh, repo, labels, marker, 'closed');
    if (closed) {
        const before = readStateMarker(closed.body);
        const changes = compare(before, current);
        // Closed by a person as not planned, with this very drift: they have seen it. It is reopened
        // when the drift changes, not every hour.
        if (closed.stateReason === 'not_planned' && !changes.changed) {
            return { url: closed.url, ...(before && { previous: before }), action: 'unchanged' };
        }
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
    const body = renderIssueBody(run, result, compare(undefined, current), current);
    const created = await createOnce('the issue', async () => {
        const { data } = await gh.rest.issues.create({
            ...repo,
            title: issueTitle(run.name),
            body,
            labels: [...labels],
            request: { retries: 0 },
        });
        return { number: data.number, url: data.html_url, body };
    }, async () => (await findIssues(gh, repo, labels, marker, 'open'))[0], log);
    return { url: created.url, action: 'created' };
}

;// CONCATENATED MODULE: ./lib/notify/pr-comment.js
// The sticky pull-request comment: one comment per `name` on the pull request, found by its hidden
// marker and updated on each push.


async function syncPrComment(gh, repo, pull, sha, run, result, log) {
    const marker = commentMarker(run.name);
    const body = renderPrComment(run, result, sha);
    const find = async () => {
        for await (const page of gh.paginate.iterator(gh.rest.issues.listComments, {
            ...repo,
            issue_number: pull,
            per_page: 100,
        })) {
            const mine = page.data.find((c) => c.body?.includes(marker));
            if (mine)
                return { id: mine.id, url: mine.html_url };
        }
        return undefined;
    };
    const mine = await find();
    if (mine) {
        const { data } = await gh.rest.issues.updateComment({ ...repo, comment_id: mine.id, body });
        return { url: data.html_url, action: 'updated' };
    }
    const made = await createOnce('the pull-request comment', async () => {
        const { data } = await gh.rest.issues.createComment({
            ...repo,
            issue_number: pull,
            body,
            request: { retries: 0 },
        });
        return { id: data.id, url: data.html_url };
    }, find, log);
    return { url: made.url, action: 'created' };
}

;// CONCATENATED MODULE: ./lib/notify/slack.js
// Slack: one Block Kit message through an incoming webhook, within Slack's limits, with Slack's
// special sequences (<!channel>, <!here>, <@U…>, <url|text>) made impossible in untrusted text.




/** Slack's limits: section text, blocks per message, header text. */
const SLACK_SECTION_LIMIT = 3000;
const SLACK_MAX_BLOCKS = 50;
const HEADER_LIMIT = 150;
/** Sections of findings; the rest is counted and left to the run's summary. */
const MAX_FINDING_SECTIONS = 10;
const MAX_ATTEMPTS = 4;
const MAX_RETRY_AFTER_S = 60;
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
        ? (0,summary/* describeService */.Jv)(f.service)
        : 'detail' in f
            ? (f.detail ?? '')
            : '';
    return [
        `• *${f.kind}*`,
        slackCode(f.target),
        f.address && f.address !== f.target ? slackCode(f.address) : '',
        (0,summary/* portLabel */.Uz)(f),
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
function buildSlackMessage(run, result, changes, event) {
    const name = slackEscape(run.name, 100);
    const title = {
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
        const added = new Set(changes.added.map(findingKey));
        blocks.push(section(`*${verdict}* ${slackEscape(describeChanges(changes), 200)}`));
        const lines = [
            ...(changes.known && !changes.detailsLost
                ? changes.resolved.map((f) => `${findingLine(f)} _(resolved)_`)
                : []),
            ...result.findings.map((f) => event === 'changed' && added.has(findingKey(f))
                ? `${findingLine(f)} _(new)_`
                : findingLine(f)),
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
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/**
 * Posts the message. 429 waits for Retry-After, 5xx and network errors back off; anything else
 * Slack refused is reported with Slack's own error text, escaped. The URL is never in a message.
 */
async function postToSlack(url, message, log, timeoutMs = 30_000) {
    let last = '';
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        let status;
        let text;
        let retryAfter;
        try {
            const response = await fetch(url, {
                method: 'POST',
                headers: { 'content-type': 'application/json; charset=utf-8' },
                body: JSON.stringify(message),
                redirect: 'error',
                signal: AbortSignal.timeout(timeoutMs),
            });
            status = response.status;
            retryAfter = response.headers.get('retry-after');
            text = (0,markdown/* oneLine */.TN)(await response.text(), 200);
        }
        catch (error) {
            const cause = error.cause;
            last =
                error.name === 'TimeoutError'
                    ? `could not reach Slack: no answer within ${timeoutMs / 1000} s`
                    : `could not reach Slack: ${(0,markdown/* oneLine */.TN)((0,errors/* getErrorMessage */.u1)(cause ?? error), 200)}`;
            if (attempt < MAX_ATTEMPTS)
                await sleep(1000 * 2 ** (attempt - 1));
            continue;
        }
        if (status >= 200 && status < 300)
            return { ok: true };
        last = `Slack answered ${status}${text ? ` ${JSON.stringify(text)}` : ''}`;
        if (status === 429) {
            const wait = Number(retryAfter);
            const seconds = Number.isFinite(wait) && wait >= 0 ? wait : 1;
            if (seconds > MAX_RETRY_AFTER_S)
                break;
            log.info(`Slack rate limit (429): retrying in ${seconds} s.`);
            await sleep(seconds * 1000);
            continue;
        }
        if (status >= 500) {
            if (attempt < MAX_ATTEMPTS) {
                log.info(`Slack answered ${status}: retrying.`);
                await sleep(1000 * 2 ** (attempt - 1));
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

// EXTERNAL MODULE: ./node_modules/@actions/cache/lib/cache.js + 292 modules
var cache = __webpack_require__(4754);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
;// CONCATENATED MODULE: ./lib/notify/state.js
// The last state, for `notify: change` when no issue carries it: a small JSON file kept in the
// GitHub Actions cache, which every GitHub-hosted runner has without setup. Each change is saved
// under a new key (caches are immutable) and the newest is restored by prefix. Where there is no
// cache service (a local run), there is no last state and every drift counts as new.






class CacheStateStore {
    runId;
    runAttempt;
    log;
    dir;
    file;
    prefix;
    constructor(name, runnerTemp, runId, runAttempt, log) {
        this.runId = runId;
        this.runAttempt = runAttempt;
        this.log = log;
        const id = (0,external_node_crypto_.createHash)('sha256').update(name).digest('hex').slice(0, 16);
        // The path is part of the cache's version: it must be the same in every run.
        this.dir = (0,external_node_path_.join)(runnerTemp, 'port-drift-state', id);
        this.file = (0,external_node_path_.join)(this.dir, 'state.json');
        this.prefix = `port-drift-state-${id}-`;
    }
    get available() {
        return cache/* isFeatureAvailable */.w3();
    }
    async load() {
        if (!this.available) {
            this.log.info('No GitHub Actions cache here (not on a GitHub runner): no last state, so Slack treats the drift as new.');
            return undefined;
        }
        try {
            await (0,promises_.mkdir)(this.dir, { recursive: true });
            const key = await cache/* restoreCache */.P3([this.dir], `${this.prefix}${this.runId}-`, [
                this.prefix,
            ]);
            if (!key) {
                this.log.info('No last state in the Actions cache yet: the drift is new.');
                return undefined;
            }
            return parseState(JSON.parse(await (0,promises_.readFile)(this.file, 'utf8')));
        }
        catch (error) {
            this.log.info(`Could not read the last state: ${(0,errors/* getErrorMessage */.u1)(error)}. The drift is new.`);
            return undefined;
        }
    }
    async save(state) {
        if (!this.available)
            return;
        try {
            await (0,promises_.mkdir)(this.dir, { recursive: true });
            await (0,promises_.writeFile)(this.file, JSON.stringify(state));
            await cache/* saveCache */.Io([this.dir], `${this.prefix}${this.runId}-${this.runAttempt}`);
        }
        catch (error) {
            this.log.warning(`Could not keep the state for the next run in the Actions cache: ${(0,errors/* getErrorMessage */.u1)(error)}. The next run may repeat this message.`);
        }
    }
}

;// CONCATENATED MODULE: ./lib/notify/index.js
// Notifications, after the verdict, the summary and report.json are written: the issue, the
// pull-request comment and Slack. Each is on its own: one that cannot be delivered is a warning,
// and never changes the verdict.











/** Every request to GitHub or Slack gives up after this long; PORT_DRIFT_HTTP_TIMEOUT changes it. */
const HTTP_TIMEOUT = '30s';
function httpTimeout(env) {
    const value = env['PORT_DRIFT_HTTP_TIMEOUT'];
    try {
        return (0,settings/* parseDuration */.E9)('PORT_DRIFT_HTTP_TIMEOUT', value || HTTP_TIMEOUT);
    }
    catch (error) {
        const why = error instanceof errors/* ConfigurationError */.j1 ? error.problem : (0,errors/* getErrorMessage */.u1)(error);
        core.warning(`PORT_DRIFT_HTTP_TIMEOUT: ${why} Using ${HTTP_TIMEOUT}.`);
        return (0,settings/* parseDuration */.E9)('PORT_DRIFT_HTTP_TIMEOUT', HTTP_TIMEOUT);
    }
}
function readRunContext(name, env = process.env) {
    const [owner, repo] = (env['GITHUB_REPOSITORY'] ?? '').split('/');
    const server = (env['GITHUB_SERVER_URL'] || 'https://github.com').replace(/\/+$/, '');
    const runId = env['GITHUB_RUN_ID'] || 'local';
    const context = {
        ...(owner && repo ? { repo: { owner, repo } } : {}),
        apiUrl: (env['GITHUB_API_URL'] || 'https://api.github.com').replace(/\/+$/, ''),
        run: {
            name,
            runId,
            runUrl: owner && repo ? `${server}/${owner}/${repo}/actions/runs/${runId}` : server,
        },
        runAttempt: env['GITHUB_RUN_ATTEMPT'] || '1',
        runnerTemp: env['RUNNER_TEMP'] || (0,external_node_os_.tmpdir)(),
        httpTimeoutMs: httpTimeout(env),
    };
    const event = env['GITHUB_EVENT_NAME'];
    if ((event === 'pull_request' || event === 'pull_request_target') && env['GITHUB_EVENT_PATH']) {
        try {
            const payload = JSON.parse((0,external_node_fs_.readFileSync)(env['GITHUB_EVENT_PATH'], 'utf8'));
            const number = payload.pull_request?.number;
            const sha = payload.pull_request?.head?.sha;
            if (typeof number === 'number') {
                context.pull = { number, sha: typeof sha === 'string' ? sha : '' };
            }
        }
        catch (error) {
            core.debug(`event payload: ${(0,errors/* getErrorMessage */.u1)(error)}`);
        }
    }
    return context;
}
const log = {
    info: (m) => core.info(m),
    warning: (m) => core.warning(m),
    debug: (m) => core.debug(m),
};
/** Is any notification asked for? Without one, notifications are not even loaded. */
function wanted(settings) {
    return (settings.issue ||
        Boolean(settings.slackWebhookUrl) ||
        (settings.prComment && /^pull_request(_target)?$/.test(process.env['GITHUB_EVENT_NAME'] ?? '')));
}
async function notify(input, context) {
    const { settings } = input;
    const wantsPr = settings.prComment && context.pull !== undefined;
    if (!settings.issue && !wantsPr && !settings.slackWebhookUrl)
        return {};
    return core.group('Notifications', () => deliver(input, context, wantsPr));
}
async function deliver(input, context, wantsPr) {
    const notified = {};
    const { settings } = input;
    const { status, tracked } = classify(input.findings, settings.failOn, input.nmapFailed);
    const current = stateOf(tracked);
    const result = {
        status,
        message: input.verdict.message,
        failed: input.verdict.failed,
        findings: input.findings,
        addresses: input.addresses,
    };
    let gh;
    const github = (what) => {
        if (!settings.githubToken) {
            core.warning(`${what} skipped: github-token is empty.`);
            return undefined;
        }
        if (!context.repo) {
            core.warning(`${what} skipped: GITHUB_REPOSITORY is not set (not on a GitHub runner?).`);
            return undefined;
        }
        gh ??= createGitHub(settings.githubToken, context.apiUrl, log, context.httpTimeoutMs);
        return gh;
    };
    // The issue carries the last state when it is on; else the Actions cache does.
    let previous;
    let previousKnown = false;
    if (settings.issue) {
        const client = github('The issue');
        if (client && context.repo) {
            try {
                const outcome = await syncIssue(client, context.repo, settings.issueLabels, context.run, result, current, log);
                previous = outcome.previous;
                previousKnown = true;
                if (outcome.url) {
                    core.setOutput('issue-url', outcome.url);
                    notified.issueUrl = outcome.url;
                }
                core.info(`Issue: ${outcome.action}${outcome.url ? ` ${outcome.url}` : ''}.`);
            }
            catch (error) {
                core.warning(`The drift issue was not updated: ${describeGitHubError(error, 'issues: write')}`);
            }
        }
    }
    if (wantsPr && context.pull) {
        const client = github('The pull-request comment');
        if (client && context.repo) {
            try {
                const done = await syncPrComment(client, context.repo, context.pull.number, context.pull.sha, context.run, result, log);
                core.info(`Pull-request comment: ${done.action} ${done.url}.`);
            }
            catch (error) {
                const fork = statusOf(error) === 403
                    ? ' A pull request from a fork gets a read-only token: the result is in the job summary.'
                    : '';
                core.warning(`The pull-request comment was not written: ${describeGitHubError(error, 'pull-requests: write')}${fork}`);
            }
        }
    }
    if (settings.slackWebhookUrl) {
        const store = previousKnown
            ? undefined
            : new CacheStateStore(settings.name, context.runnerTemp, context.run.runId, context.runAttempt, log);
        if (store)
            previous = await store.load();
        const changes = compare(previous, current);
        const event = slackEventFor(status, previous, changes, settings.notify);
        let delivered = true;
        if (event) {
            const sent = await postToSlack(settings.slackWebhookUrl, buildSlackMessage(context.run, result, changes, event), log, context.httpTimeoutMs);
            delivered = sent.ok;
            if (sent.ok)
                core.info(`Slack: ${event} drift sent.`);
            else
                core.warning(`Slack was not notified: ${sent.warning}`);
        }
        else {
            core.info(status === 'drift'
                ? `Slack: not sent, the same drift as the last run (notify: change). ${describeChanges(changes)}`
                : 'Slack: nothing to report.');
        }
        if (store && delivered && status !== 'undecided' && previous?.digest !== current.digest) {
            await store.save(current);
        }
    }
    return notified;
}


/***/ })

};
