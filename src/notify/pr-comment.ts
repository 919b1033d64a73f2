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

export async function syncPrComment(
  gh: GitHub,
  repo: Repo,
  pull: number,
  run: RunInfo,
  /** The comment, rendered (renderPrComment, renderPrPending): it carries the marker. */
  body: string,
  me: Identity,
  log: Logger,
): Promise<{ url: string; action: 'created' | 'updated'; ignored: number }> {
  const marker = commentMarker(run.key);
  let ignored = 0;
  const find = async (): Promise<{ id: number; url: string } | undefined> => {
    ignored = 0;
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
        ignored++;
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
  };
  const mine = await find();
  if (mine) {
    const { data } = await gh.rest.issues.updateComment({ ...repo, comment_id: mine.id, body });
    return { url: data.html_url, action: 'updated', ignored };
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
    find,
    log,
  );
  return { url: made.url, action: 'created', ignored };
}
