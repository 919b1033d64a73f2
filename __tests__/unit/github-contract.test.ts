// The judge that holds the loopback GitHub to GitHub's published REST description: it must catch
// each kind of mismatch, or a stand-in that drifted from GitHub would pass tests GitHub would fail.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRequest, checkResponse } from '../helpers/openapi.js';
import { startGitHubServer } from '../helpers/github-server.js';

const at = (path: string): URL => new URL(`http://127.0.0.1${path}`);

describe("GitHub's REST description, as the stand-in's judge", () => {
  it('takes the requests port-drift makes, as GitHub documents them', () => {
    const list = checkRequest(
      'GET',
      at(
        '/repos/octo/fleet/issues?state=open&labels=port-drift&per_page=100&sort=created&direction=asc',
      ),
      undefined,
    );
    assert.deepEqual(list.violations, []);
    assert.equal(list.route?.operation.operationId, 'issues/list-for-repo');
    const create = checkRequest('POST', at('/repos/octo/fleet/issues'), {
      title: 'Port drift: fleet',
      body: 'x',
      labels: ['port-drift'],
    });
    assert.deepEqual(create.violations, []);
    const comment = checkRequest('PATCH', at('/repos/octo/fleet/issues/comments/1001'), {
      body: 'x',
    });
    assert.equal(comment.route?.operation.operationId, 'issues/update-comment');
    assert.deepEqual(
      checkRequest('GET', at('/repos/octo/fleet/contents/deploy/policy.yml?ref=abc'), undefined)
        .violations,
      [],
    );
    assert.deepEqual(
      checkRequest('POST', at('/graphql'), { query: '{ viewer { login } }' }).violations,
      [],
    );
  });

  it('catches a route GitHub does not have', () => {
    assert.match(
      checkRequest('GET', at('/repos/octo/fleet/issue/1'), undefined).violations.join(),
      /no such route in GitHub's REST API/,
    );
    assert.match(
      checkRequest('POST', at('/graphql'), {}).violations.join(),
      /without a JSON query/,
    );
  });

  it('catches a parameter GitHub does not take, or a value it would refuse', () => {
    const v = checkRequest(
      'GET',
      at('/repos/octo/fleet/issues?state=opened&per_page=lots&q=x'),
      undefined,
    );
    assert.equal(v.violations.length, 3, v.violations.join('\n'));
    assert.match(v.violations.join('\n'), /state=opened: .*allowed values/);
    assert.match(v.violations.join('\n'), /per_page=lots: .*integer/);
    assert.match(v.violations.join('\n'), /takes no query parameter q/);
    assert.match(
      checkRequest('GET', at('/repos/octo/fleet/issues/seven'), undefined).violations.join(),
      /issue_number=seven: .*integer/,
    );
  });

  it('catches a body GitHub would refuse', () => {
    const noTitle = checkRequest('POST', at('/repos/octo/fleet/issues'), { body: 'x' });
    assert.match(noTitle.violations.join(), /a body GitHub would refuse: .*'title'/);
    const labels = checkRequest('POST', at('/repos/octo/fleet/issues'), {
      title: 't',
      labels: 'port-drift',
    });
    assert.match(labels.violations.join(), /\/labels must be array/);
    const state = checkRequest('PATCH', at('/repos/octo/fleet/issues/3'), { state: 'shut' });
    assert.match(state.violations.join(), /\/state must be equal to one of the allowed values/);
    const get = checkRequest('GET', at('/repos/octo/fleet/issues/3'), { title: 'x' });
    assert.match(get.violations.join(), /takes no request body/);
  });

  it('catches an answer GitHub would not send: a status it does not give, a shape it does not have', () => {
    const route = checkRequest('GET', at('/repos/octo/fleet/issues/3'), undefined).route;
    assert.match(checkResponse(route, 418, {}).join(), /a status GitHub does not give/);
    assert.match(
      checkResponse(route, 200, { number: 3, title: 'no id, no user, no dates' }).join(),
      /a shape GitHub would not send: .*required property/,
    );
    assert.match(checkResponse(route, 500, { message: 7 }).join(), /not GitHub's error body/);
    // Any call may be refused for its credentials or a rate limit, or fail on GitHub's side.
    for (const status of [401, 403, 429, 502]) {
      assert.deepEqual(checkResponse(route, status, { message: 'x' }), [], String(status));
    }
  });

  it('fails the test when the stand-in is asked what GitHub would refuse', async () => {
    const gh = await startGitHubServer();
    const answer = await fetch(`${gh.url}/repos/${gh.owner}/${gh.repo}/issues?colour=red`, {
      headers: { authorization: `token ${gh.tokens.write}` },
    });
    assert.equal(answer.status, 200);
    assert.deepEqual(gh.violations, [
      'GET /repos/{owner}/{repo}/issues: GitHub takes no query parameter colour',
    ]);
    await assert.rejects(gh.close(), /GitHub takes no query parameter colour/);
  });

  it("answers as GitHub's description says it does, for every route port-drift uses", async () => {
    const gh = await startGitHubServer();
    const auth = { authorization: `token ${gh.tokens.write}`, 'content-type': 'application/json' };
    const base = `${gh.url}/repos/${gh.owner}/${gh.repo}`;
    const call = async (method: string, path: string, body?: unknown): Promise<number> => {
      const r = await fetch(`${base}${path}`, {
        method,
        headers: auth,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      await r.text();
      return r.status;
    };
    gh.commits.set('abc', new Map([['policy.yml', 'targets: []\n']]));
    const pull = gh.addPullRequest('widen', [{ filename: 'policy.yml', status: 'modified' }]);
    assert.equal(await call('POST', '/labels', { name: 'port-drift', color: 'b60205' }), 201);
    assert.equal(await call('GET', '/labels/port-drift'), 200);
    assert.equal(
      await call('POST', '/issues', { title: 't', body: 'b', labels: ['port-drift'] }),
      201,
    );
    assert.equal(await call('GET', '/issues?state=all&per_page=100'), 200);
    assert.equal(
      await call('PATCH', '/issues/2', { state: 'closed', state_reason: 'completed' }),
      200,
    );
    assert.equal(await call('GET', '/issues/2'), 200);
    assert.equal(await call('POST', '/issues/2/comments', { body: 'c' }), 201);
    assert.equal(await call('GET', '/issues/2/comments?per_page=100'), 200);
    assert.equal(await call('PATCH', '/issues/comments/1001', { body: 'd' }), 200);
    assert.equal(await call('GET', `/pulls/${pull}/files?per_page=100`), 200);
    assert.equal(await call('GET', '/contents/policy.yml?ref=abc'), 200);
    assert.equal(await call('GET', '/issues/99'), 404);
    const me = await fetch(`${gh.url}/user`, {
      headers: { authorization: `token ${gh.tokens.pat}` },
    });
    assert.equal(me.status, 200);
    assert.deepEqual(gh.violations, []);
    await gh.close();
  });
});
