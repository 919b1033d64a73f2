export const id = 120;
export const ids = [120];
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


/***/ })

};
