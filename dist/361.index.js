export const id = 361;
export const ids = [361];
export const modules = {

/***/ 80361:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  announce: () => (/* binding */ announce)
});

// EXTERNAL MODULE: ./lib/github/client.js + 1 modules
var client = __webpack_require__(58987);
// EXTERNAL MODULE: ./lib/notify/pr-comment.js
var pr_comment = __webpack_require__(411);
// EXTERNAL MODULE: ./lib/notify/render.js
var render = __webpack_require__(78937);
// EXTERNAL MODULE: ./lib/base/files.js
var files = __webpack_require__(40378);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./lib/base/errors.js
var errors = __webpack_require__(17594);
// EXTERNAL MODULE: ./lib/settings/ports.js
var settings_ports = __webpack_require__(80393);
// EXTERNAL MODULE: ./lib/settings/rules.js
var rules = __webpack_require__(86562);
// EXTERNAL MODULE: ./lib/base/markdown.js
var markdown = __webpack_require__(54536);
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
    const cut = (0,settings_ports/* coalesceRanges */.Su)(remove);
    const before = (c, r) => c.protocol < r.protocol || (c.protocol === r.protocol && c.to < r.from);
    const out = [];
    let i = 0;
    for (const r of (0,settings_ports/* coalesceRanges */.Su)(from)) {
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
    const required = (0,settings_ports/* coalesceRanges */.Su)(ports.filter((p) => !p.optional && !p.exception).map(settings_ports/* rangeOf */.be));
    const plain = (0,settings_ports/* coalesceRanges */.Su)(ports.filter((p) => !p.exception).map(settings_ports/* rangeOf */.be));
    const byException = new Map();
    for (const p of ports) {
        if (!p.exception)
            continue;
        const { until, reason } = p.exception;
        const key = `${until}\n${reason}`;
        const entry = byException.get(key) ?? { exception: { until, reason }, ranges: [] };
        entry.ranges.push((0,settings_ports/* rangeOf */.be)(p));
        byException.set(key, entry);
    }
    const latestFirst = [...byException.values()].sort((a, b) => (0,rules/* compareUntil */.kl)(b.exception.until, a.exception.until));
    const exceptions = [];
    let allowed = plain;
    for (const { exception, ranges } of latestFirst) {
        const own = subtractRanges(ranges, allowed);
        if (own.length === 0)
            continue;
        exceptions.push({ exception, ranges: own });
        allowed = (0,settings_ports/* coalesceRanges */.Su)([...allowed, ...own]);
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
    const basePlain = (0,settings_ports/* coalesceRanges */.Su)([...base.required, ...base.optional]);
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
            const order = (0,rules/* compareUntil */.kl)(exception.until, was.until);
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
function diffPolicies(base, head) {
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
    const list = `**${(0,settings_ports/* formatPortList */.Pt)(shown)}${more ? ',…' : ''}/${c.protocol}**`;
    return more
        ? `${list} (${(0,markdown/* plural */.LS)((0,settings_ports/* countPorts */.Ws)(c.ranges), 'port')} in ${(0,markdown/* plural */.LS)(c.ranges.length, 'range')})`
        : list;
}
function exceptionLabel(e) {
    const reason = (0,markdown/* code */.aY)(e.reason);
    return `until ${(0,markdown/* code */.aY)(e.until, 40)}${reason ? ` (${reason})` : ''}`;
}
function line(c) {
    if ('target' in c) {
        return c.kind === 'scans-target'
            ? `scans new target ${(0,markdown/* code */.aY)(c.target)}`
            : `no longer scans ${(0,markdown/* code */.aY)(c.target)}: its ports are no longer checked`;
    }
    const what = `${portsLabel(c)} on ${c.pattern === '*' ? 'every target' : (0,markdown/* code */.aY)(c.pattern)}`;
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
            return `accepts ${what} ${until}, ${c.kind === 'exception-extended' ? 'extended' : 'shortened'} from ${c.was ? (0,markdown/* code */.aY)(c.was.until, 40) : '?'}`;
    }
}
/**
 * The exposure change as Markdown: a heading naming the file, what widens (for the reviewer to
 * approve) before what narrows, at most `limit` lines and a count of the rest.
 */
function renderExposure(diff, policyFile, limit = 50) {
    const file = (0,markdown/* code */.aY)(policyFile, 300);
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
        out.push(`…and ${(0,markdown/* plural */.LS)(leftWidens + leftNarrows, 'more change')} (${parts.join(', ')}).`);
    }
    return out.join('\n\n');
}

