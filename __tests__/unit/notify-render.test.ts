import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compare, stateOf } from '../../src/memory/changes.js';
import {
  GITHUB_BODY_LIMIT,
  commentMarker,
  issueMarker,
  legacyIssueMarker,
  readStateMarker,
  renderIssueBody,
  renderPrComment,
  stateMarker,
  type Result,
} from '../../src/notify/render.js';
import type { RunInfo } from '../../src/github/context.js';
import { slackEventFor } from '../../src/memory/changes.js';
import {
  SLACK_MAX_BLOCKS,
  SLACK_SECTION_LIMIT,
  buildSlackMessage,
  slackEscape,
} from '../../src/notify/slack-message.js';
import type { Finding } from '../../src/base/types.js';
import { workflowFile } from '../../src/github/context.js';
import { outsideCodeSpans } from '../helpers/markdown.js';

const HOSTILE =
  'OpenSSH_8.9p1 <!channel> <!here> <@U123ABC> <https://evil.test|click> @admin #1 <img src=x onerror=alert(1)> [x](http://evil.test) ` ``` |';

const run: RunInfo = {
  name: 'fleet watch',
  runId: '42',
  runUrl: 'https://github.com/o/r/actions/runs/42',
  key: {
    repository: 'o/r',
    workflow: '.github/workflows/watch.yml',
    job: 'scan',
    name: 'fleet watch',
  },
};

function finding(i: number, service = 'ssh'): Finding {
  return {
    kind: 'unexpected-open',
    target: `host${i}.example`,
    address: `203.0.113.${i % 250}`,
    port: 1000 + i,
    protocol: 'tcp',
    expected: 'not open',
    observed: 'open',
    service: { name: service, product: HOSTILE },
  };
}

function result(findings: Finding[]): Result {
  return {
    status: findings.length ? 'drift' : 'clean',
    message: findings.length ? `Drift: ${findings.length} unexpected-open.` : 'No drift.',
    failed: findings.length > 0,
    findings,
    addresses: 250,
    acceptForm: 'expected',
  };
}

