export const id = 752;
export const ids = [752];
export const modules = {

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
