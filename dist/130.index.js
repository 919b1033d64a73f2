export const id = 130;
export const ids = [130];
export const modules = {

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

/***/ 39130:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   CacheHistoryStore: () => (/* binding */ CacheHistoryStore),
/* harmony export */   CacheStateStore: () => (/* binding */ CacheStateStore)
/* harmony export */ });
/* harmony import */ var node_timers_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(58500);
/* harmony import */ var _actions_cache__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(60142);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(77598);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(51455);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(76760);
/* harmony import */ var _github_cache_calls_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(50369);
/* harmony import */ var _base_errors_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(17594);
/* harmony import */ var _base_files_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(40378);
/* harmony import */ var _history_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(80107);
/* harmony import */ var _base_markdown_js__WEBPACK_IMPORTED_MODULE_10__ = __webpack_require__(54536);
/* harmony import */ var _changes_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(91726);
// The last state, for `notify: change` when no issue carries it: a small JSON file kept in the
// GitHub Actions cache, which every GitHub-hosted runner has without setup. Each change is saved
// under a key naming the entry it follows and the drift it records: caches are immutable, so of
// overlapping runs that see the same change only one can save it, and only that one tells Slack.
// The newest entry is restored by prefix. Where there is no cache service (a local run), there is no
// last state and every drift counts as new. Every call ends within the deadline (cache-calls.ts).











const hash = (text, n) => (0,node_crypto__WEBPACK_IMPORTED_MODULE_2__.createHash)('sha256').update(text).digest('hex').slice(0, n);
/** Far more than a state or a history port-drift writes: a larger entry is not one. */
const MAX_ENTRY_BYTES = 64 * 2 ** 20;
/**
 * The JSON of a restored entry, or undefined with a warning naming it. Any job of the repository can
 * save under the key's prefix: the file is read like any untrusted file (a link or a FIFO refused,
 * its size bounded, nothing of it quoted), and the caller checks every field.
 */
