// The GitHub edge's pure parts (src/github/client.ts): who wrote an issue or a comment, however the
// API names a bot; a listing read to a bound; an error that names its request as the user wrote it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_PAGES, describeGitHubError, isMe, readPages } from '../../src/github/client.js';

const BOT_ID = 41898282;
const REST_BOT = { login: 'github-actions[bot]', type: 'Bot', id: BOT_ID };

describe('who wrote it', () => {
  it('knows the job token’s own comment by its id, whichever form of the name GitHub gave', () => {
    for (const login of ['github-actions', 'github-actions[bot]', 'app/github-actions']) {
      assert.equal(isMe({ login, id: BOT_ID }, REST_BOT), true, login);
    }
    // Another author with the same id is the same account (renamed); another id never is.
    assert.equal(isMe({ login: 'github-actions', id: BOT_ID }, { ...REST_BOT, login: 'x' }), true);
    assert.equal(isMe({ login: 'github-actions[bot]', id: BOT_ID }, { ...REST_BOT, id: 7 }), false);
  });

  it('without an id, takes a bot’s name forms as one, and is case-insensitive', () => {
    assert.equal(isMe({ login: 'github-actions' }, REST_BOT), true);
    assert.equal(isMe({ login: 'app/github-actions' }, { login: 'github-actions[bot]' }), true);
    assert.equal(isMe({ login: 'GitHub-Actions[bot]' }, { login: 'github-actions[bot]' }), true);
    assert.equal(isMe({ login: 'octocat' }, { login: 'OctoCat', type: 'User', id: 1 }), true);
  });

  it('never takes a user for a bot of the same name, nor anyone else', () => {
    assert.equal(
      isMe({ login: 'drift-watch[bot]' }, { login: 'drift-watch', type: 'User' }),
      false,
    );
    assert.equal(
      isMe({ login: 'drift-watch[bot]', id: 150000001 }, { login: 'drift-watch[bot]', id: 9 }),
      false,
    );
    assert.equal(isMe({ login: 'octocat', id: 583231 }, { login: 'mallory', id: 4242 }), false);
    assert.equal(isMe({ login: 'octocat' }, null), false);
    assert.equal(isMe({ login: 'octocat' }, { login: '' }), false);
  });
});

/** A listing of `pages` pages (empty ones linking a next one when `endless`), counting requests. */
function listing(
  pages: number[][],
  endless = false,
): {
  iterable: AsyncIterable<{ data: number[]; headers: { link?: string } }>;
  asked: () => number;
} {
  let asked = 0;
  return {
    asked: () => asked,
    iterable: {
      async *[Symbol.asyncIterator]() {
        for (let n = 0; endless || n < pages.length; n++) {
          asked++;
          await Promise.resolve(); // each page is an answer awaited, as from GitHub
          const more = endless || n + 1 < pages.length;
          yield {
            data: pages[n] ?? [],
            headers: more ? { link: `<https://api/x?page=${n + 2}>; rel="next"` } : {},
          };
        }
      },
    },
  };
}

describe('a listing read to a bound', () => {
  it('stops at GitHub’s 30 pages when a server links a next page for ever', async () => {
    const endless = listing([], true);
    const seen: number[][] = [];
    const read = await readPages(endless.iterable, (items) => (seen.push(items), false));
    assert.equal(read, 'cut');
    assert.equal(MAX_PAGES, 30);
    assert.equal(endless.asked(), 30, 'no page after the 30th is asked for');
  });

  it('ends where the listing ends, and stops where the caller found what it looked for', async () => {
    const three = listing([[1, 2], [3], [4]]);
    assert.equal(await readPages(three.iterable, () => false), 'ended');
    assert.equal(three.asked(), 3);
    const found = listing([[1, 2], [3], [4]]);
    assert.equal(await readPages(found.iterable, (items) => items.includes(3)), 'stopped');
    assert.equal(found.asked(), 2);
    // Exactly as many pages as the bound, the last linking none: the whole listing was read.
    const full = listing(Array.from({ length: 30 }, (_, i) => [i]));
    assert.equal(await readPages(full.iterable, () => false), 'ended');
  });
});

describe('a GitHub error', () => {
  it('names the file of its request as the user wrote it, not percent-encoded', () => {
    const error = Object.assign(new Error('Resource not accessible by integration'), {
      status: 403,
      request: {
        method: 'GET',
        url: 'https://api.github.com/repos/o/r/contents/security%2Fmy%20ports.yml?ref=abc',
      },
    });
    const said = describeGitHubError(error, 'contents: read');
    assert.match(said, / on GET \/repos\/o\/r\/contents\/security\/my ports\.yml\)/);
    assert.doesNotMatch(said, /%2F|%20/);
  });

  it('puts a decoded line break on the same line', () => {
    const error = Object.assign(new Error('Not Found'), {
      status: 404,
      request: {
        method: 'GET',
        url: 'https://api.github.com/repos/o/r/contents/a%0A%3A%3Aerror%3A%3Ab',
      },
    });
    assert.equal(describeGitHubError(error, 'x').includes('\n'), false);
  });
});
