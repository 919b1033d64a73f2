export const id = 936;
export const ids = [936];
export const modules = {

/***/ 23936:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  notify: () => (/* binding */ notify),
  wanted: () => (/* binding */ wanted)
});

// UNUSED EXPORTS: planDelivery

// EXTERNAL MODULE: ./lib/github/context.js
var github_context = __webpack_require__(88120);
// EXTERNAL MODULE: ./lib/settings/settings.js + 1 modules
var settings_settings = __webpack_require__(93530);
// EXTERNAL MODULE: ./lib/memory/changes.js
var memory_changes = __webpack_require__(91726);
// EXTERNAL MODULE: ./lib/github/client.js + 1 modules
var github_client = __webpack_require__(58987);
// EXTERNAL MODULE: ./lib/base/markdown.js
var markdown = __webpack_require__(54536);
// EXTERNAL MODULE: ./lib/notify/render.js
var render = __webpack_require__(78937);
;// CONCATENATED MODULE: ./lib/notify/issue-plan.js
// What to do with the drift issue, decided from what exists (the issue of this key as listed, or as
// just read again) and what was found (the run's status and drift state). Pure: issue.ts carries
// the plan out, reading what the plan asks for before it decides again.


function planIssue(found, existing) {
    if (found.status === 'undecided') {
        const previous = existing.open ? (0,render/* readStateMarker */.uO)(existing.open.body) : undefined;
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
    const previous = (0,render/* readStateMarker */.uO)(open.body);
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
    const previous = (0,render/* readStateMarker */.uO)(issue.body);
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
    const previous = (0,render/* readStateMarker */.uO)(closed.body);
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
    const body = (0,render/* renderIssueBody */.Yx)(job.run, job.result, changes, job.current);
    const title = (0,render/* issueTitle */.al)(job.run.name);
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
        body: (0,render/* renderIssueComment */.x)(job.run, job.result, changes, reopened),
    });
}
/** Issues of this key in one state, written by the token's identity; oldest first (open). */
async function listIssues({ gh, repo, labels, run, me }, state, legacy = false) {
    const marker = (0,render/* issueMarker */.Q_)(run.key);
    const legacyMarker = (0,render/* legacyIssueMarker */.l$)(run.name);
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
    const read = await (0,github_client/* readPages */.n4)(listing, (issues) => {
        for (const issue of issues) {
            if (issue.pull_request || !(0,github_client/* isMe */.ne)(me, issue.user))
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
    closed ? 10 : github_client/* MAX_PAGES */.Y0);
    // An open issue of ours may be on a page not read: a second one is not opened.
    if (read === 'cut' && !closed) {
        throw new Error(`GitHub still listed more open issues labelled ${(0,markdown/* oneLine */.TN)(params.labels, 60)} after ${github_client/* MAX_PAGES */.Y0} pages: the issue is left alone, so as not to open a second one`);
    }
    return found.sort((a, b) => Number(a.legacy) - Number(b.legacy) || a.number - b.number);
}
/** The issue as it is now: another run may have written to it since it was listed. */
async function reread(job, issue) {
    const { data } = await job.gh.rest.issues.get({ ...job.repo, issue_number: issue.number });
    const marker = (0,render/* issueMarker */.Q_)(job.run.key);
    return toFound(data, issue.legacy && !(data.body ?? '').includes(marker));
}
async function closeAsDuplicate(job, duplicate, kept) {
    await editIssue(job, duplicate, {
        state: 'closed',
        state_reason: 'not_planned',
        body: (0,render/* renderDuplicateBody */.yT)(kept),
    });
}
/**
 * A new issue, its labels made first. Runs that overlap may each have opened one: the listing is
 * read again, and the oldest one wins.
 */
async function createIssue(job, changes) {
    const { gh, repo, labels, run, log } = job;
    await ensureLabels(gh, repo, labels, log);
    const body = (0,render/* renderIssueBody */.Yx)(run, job.result, changes, job.current);
    const created = await (0,github_client/* createOnce */.Ur)('the issue', async () => {
        const { data, status } = await gh.rest.issues.create({
            ...repo,
            title: (0,render/* issueTitle */.al)(run.name),
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
    const previous = (0,render/* readStateMarker */.uO)(kept.body);
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
            if ((0,github_client/* statusOf */.c2)(error) !== 404)
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

// EXTERNAL MODULE: ./lib/notify/pr-comment.js
var pr_comment = __webpack_require__(411);
// EXTERNAL MODULE: ./lib/report/format.js
var format = __webpack_require__(87703);
// EXTERNAL MODULE: ./lib/findings/hints.js
var hints = __webpack_require__(18652);
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

// EXTERNAL MODULE: external "node:timers/promises"
var promises_ = __webpack_require__(58500);
// EXTERNAL MODULE: ./lib/base/errors.js
var errors = __webpack_require__(17594);
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
        this.gh ??= (0,github_client/* createGitHub */.Cl)(this.token, this.context.apiUrl, this.log, this.context.httpTimeoutMs);
        return { gh: this.gh, repo };
    }
    /** Who the token is, asked once. */
    identity(gh) {
        this.me ??= (0,github_client/* whoAmI */.Wc)(gh, this.log);
        return this.me;
    }
    failed(error) {
        if (error instanceof github_client/* NoAnswerError */.i5 && error.kind === 'deadline')
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
        log.warning(`The drift issue was not updated: ${(0,github_client/* describeGitHubError */.dZ)(error, 'issues: write')}`);
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
        const done = await (0,pr_comment/* syncPrComment */.h)({ ...client, pull: pull.number, run: context.run, me: await github.identity(client.gh), log }, (0,render/* renderPrComment */.Q1)(context.run, result, pull.sha));
        log.info(`Pull-request comment: ${done.action} ${done.url}.`);
        if (done.ignored > 0) {
            log.info(`Pull-request comment: ignored ${done.ignored} comment(s) carrying this job's marker that the token did not write.`);
        }
    }
    catch (error) {
        github.failed(error);
        const fork = (0,github_client/* statusOf */.c2)(error) === 403
            ? ' A pull request from a fork gets a read-only token: the result is in the job summary.'
            : '';
        log.warning(`The pull-request comment was not written: ${(0,github_client/* describeGitHubError */.dZ)(error, 'pull-requests: write')}${fork}`);
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
    const store = issue ? undefined : await edge.state((0,github_context.keyHash)(context.run.key));
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