async function readEntry(file, source, log) {
    let why;
    try {
        return JSON.parse(await (0,_base_files_js__WEBPACK_IMPORTED_MODULE_7__/* .readUserFile */ .E1)('the Actions cache', file, {
            followSymlinks: false,
            maxBytes: MAX_ENTRY_BYTES,
        }));
    }
    catch (error) {
        why = error instanceof SyntaxError ? 'not JSON' : (0,_base_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .getErrorMessage */ .u1)(error);
    }
    log.warning(`${source} cannot be read (${why}): ignored.`);
    return undefined;
}
/** How a warning names a cache entry: its key, on one line. */
const entry = (what, key) => `${what} in the Actions cache (key ${(0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_10__/* .oneLine */ .TN)(key, 200)})`;
class CacheStateStore {
    timeoutMs;
    log;
    dir;
    file;
    prefix;
    /** The key of the entry restored, which the next entry names. */
    restoredKey;
    constructor(
    /** keyHash() of the notification key. */
    key, runnerTemp, timeoutMs, log) {
        this.timeoutMs = timeoutMs;
        this.log = log;
        // The path is part of the cache's version: it must be the same in every run.
        this.dir = (0,node_path__WEBPACK_IMPORTED_MODULE_4__.join)(runnerTemp, 'port-drift-state', key);
        this.file = (0,node_path__WEBPACK_IMPORTED_MODULE_4__.join)(this.dir, 'state.json');
        this.prefix = `port-drift-state-v2-${key}-`;
    }
    get available() {
        return _actions_cache__WEBPACK_IMPORTED_MODULE_1__/* .isFeatureAvailable */ .w3();
    }
    async load() {
        if (!this.available) {
            this.log.info('No GitHub Actions cache here (not on a GitHub runner): no last state, so Slack treats the drift as new.');
            return undefined;
        }
        if (_github_cache_calls_js__WEBPACK_IMPORTED_MODULE_5__/* .service */ .eu.hung) {
            this.log.info('Could not read the last state: the Actions cache service did not answer earlier in this run. The drift is new.');
            return undefined;
        }
        try {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_3__.mkdir)(this.dir, { recursive: true, mode: 0o700 });
            const key = await (0,_github_cache_calls_js__WEBPACK_IMPORTED_MODULE_5__/* .cacheCall */ .hE)(this.timeoutMs, _actions_cache__WEBPACK_IMPORTED_MODULE_1__/* .restoreCache */ .P3([this.dir], `${this.prefix}latest`, [this.prefix], (0,_github_cache_calls_js__WEBPACK_IMPORTED_MODULE_5__/* .callOptions */ .jp)(this.timeoutMs)));
            if (!key) {
                this.log.info('No last state in the Actions cache yet: the drift is new.');
                return undefined;
            }
            this.restoredKey = key;
            const source = entry('The last state', key);
            const value = await readEntry(this.file, source, this.log);
            return value === undefined ? undefined : (0,_changes_js__WEBPACK_IMPORTED_MODULE_9__/* .stateFrom */ .mh)(value, source, (m) => this.log.warning(m));
        }
        catch (error) {
            this.log.info(`Could not read the last state: ${(0,_github_cache_calls_js__WEBPACK_IMPORTED_MODULE_5__/* .whyNoAnswer */ .MR)(error, this.timeoutMs)}. The drift is new.`);
            return undefined;
        }
    }
    /** The key of the change from the restored entry to `state`: the same in overlapping runs. */
    keyFor(state) {
        return `${this.prefix}${hash(this.restoredKey ?? 'first', 12)}-${state.digest.slice(0, 16)}`;
    }
    async exists(key) {
        const found = await (0,_github_cache_calls_js__WEBPACK_IMPORTED_MODULE_5__/* .cacheCall */ .hE)(this.timeoutMs, _actions_cache__WEBPACK_IMPORTED_MODULE_1__/* .restoreCache */ .P3([this.dir], key, [], { ...(0,_github_cache_calls_js__WEBPACK_IMPORTED_MODULE_5__/* .callOptions */ .jp)(this.timeoutMs), lookupOnly: true }));
        return found === key;
    }
    /**
     * Saves the change to `state`, unless an overlapping run saved it first (`taken`: that run tells
     * Slack). `failed` leaves the next run to see the change again.
     */
    async save(state) {
        if (!this.available)
            return 'failed';
        if (_github_cache_calls_js__WEBPACK_IMPORTED_MODULE_5__/* .service */ .eu.hung) {
            this.log.warning('The state for the next run was not kept: the Actions cache service did not answer earlier in this run. The next run may repeat this message.');
            return 'failed';
        }
        const key = this.keyFor(state);
        try {
            if (await this.exists(key))
                return 'taken';
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_3__.mkdir)(this.dir, { recursive: true, mode: 0o700 });
            await (0,_base_files_js__WEBPACK_IMPORTED_MODULE_7__/* .writeWhole */ .f8)(this.file, JSON.stringify(state));
            const id = await (0,_github_cache_calls_js__WEBPACK_IMPORTED_MODULE_5__/* .cacheCall */ .hE)(this.timeoutMs, _actions_cache__WEBPACK_IMPORTED_MODULE_1__/* .saveCache */ .Io([this.dir], key));
            if (id !== -1)
                return 'saved';
            // Not saved: most likely an overlapping run reserved this key a moment ago.
            if (await this.exists(key))
                return 'taken';
            await (0,node_timers_promises__WEBPACK_IMPORTED_MODULE_0__.setTimeout)(2000);
            if (await this.exists(key))
                return 'taken';
            this.log.warning('The state for the next run was not kept in the Actions cache (the cache did not take it). The next run may repeat this message.');
            return 'failed';
        }
        catch (error) {
            this.log.warning(`The state for the next run was not kept in the Actions cache: ${(0,_github_cache_calls_js__WEBPACK_IMPORTED_MODULE_5__/* .whyNoAnswer */ .MR)(error, this.timeoutMs)}. The next run may repeat this message.`);
            return 'failed';
        }
    }
}
/**
 * The history in the Actions cache: each run that keeps it saves a new entry under its own key (run
 * id and attempt), and the newest entry of the prefix is the history so far. Overlapping runs that
 * both add a point may lose one of the two; the chart then misses that run. A pull request's run
 * restores the default branch's entries (the cache lets it) and saves none.
 */
