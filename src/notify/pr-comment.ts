// The sticky pull-request comment: one comment per key on the pull request, found by its hidden
// marker among the comments the token itself wrote, and updated on each push. A marker in someone
// else's comment is ignored: anyone who may comment could plant one, and the result would then sit
// in text they can rewrite (or not be written at all).
import {
  MAX_PAGES,
  createOnce,
  isMe,
  readPages,
  type GitHub,
  type Identity,
} from '../github/client.js';
import type { Logger } from '../base/log.js';
import { commentMarker } from './render.js';
import type { Repo } from '../github/client.js';
import type { RunInfo } from '../github/context.js';

/** Where the comment goes, and who the token is. */
export interface CommentJob {
  gh: GitHub;
  repo: Repo;
  pull: number;
  run: RunInfo;
  me: Identity;
  log: Logger;
}

/** `body`: the comment, rendered (renderPrComment, renderPrPending); it carries the marker. */
export async function syncPrComment(
  job: CommentJob,
  body: string,
): Promise<{ url: string; action: 'created' | 'updated'; ignored: number }> {
  const { gh, repo, pull, log } = job;
  const seen = { ignored: 0 };
  const mine = await findComment(job, seen);
  if (mine) {
    const { data } = await gh.rest.issues.updateComment({ ...repo, comment_id: mine.id, body });
    return { url: data.html_url, action: 'updated', ignored: seen.ignored };
  }
  const made = await createOnce(
    'the pull-request comment',
    async () => {
      const { data, status } = await gh.rest.issues.createComment({
        ...repo,
        issue_number: pull,
        body,
        request: { retries: 0 },
      });
      if ((status as number) !== 201 || typeof data.id !== 'number') {
        throw new Error(`GitHub answered the create with ${status}, not 201 Created`);
      }
      return { id: data.id, url: data.html_url };
    },
    () => findComment(job, seen),
    log,
  );
  return { url: made.url, action: 'created', ignored: seen.ignored };
}

/**
 * The comment of this key the token wrote, if any; `seen.ignored` counts the comments carrying the
 * marker that someone else wrote.
 */
async function findComment(
  { gh, repo, pull, run, me }: CommentJob,
  seen: { ignored: number },
): Promise<{ id: number; url: string } | undefined> {
  const marker = commentMarker(run.key);
  seen.ignored = 0;
  let mine: { id: number; url: string } | undefined;
  const listing = gh.paginate.iterator(gh.rest.issues.listComments, {
    ...repo,
    issue_number: pull,
    per_page: 100,
  });
  const read = await readPages(listing, (comments) => {
    for (const c of comments) {
      if (!c.body?.includes(marker)) continue;
      if (isMe(me, c.user)) {
        mine = { id: c.id, url: c.html_url };
        return true;
      }
      seen.ignored++;
    }
    return false;
  });
  // A comment of ours may be on a page not read: a second one is not written.
  if (read === 'cut') {
    throw new Error(
      `GitHub still listed more comments on #${pull} after ${MAX_PAGES} pages: the comment is not written, so as not to add a second one`,
    );
  }
  return mine;
}
