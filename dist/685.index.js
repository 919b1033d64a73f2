export const id = 685;
export const ids = [685];
export const modules = {

/***/ 66685:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   artifactError: () => (/* binding */ artifactError),
/* harmony export */   downloadShardArtifacts: () => (/* binding */ downloadShardArtifacts),
/* harmony export */   noArtifactService: () => (/* binding */ noArtifactService),
/* harmony export */   shardArtifactPattern: () => (/* binding */ shardArtifactPattern),
/* harmony export */   uploadArtifact: () => (/* binding */ uploadArtifact)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(51455);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(76760);
/* harmony import */ var _cache_calls_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(50369);
// The workflow artifact that keeps a run's reports after the runner is gone, through GitHub's own
// client (@actions/artifact, loaded only when a run keeps one): the upload of the reports, and the
// shard artifacts a merge job takes its results from. Every call is bounded like the cache's
// (cache-calls.ts): the service is the same, and a hung one is asked once per run.



const SERVICE = 'the artifact service';
/** Why the runner gives this step no artifact service, or undefined when it does. */
function noArtifactService(env = process.env) {
    const missing = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL'].filter((v) => !env[v]);
    return missing.length
        ? `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set (not on a GitHub runner?)`
        : undefined;
}
/** Fails at once when an earlier call of this run found the service not answering. */
function checkService() {
    if (_cache_calls_js__WEBPACK_IMPORTED_MODULE_2__/* .service */ .eu.hung) {
        throw new Error('the Actions results service gave no answer earlier in this run');
    }
}
/** The error of a call, for a warning: a deadline says so and marks the service as hung. */
function artifactError(error, timeoutMs) {
    return (0,_cache_calls_js__WEBPACK_IMPORTED_MODULE_2__/* .whyNoAnswer */ .MR)(error, timeoutMs, SERVICE);
}
/**
 * Uploads `files` (all inside `root`) as one artifact, within `timeoutMs` for the whole upload.
 * `runUrl`: the run's page, which the artifact's address extends.
 */
async function uploadArtifact(name, files, root, options) {
    checkService();
    const { DefaultArtifactClient } = await Promise.all(/* import() */[__webpack_require__.e(351), __webpack_require__.e(275), __webpack_require__.e(251), __webpack_require__.e(799)]).then(__webpack_require__.bind(__webpack_require__, 76799));
    const client = new DefaultArtifactClient();
    const { id } = await (0,_cache_calls_js__WEBPACK_IMPORTED_MODULE_2__/* .cacheCall */ .hE)(options.timeoutMs, client.uploadArtifact(name, [...files], root, {
        ...(options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {}),
    }));
    if (id === undefined)
        throw new Error('the artifact service gave the artifact no id');
    return { name, id, url: `${options.runUrl}/artifacts/${id}` };
}
/** `<base>-shard-<i>-of-<n>`, or any shard artifact's name when `base` is undefined. */
function shardArtifactPattern(base) {
    const escaped = base?.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`^${escaped ?? '.+'}-shard-\\d+-of-\\d+$`);
}
/**
 * Downloads the shard artifacts of this run whose names match `pattern`, each into a folder of its
 * own under `into`; returns their names. Each call within `timeoutMs`.
 */
async function downloadShardArtifacts(pattern, into, timeoutMs) {
    checkService();
    const { DefaultArtifactClient } = await Promise.all(/* import() */[__webpack_require__.e(351), __webpack_require__.e(275), __webpack_require__.e(251), __webpack_require__.e(799)]).then(__webpack_require__.bind(__webpack_require__, 76799));
    const client = new DefaultArtifactClient();
    const { artifacts } = await (0,_cache_calls_js__WEBPACK_IMPORTED_MODULE_2__/* .cacheCall */ .hE)(timeoutMs, client.listArtifacts({ latest: true }));
    const index = (name) => Number(/-shard-(\d+)-of-\d+$/.exec(name)?.[1]);
    const shards = artifacts
        .filter((a) => pattern.test(a.name))
        .sort((a, b) => a.name.localeCompare(b.name) || index(a.name) - index(b.name));
    for (const artifact of shards) {
        // Names are the service's: never a path. A folder per artifact, numbered.
        const path = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(into, String(artifact.id));
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.mkdir)(path, { recursive: true, mode: 0o700 });
        await (0,_cache_calls_js__WEBPACK_IMPORTED_MODULE_2__/* .cacheCall */ .hE)(timeoutMs, client.downloadArtifact(artifact.id, { path }));
    }
    return shards.map((a) => a.name);
}


/***/ }),

/***/ 50369:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   MR: () => (/* binding */ whyNoAnswer),
/* harmony export */   eu: () => (/* binding */ service),
/* harmony export */   hE: () => (/* binding */ cacheCall),
/* harmony export */   jp: () => (/* binding */ callOptions)
/* harmony export */ });
/* unused harmony export Deadline */
/* harmony import */ var _base_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(17594);
/* harmony import */ var _base_files_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(40378);
// Calls to the GitHub Actions results service: the cache (@actions/cache), for every store kept in
// it (nmap's packages, the last state and the history), and the workflow artifacts
// (@actions/artifact, artifact.ts), which the runner serves from the same ACTIONS_RESULTS_URL. Each
// call ends within its deadline, whatever the client's own retries would do, and a service that let
// one call run out of time is not asked again in this run (one process runs one job): a hung
// service costs one deadline, not one per store.


class Deadline extends Error {
}
/** Whether the cache service let a call run out of time earlier in this run. */
const service = { hung: false };
/** The cache client's own timeouts, set to the deadline. */
const callOptions = (timeoutMs) => ({
    timeoutInMs: timeoutMs,
    segmentTimeoutInMs: timeoutMs,
});
/** Why a call failed, for the log; a deadline marks the service as not answering. */
function whyNoAnswer(error, timeoutMs, what = 'the Actions cache service') {
    if (!(error instanceof Deadline))
        return (0,_base_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .getErrorMessage */ .u1)(error);
    service.hung = true;
    return `${what} gave no answer within ${timeoutMs / 1000} s`;
}
/**
 * `work` within `ms`. The cache and artifact clients retry on its own (five attempts, three-minute sockets)
 * and takes no signal: past the deadline its promise is left behind, its outcome ignored; the
 * action's entry point ends the process when the run is over, so a hung socket cannot hold it.
 */
function cacheCall(ms, work) {
    work.catch(() => undefined);
    return (0,_base_files_js__WEBPACK_IMPORTED_MODULE_1__/* .within */ .ux)(work, ms, () => new Deadline());
}


/***/ })

};