describe('issue body and pull-request comment', () => {
  it('say where the reports are: the artifact of the run, or that they stayed on the runner', () => {
    const fs = [finding(1)];
    const link = `[artifact \`port-drift-fleet watch\`](${run.runUrl}/artifacts/9001)`;
    const kept = { ...result(fs), sections: { reports: `Reports: ${link}` } };
    const body = renderIssueBody(run, kept, compare(undefined, stateOf(fs)), stateOf(fs));
    const clean = result([]);
    const closed = renderIssueBody(
      run,
      { ...clean, sections: kept.sections },
      compare(stateOf(fs), stateOf([])),
      stateOf([]),
    );
    for (const md of [body, closed, renderPrComment(run, kept, 'abc1234')]) {
      assert.ok(md.includes(`Reports: ${link}`), md);
    }
    assert.doesNotMatch(renderPrComment(run, result(fs), 'abc1234'), /Reports:/);
  });

  it('shows hostile service text only inside code spans', () => {
    const fs = [finding(1)];
    const body = renderIssueBody(run, result(fs), compare(undefined, stateOf(fs)), stateOf(fs));
    assert.ok(body.startsWith(issueMarker(run.key)));
    const bare = outsideCodeSpans(body.replace(/<!-- port-drift:[^>]* -->/g, ''));
    for (const bad of ['@admin', '#1', '<img', 'evil.test', '<!channel>']) {
      assert.equal(bare.includes(bad), false, `${bad} outside a code span:\n${bare}`);
    }
    assert.match(body, /<!-- port-drift:state:[A-Za-z0-9+/=]+ -->/);
  });

  it('stays under GitHub’s body limit with a note when findings are cut', () => {
    const fs = Array.from({ length: 3000 }, (_, i) => finding(i));
    const state = stateOf(fs);
    const body = renderIssueBody(run, result(fs), compare(undefined, state), state);
    assert.ok(body.length <= GITHUB_BODY_LIMIT, `${body.length}`);
    assert.match(body, /\d[\d,]* more findings not shown here \(GitHub's 65,536-character limit\)/);
    const comment = renderPrComment(run, result(fs), 'abcdef1234567');
    assert.ok(comment.length <= GITHUB_BODY_LIMIT);
    assert.match(comment, /more findings not shown/);
    // The state survives the cut: the next run still recognises the same drift.
    assert.equal(readStateMarker(body)?.digest, state.digest);
  });

  it('carries the state in a marker that reads back, and ignores a tampered one', () => {
    const state = stateOf([finding(1), finding(2)]);
    assert.deepEqual(readStateMarker(`text\n${stateMarker(state)}\n`), state);
    assert.equal(readStateMarker('<!-- port-drift:state:bm90IGpzb24= -->'), undefined);
    assert.equal(readStateMarker('no marker'), undefined);
  });
});

describe('markers a scanned host cannot plant', () => {
  it('a banner holding a state marker and another key’s issue marker changes neither', () => {
    const other = issueMarker({ ...run.key, name: 'another policy' });
    const fake = stateMarker(stateOf([]));
    const planted: Finding = {
      ...finding(7),
      service: { name: 'http', product: `${fake} ${other}` },
    };
    const fs = [planted];
    const state = stateOf(fs);
    const body = renderIssueBody(run, result(fs), compare(undefined, state), state);
    // The issue of another policy is not found in this body, and the state read is this run's.
    assert.equal(body.includes(other), false);
    assert.equal(readStateMarker(body)?.digest, state.digest);
    const comment = renderPrComment(run, result(fs), 'abcdef1');
    assert.equal(comment.split('<!-- port-drift:').length, 2, 'only the comment’s own marker');
  });

  it('the state read from a body is its last marker, the one the run appended', () => {
    const mine = stateOf([finding(1)]);
    const body = `${stateMarker(stateOf([]))}\n\ntext\n\n${stateMarker(mine)}`;
    assert.equal(readStateMarker(body)?.digest, mine.digest);
  });
});

describe('Slack message', () => {
  it('escapes Slack’s control sequences and keeps untrusted text in code', () => {
    assert.equal(
      slackEscape('<!channel> & <@U1|x> `a`'),
      "&lt;!channel&gt; &amp; &lt;@U1|x&gt; 'a'",
    );
    const fs = [finding(1)];
    const msg = JSON.stringify(
      buildSlackMessage({
        run,
        result: result(fs),
        changes: compare(undefined, stateOf(fs)),
        event: 'new',
      }),
    );
    for (const bad of [
      '<!channel>',
      '<!here>',
      '<@U123ABC>',
      '<https://evil.test|click>',
      '<img',
    ]) {
      assert.equal(msg.includes(bad), false, bad);
    }
    // The only link is the one to the run.
    assert.deepEqual(
      [...msg.matchAll(/<([^>]*)>/g)].map((m) => m[1]),
      ['https://github.com/o/r/actions/runs/42|run 42'],
    );
  });

  it('summarises within Slack’s limits: 3000 characters a section, 50 blocks', () => {
    const fs = Array.from({ length: 5000 }, (_, i) => finding(i));
    const msg = buildSlackMessage({
      run,
      result: result(fs),
      changes: compare(undefined, stateOf(fs)),
      event: 'new',
    });
    assert.ok(msg.blocks.length <= SLACK_MAX_BLOCKS);
    for (const b of msg.blocks) {
      const text = (b as { text?: { text?: string } }).text?.text ?? '';
      assert.ok(text.length <= SLACK_SECTION_LIMIT, `${text.length}`);
    }
    assert.match(JSON.stringify(msg), /…and \d+ more in the job summary/);
  });

  it('marks a run that does not speak for production with where it ran, and says nothing of earlier runs', () => {
    const fs = [finding(1)];
    const msg = buildSlackMessage({
      run,
      result: result(fs),
      changes: compare(undefined, stateOf(fs)),
      event: 'ongoing',
      place: 'branch <!channel>',
    });
    const header = (msg.blocks[0] as { text?: { text?: string } } | undefined)?.text?.text;
    assert.equal(header, '🔎 Port drift in branch &lt;!channel&gt; (not production): fleet watch');
    assert.equal(JSON.stringify(msg).includes('<!channel>'), false);
    assert.doesNotMatch(JSON.stringify(msg), /First report|resolved|New port drift/);
  });

  it('speaks on new, changed and resolved drift, and once per drift with notify: change', () => {
    const a = stateOf([finding(1)]);
    const b = stateOf([finding(1), finding(2)]);
    const clean = stateOf([]);
    assert.equal(slackEventFor('drift', undefined, compare(undefined, a), 'change'), 'new');
    assert.equal(slackEventFor('drift', clean, compare(clean, a), 'change'), 'new');
    assert.equal(slackEventFor('drift', a, compare(a, b), 'change'), 'changed');
    assert.equal(slackEventFor('drift', a, compare(a, a), 'change'), undefined);
    assert.equal(slackEventFor('drift', a, compare(a, a), 'always'), 'ongoing');
    assert.equal(slackEventFor('clean', a, compare(a, clean), 'change'), 'resolved');
    assert.equal(slackEventFor('clean', clean, compare(clean, clean), 'always'), undefined);
    assert.equal(slackEventFor('undecided', a, compare(a, clean), 'always'), undefined);
  });
});

describe('the key of an issue, a comment and the cached state', () => {
  const key = run.key;
  it('differs for another job, another workflow file, another repository or another name', () => {
    const others = [
      { ...key, job: 'scan-staging' },
      { ...key, workflow: '.github/workflows/other.yml' },
      { ...key, repository: 'o/fork' },
      { ...key, name: 'fleet watch (eu)' },
    ];
    for (const other of others) {
      assert.notEqual(issueMarker(other), issueMarker(key), JSON.stringify(other));
      assert.notEqual(commentMarker(other), commentMarker(key), JSON.stringify(other));
    }
  });

  it('is the same for the same job and name, whatever the case of the repository', () => {
    assert.equal(issueMarker({ ...key, repository: 'O/R' }), issueMarker(key));
    assert.notEqual(issueMarker(key), legacyIssueMarker(key.name));
  });

  it('names the workflow file from GITHUB_WORKFLOW_REF', () => {
    assert.equal(
      workflowFile('o/r/.github/workflows/watch.yml@refs/heads/main', 'o/r'),
      '.github/workflows/watch.yml',
    );
    assert.equal(
      workflowFile('o/r/.github/workflows/a@b.yml@refs/pull/7/merge', 'O/R'),
      '.github/workflows/a@b.yml',
    );
    assert.equal(workflowFile(undefined, ''), '');
  });
});
