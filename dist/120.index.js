export const id = 120;
export const ids = [120,752];
export const modules = {

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


/***/ })

};
