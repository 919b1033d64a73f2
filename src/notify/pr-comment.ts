// The sticky pull-request comment: one comment per `name` on the pull request, found by its hidden
// marker and updated on each push.
import { createOnce, type GitHub, type Log } from './github.js';
import { commentMarker, renderPrComment, type Result, type RunInfo } from './render.js';
import type { Repo } from './issue.js';

export async function syncPrComment(
  gh: GitHub,
  repo: Repo,
  pull: number,
  sha: string,
  run: RunInfo,
  result: Result,
  log: Log,
): Promise<{ url: string; action: 'created' | 'updated' }> {
  const marker = commentMarker(run.name);
  const body = renderPrComment(run, result, sha);
  const find = async (): Promise<{ id: number; url: string } | undefined> => {
    for await (const page of gh.paginate.iterator(gh.rest.issues.listComments, {
      ...repo,
      issue_number: pull,
      per_page: 100,
    })) {
      const mine = page.data.find((c) => c.body?.includes(marker));
      if (mine) return { id: mine.id, url: mine.html_url };
    }
    return undefined;
  };
  const mine = await find();
  if (mine) {
    const { data } = await gh.rest.issues.updateComment({ ...repo, comment_id: mine.id, body });
    return { url: data.html_url, action: 'updated' };
  }
  const made = await createOnce(
    'the pull-request comment',
    async () => {
      const { data } = await gh.rest.issues.createComment({
        ...repo,
        issue_number: pull,
        body,
        request: { retries: 0 },
      });
      return { id: data.id, url: data.html_url };
    },
    find,
    log,
  );
  return { url: made.url, action: 'created' };
}