// EXTERNAL MODULE: ./lib/settings/policy.js
var policy = __webpack_require__(22679);
;// CONCATENATED MODULE: ./lib/pull-request/policy-change.js
// What a pull request's change of the policy file exposes, read before any scan: the file is looked
// for among the pull request's changed files; its base version is read from GitHub at the base
// commit, its head version from the checkout; the two are compared rule by rule (exposure.ts).
// Nothing of the pull request's files is trusted: the base text is parsed like any policy, and
// everything shown goes through the escaping of renderExposure.







/** The policy file's path in the repository, when it lies in the workspace. */
function repositoryPath(policyPath, workspace) {
    const rel = (0,external_node_path_.relative)(workspace, policyPath);
    return rel && !rel.startsWith('..') && !(0,external_node_path_.isAbsolute)(rel) ? rel.split(external_node_path_.sep).join('/') : undefined;
}
/**
 * The exposure change as Markdown, or undefined when the pull request does not change the policy
 * file (or it cannot be told, which the log says).
 */
async function policyExposure(gh, repo, pull, policyPath, workspace, log) {
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
    const head = (0,policy/* parsePolicy */.ON)(await (0,files/* readUserFile */.E1)('policy', policyPath, { followSymlinks: true }), path);
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
    const read = await (0,client/* readPages */.n4)(listing, (files) => {
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
        throw new Error(`GitHub still listed more changed files after ${client/* MAX_PAGES */.Y0} pages (it lists at most 3,000): whether the pull request changes ${(0,markdown/* oneLine */.TN)(path, 200)} is not known`);
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
            note: `\n\n${(0,markdown/* code */.aY)(basePath)} could not be read at the base commit: every rule is shown as new.`,
        };
    }
    try {
        return { base: (0,policy/* parsePolicy */.ON)(text, `${basePath} (base)`), note: '' };
    }
    catch (error) {
        const why = error instanceof errors/* ConfigurationError */.j1 ? error.problem : (0,errors/* getErrorMessage */.u1)(error);
        return {
            base: undefined,
            note: `\n\nThe base version is not a valid policy (${(0,markdown/* code */.aY)(why, 200)}): every rule is shown as new.`,
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
        if ((0,client/* statusOf */.c2)(error) === 404)
            return undefined;
        throw error;
    }
}

;// CONCATENATED MODULE: ./lib/pull-request/announce.js




/** The exposure change as Markdown; undefined when there is nothing to show or it could not be read (a warning). */
async function announce(settings, context, log) {
    const { pull, repo } = context;
    if (!pull || !repo || !settings.policyPath || !settings.githubToken)
        return undefined;
    // A shard leaves the comment to its merge job; record mode writes the policy, it checks nothing.
    if (settings.shard || settings.mode === 'record')
        return undefined;
    const gh = (0,client/* createGitHub */.Cl)(settings.githubToken, context.apiUrl, log, context.httpTimeoutMs);
    let exposure;
    try {
        exposure = await policyExposure(gh, repo, pull, settings.policyPath, context.workspace, log);
    }
    catch (error) {
        log.warning(`What the policy change exposes was not worked out: ${(0,client/* describeGitHubError */.dZ)(error, 'contents: read, pull-requests: read')}`);
        return undefined;
    }
    // The merge job has no scan to wait for: its comment comes with the result.
    if (!exposure || !settings.prComment || settings.mode === 'merge')
        return exposure;
    try {
        const me = await (0,client/* whoAmI */.Wc)(gh, log);
        const done = await (0,pr_comment/* syncPrComment */.h)({ gh, repo, pull: pull.number, run: context.run, me, log }, (0,render/* renderPrPending */.Sf)(context.run, pull.sha, exposure));
        log.info(`Pull-request comment: the policy's exposure change, before the scan: ${done.url}.`);
    }
    catch (error) {
        log.warning(`The pull-request comment was not written before the scan: ${(0,client/* describeGitHubError */.dZ)(error, 'pull-requests: write')}`);
    }
    return exposure;
}


/***/ })

};
