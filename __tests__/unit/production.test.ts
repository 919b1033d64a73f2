// Which runs speak for production (src/github/production.ts): the one decision the issue, Slack, the
// state and the history follow, from the run's event alone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  productionLogLine,
  productionNote,
  productionOf,
  type RunEvent,
} from '../../src/github/production.js';
import { outsideCodeSpans } from '../helpers/markdown.js';

const speaks = (event: RunEvent): boolean => productionOf(event).speaks;

describe('which runs speak for production', () => {
  it('scheduled and repository_dispatch runs do: GitHub runs them on the default branch', () => {
    assert.equal(speaks({ eventName: 'schedule' }), true);
    assert.equal(speaks({ eventName: 'schedule', ref: 'refs/heads/main' }), true);
    assert.equal(speaks({ eventName: 'repository_dispatch', defaultBranch: 'main' }), true);
    assert.equal(productionOf({ eventName: 'schedule', defaultBranch: 'trunk' }).branch, 'trunk');
  });

  it('pushed and dispatched runs do on the default branch only', () => {
    for (const eventName of ['push', 'workflow_dispatch']) {
      assert.equal(speaks({ eventName, ref: 'refs/heads/main', defaultBranch: 'main' }), true);
      assert.equal(speaks({ eventName, ref: 'refs/heads/feature', defaultBranch: 'main' }), false);
      assert.equal(speaks({ eventName, ref: 'refs/tags/v1', defaultBranch: 'main' }), false);
    }
    const onMain = productionOf({
      eventName: 'push',
      ref: 'refs/heads/main',
      defaultBranch: 'main',
    });
    assert.deepEqual(onMain, { speaks: true, place: 'main', branch: 'main' });
  });

  it('a pushed run whose event names no default branch is not taken for one', () => {
    const p = productionOf({ eventName: 'push', ref: 'refs/heads/main' });
    assert.equal(p.speaks, false);
    assert.equal(p.not?.because, 'unknown');
    assert.match(productionLogLine(p), /does not name the repository's default branch/);
  });

  it('pull requests, merge queues and every other event do not, even on the default branch', () => {
    for (const eventName of [
      'pull_request',
      'pull_request_target',
      'merge_group',
      'workflow_run',
      'release',
      'issue_comment',
    ]) {
      const p = productionOf({ eventName, ref: 'refs/heads/main', defaultBranch: 'main' });
      assert.equal(p.speaks, false, eventName);
      assert.equal(p.branch, undefined, eventName);
    }
  });

  it('outside GitHub Actions (the command line from cron), the run speaks', () => {
    assert.equal(speaks({}), true);
    assert.equal(speaks({ eventName: '' }), true);
    assert.equal(productionOf({}).branch, undefined, 'it sets no baseline branch');
  });

  it('names where a run is: the pull request, the branch, the tag', () => {
    const pr = { eventName: 'pull_request', ref: 'refs/pull/7/merge', pullNumber: 7 };
    assert.equal(productionOf(pr).place, 'pull request #7');
    assert.equal(
      productionOf({ eventName: 'push', ref: 'refs/heads/feature', defaultBranch: 'main' }).place,
      'branch feature',
    );
    assert.equal(productionOf({ eventName: 'push', ref: 'refs/tags/v1' }).place, 'tag v1');
  });

  it('says why in the log and the summary, and nothing when the run speaks', () => {
    const pr = productionOf({
      eventName: 'pull_request',
      ref: 'refs/pull/7/merge',
      defaultBranch: 'main',
      pullNumber: 7,
    });
    assert.equal(
      productionLogLine(pr),
      'Not production: this is a pull_request run on refs/pull/7/merge: only scheduled, dispatched and pushed runs on the default branch main speak for production. So it does not open, close or edit the drift issue, does not change what Slack last heard, posts to Slack only with slack-on-non-production: true, and does not add to the history. Its summary, outputs, reports and pull-request comment are written as usual.',
    );
    assert.match(
      productionNote(pr),
      /^> \*\*This run does not speak for production\.\*\* It is a `pull_request` run on `refs\/pull\/7\/merge`: .* branch `main` speak for production\./,
    );
    const branch = productionOf({
      eventName: 'push',
      ref: 'refs/heads/feature',
      defaultBranch: 'main',
    });
    assert.match(
      productionNote(branch),
      /`refs\/heads\/feature`, not on the default branch `main`/,
    );
    const main = productionOf({ eventName: 'schedule' });
    assert.equal(productionLogLine(main), '');
    assert.equal(productionNote(main), '');
  });

  it('shows a branch named by whoever pushed it only as code, on one line', () => {
    const hostile = 'refs/heads/x<img src=x>@admin\n::error::forged';
    const p = productionOf({ eventName: 'push', ref: hostile, defaultBranch: 'main' });
    assert.equal(p.speaks, false);
    const note = productionNote(p);
    assert.doesNotMatch(outsideCodeSpans(note), /<img|@admin/);
    assert.equal(note.includes('\n'), false);
    assert.equal(productionLogLine(p).includes('\n'), false);
  });
});