class CacheHistoryStore {
    run;
    timeoutMs;
    log;
    dir;
    file;
    prefix;
    constructor(
    /** keyHash() of the notification key. */
    key, runnerTemp, 
    /** The run's id and attempt: this run's entry. */
    run, timeoutMs, log) {
        this.run = run;
        this.timeoutMs = timeoutMs;
        this.log = log;
        // The path is part of the cache's version: it must be the same in every run.
        this.dir = (0,node_path__WEBPACK_IMPORTED_MODULE_4__.join)(runnerTemp, 'port-drift-history', key);
        this.file = (0,node_path__WEBPACK_IMPORTED_MODULE_4__.join)(this.dir, 'history.json');
        this.prefix = `port-drift-history-v1-${key}-`;
    }
    async loadHistory() {
        if (!_actions_cache__WEBPACK_IMPORTED_MODULE_1__/* .isFeatureAvailable */ .w3() || _github_cache_calls_js__WEBPACK_IMPORTED_MODULE_5__/* .service */ .eu.hung)
            return undefined;
        try {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_3__.mkdir)(this.dir, { recursive: true, mode: 0o700 });
            const key = await (0,_github_cache_calls_js__WEBPACK_IMPORTED_MODULE_5__/* .cacheCall */ .hE)(this.timeoutMs, _actions_cache__WEBPACK_IMPORTED_MODULE_1__/* .restoreCache */ .P3([this.dir], `${this.prefix}latest`, [this.prefix], (0,_github_cache_calls_js__WEBPACK_IMPORTED_MODULE_5__/* .callOptions */ .jp)(this.timeoutMs)));
            if (!key)
                return undefined;
            const source = entry('The history', key);
            const value = await readEntry(this.file, source, this.log);
            return value === undefined
                ? undefined
                : (0,_history_js__WEBPACK_IMPORTED_MODULE_8__/* .historyFrom */ .z)(value, source, (m) => this.log.warning(m));
        }
        catch (error) {
            this.log.info(`Could not read the history: ${(0,_github_cache_calls_js__WEBPACK_IMPORTED_MODULE_5__/* .whyNoAnswer */ .MR)(error, this.timeoutMs)}. It starts afresh.`);
            return undefined;
        }
    }
    async saveHistory(history) {
        if (!_actions_cache__WEBPACK_IMPORTED_MODULE_1__/* .isFeatureAvailable */ .w3() || _github_cache_calls_js__WEBPACK_IMPORTED_MODULE_5__/* .service */ .eu.hung)
            return false;
        try {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_3__.mkdir)(this.dir, { recursive: true, mode: 0o700 });
            await (0,_base_files_js__WEBPACK_IMPORTED_MODULE_7__/* .writeWhole */ .f8)(this.file, JSON.stringify(history));
            const id = await (0,_github_cache_calls_js__WEBPACK_IMPORTED_MODULE_5__/* .cacheCall */ .hE)(this.timeoutMs, _actions_cache__WEBPACK_IMPORTED_MODULE_1__/* .saveCache */ .Io([this.dir], `${this.prefix}${this.run}`));
            return id !== -1;
        }
        catch (error) {
            this.log.warning(`This run was not added to the history in the Actions cache: ${(0,_github_cache_calls_js__WEBPACK_IMPORTED_MODULE_5__/* .whyNoAnswer */ .MR)(error, this.timeoutMs)}.`);
            return false;
        }
    }
}


/***/ })

};
