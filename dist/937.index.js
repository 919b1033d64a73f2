export const id = 937;
export const ids = [937];
export const modules = {

/***/ 1726:
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
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var _base_check_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(5273);
/* harmony import */ var _base_types_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(9356);
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

/***/ 8937:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Q1: () => (/* binding */ renderPrComment),
/* harmony export */   Q_: () => (/* binding */ issueMarker),
/* harmony export */   Ql: () => (/* binding */ commentMarker),
/* harmony export */   Sf: () => (/* binding */ renderPrPending),
/* harmony export */   Yx: () => (/* binding */ renderIssueBody),
/* harmony export */   al: () => (/* binding */ issueTitle),
/* harmony export */   keyHash: () => (/* binding */ keyHash),
/* harmony export */   l$: () => (/* binding */ legacyIssueMarker),
/* harmony export */   uO: () => (/* binding */ readStateMarker),
/* harmony export */   x: () => (/* binding */ renderIssueComment),
/* harmony export */   yT: () => (/* binding */ renderDuplicateBody)
/* harmony export */ });
/* unused harmony exports GITHUB_BODY_LIMIT, stateMarker */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8522);
/* harmony import */ var _base_markdown_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(4536);
/* harmony import */ var _report_format_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7703);
/* harmony import */ var _base_untrusted_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(5499);
/* harmony import */ var _memory_changes_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(1726);
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
        key.workflow ? `workflow ${(0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .code */ .aY)(key.workflow)}` : '',
        key.job ? `job ${(0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .code */ .aY)(key.job)}` : '',
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
        return (0,_memory_changes_js__WEBPACK_IMPORTED_MODULE_3__/* .parseState */ .Bu)(JSON.parse(json.toString('utf8')));
    }
    catch {
        return undefined;
    }
}
function refLine(f) {
    const port = (0,_report_format_js__WEBPACK_IMPORTED_MODULE_2__/* .portLabel */ .Uz)(f);
    return `**${f.kind}** ${(0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .code */ .aY)(f.target)}${f.address && f.address !== f.target ? ` ${(0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .code */ .aY)(f.address)}` : ''}${port ? ` ${port}` : ''}`;
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
        `- …and ${(0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .plural */ .LS)(lines.length - MAX_CHANGE_LINES, 'more change')}.`,
    ];
}
function headline(name, result) {
    const icon = result.status === 'clean' ? '✅' : result.failed ? '❌' : '⚠️';
    const what = result.status === 'clean' ? 'No drift' : result.status === 'drift' ? 'Drift' : 'Undecided';
    return `## ${icon} ${what}: ${(0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .code */ .aY)(name)}`;
}
/**
 * The findings table, with as many rows as fit in `budget` characters, and a note when rows were
 * left out. The rows are GitHub Markdown already made safe by findingRow().
 */
function findingsTable(findings, budget, runUrl) {
    const header = (0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .table */ .tp)(_report_format_js__WEBPACK_IMPORTED_MODULE_2__/* .FINDING_HEADER */ .ib, []);
    const rows = [];
    let used = header.length;
    for (const f of findings) {
        const row = `\n${(0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .tableRow */ .jD)((0,_report_format_js__WEBPACK_IMPORTED_MODULE_2__/* .findingRow */ .ex)(f))}`;
        if (used + row.length > budget)
            break;
        rows.push(row);
        used += row.length;
    }
    const left = findings.length - rows.length;
    const note = left > 0
        ? `\n\n_${(0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .plural */ .LS)(left, 'more finding')} not shown here (GitHub's ${GITHUB_BODY_LIMIT.toLocaleString('en-US')}-character limit): see the job summary and report.json of [the run](${runUrl})._`
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
    parts.push(`**${result.message}** ${(0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .plural */ .LS)(result.addresses, 'address', 'addresses')} scanned.`, '### What changed', [(0,_memory_changes_js__WEBPACK_IMPORTED_MODULE_3__/* .describeChanges */ .DT)(changes), ...changeLines(changes)].join('\n'), ...extra(result.sections?.history), ...extra((0,_report_format_js__WEBPACK_IMPORTED_MODULE_2__/* .whatToDo */ .H6)(result.findings, result.acceptForm)), '### Findings');
    return assemble(parts, result.findings, run, [footer, stateMarker(state)]);
}
/** The short comment on an issue whose drift changed, was resolved, or came back. */
function renderIssueComment(run, result, changes, reopened) {
    const link = `[run ${run.runId}](${run.runUrl})`;
    if (result.status === 'clean')
        return `✅ Resolved: no drift in ${link}. Closing.`;
    const first = reopened
        ? `Drift is back in ${link}: ${result.message}`
        : `The drift changed in ${link}. ${(0,_memory_changes_js__WEBPACK_IMPORTED_MODULE_3__/* .describeChanges */ .DT)(changes)}`;
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
    const addresses = (0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .plural */ .LS)(result.addresses, 'address', 'addresses');
    parts.push(result.findings.length
        ? `**${result.message}** ${addresses} scanned.`
        : `${result.message} ${addresses} scanned.`, ...extra(result.sections?.exposure), ...extra(result.sections?.since));
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
        `## ⏳ Scanning: ${(0,_base_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .code */ .aY)(run.name)}`,
        `The result of the scan replaces this comment when it is done. If it still says this after [run ${run.runId}](${run.runUrl}) ended, the run was cancelled or failed before it could report: its log says why.`,
        exposure,
        prFooter(run, sha),
    ].join('\n\n');
}
/** The issue's title: the name, on one line, within GitHub's 256 characters. */
function issueTitle(name) {
    const flat = name.replace(_base_untrusted_js__WEBPACK_IMPORTED_MODULE_5__/* .CONTROL_CHARS */ .U, ' ').trim();
    return `Port drift: ${[...flat].slice(0, 200).join('')}`;
}
/** The body a duplicate issue is left with: a link to the one kept, and no marker. */
function renderDuplicateBody(kept) {
    return `Opened at the same moment as #${kept.number} by an overlapping run of the same workflow, job and name, and closed in its favour: [#${kept.number}](${kept.url}) tracks this drift. A \`concurrency:\` group on the job keeps runs from overlapping.`;
}


/***/ })

};
