// A loopback server that answers like GitHub's REST API for what port-drift uses: issues, issue
// comments and labels of one repository, with Link-header pagination, x-ratelimit-* headers, token
// checks, who each token is (GET /user for a personal token, 403 for an installation token, GraphQL
// `viewer` for both), the author of every issue and comment as GitHub writes it (login, type and
// numeric id: `github-actions[bot]`, `Bot`, 41898282 in REST, and the bot's name without `[bot]`
// in GraphQL), a delay on every answer (so runs that overlap interleave as they do on GitHub),
// faults injected per route (401, 403, 404, 422, 500, secondary rate limits, a redirect, and a 500
// for a request that was nonetheless carried out), and listings that never end.
//
// Held to GitHub's published REST description (openapi.ts): every request it receives and every
// answer it gives is checked, and `close()` fails the test on any mismatch (as does the end of the
// test process, for a server never closed). A test that makes it answer as GitHub would not (a
// proxy's redirect) says so in the fault: `contractExempt`, with the reason.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLoopback } from './loopback.js';
import { checkRequest, checkResponse, type Route as Operation } from './openapi.js';

/** An author as GitHub's REST API shows it on an issue or a comment. */
export interface Author {
  login: string;
  type: 'User' | 'Bot';
  /** The numeric user id: the same in every API, unlike the login of a bot. */
  id: number;
}

/** The user id of github-actions[bot], the author of what the job's GITHUB_TOKEN writes. */
export const GITHUB_ACTIONS_BOT_ID = 41898282;

export interface Comment {
  id: number;
  body: string;
  /** Every body the comment had, first to last (the current one last). */
  edits: string[];
  html_url: string;
  user: Author;
}

export interface Issue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  state_reason: string | null;
  labels: string[];
  comments: Comment[];
  html_url: string;
  user: Author;
  /** Pull requests are issues too in GitHub's API: they are listed, with this key. */
  pull_request?: { url: string };
  created: number;
  updated: number;
}

export type Route =
  | 'list-issues'
  | 'get-issue'
  | 'create-issue'
  | 'update-issue'
  | 'list-comments'
  | 'create-comment'
  | 'update-comment'
  | 'get-label'
  | 'create-label'
  | 'list-pull-files'
  | 'get-content';

export interface Fault {
  route: Route;
  status: number;
  /** How many requests fail this way; default 1. */
  times?: number;
  message?: string;
  /** Retry-After header, seconds (a secondary rate limit). */
  retryAfter?: number;
  /** Carry out the request, then answer with the fault anyway. */
  carryOut?: boolean;
  /** With a 3xx: the Location header. */
  location?: string;
  /** More response headers, such as an exhausted x-ratelimit-remaining. */
  headers?: Record<string, string>;
  /**
   * Why this answer is one GitHub's description does not allow (a proxy's redirect): it is then not
   * held to it. Without it, an answer GitHub would not give fails the test.
   */
  contractExempt?: string;
}

export interface GitHubServer {
  url: string;
  owner: string;
  repo: string;
  /**
   * Tokens. `write`: the job's GITHUB_TOKEN (writes as github-actions[bot]); `readOnly`: the same
   * for a fork; `pat`: a person's token (writes as octocat); `app`: a GitHub App's installation token
   * (writes as drift-watch[bot]); `mallory`: someone else who may comment.
   */
  tokens: { write: string; readOnly: string; pat: string; app: string; mallory: string };
  /** Milliseconds before each answer; default 5 to 25, at random, like a real API's spread. */
  latency: [number, number];
  issues: Issue[];
  labels: Set<string>;
  /** Every request: `METHOD /path?query` (the route before any fault). */
  requests: { method: string; path: string; route: Route | 'other' }[];
  fail(fault: Fault): void;
  /**
   * Adds a pull request (an issue with pull_request) and returns its number. `files`: what it
   * changes, as GitHub lists them (`modified`, `added`, `renamed` with the name before).
   */
  addPullRequest(
    title: string,
    files?: { filename: string; status: string; previous_filename?: string }[],
  ): number;
  /** The repository's files at a commit: `commits.get(sha).set(path, text)`. */
  commits: Map<string, Map<string, string>>;
  /** The author a token writes as. */
  authorOf(token: string): Author;
  /**
   * What GraphQL's `viewer` says of a token: a bot's login without `[bot]`, as GraphQL writes it,
   * unless `botSuffix`; its `databaseId` (the REST id) unless `databaseId` is false.
   */
  viewer: { botSuffix: boolean; databaseId: boolean };
  /** Routes answered with empty pages that always link a next one, for ever. */
  endless: Set<Route>;
  /** What GitHub's REST description says GitHub would not do, in the requests and the answers. */
  violations: string[];
  /** Stops the server; throws when it saw a request or gave an answer GitHub's description refuses. */
  close(): Promise<void>;
}

/** Servers whose violations no close() reported yet: the test process fails on them at its end. */
const unreported = new Set<{ violations: string[] }>();
process.on('exit', () => {
  const left = [...unreported].flatMap((s) => s.violations);
  if (left.length === 0) return;
  process.stderr.write(
    `The loopback GitHub was not held to GitHub's REST description:\n${left.join('\n')}\n`,
  );
  process.exitCode = 1;
});

const SECONDARY =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';

interface Matched {
  route: Route | 'other';
  params: string[];
}

function match(method: string, path: string, owner: string, repo: string): Matched {
  const base = `/repos/${owner}/${repo}`;
  const rel = path.startsWith(base) ? path.slice(base.length) : undefined;
  const table: [string, RegExp, Route][] = [
    ['GET', /^\/issues$/, 'list-issues'],
    ['GET', /^\/issues\/(\d+)$/, 'get-issue'],
    ['POST', /^\/issues$/, 'create-issue'],
    ['PATCH', /^\/issues\/(\d+)$/, 'update-issue'],
    ['GET', /^\/issues\/(\d+)\/comments$/, 'list-comments'],
    ['POST', /^\/issues\/(\d+)\/comments$/, 'create-comment'],
    ['PATCH', /^\/issues\/comments\/(\d+)$/, 'update-comment'],
    ['GET', /^\/labels\/([^/]+)$/, 'get-label'],
    ['POST', /^\/labels$/, 'create-label'],
    ['GET', /^\/pulls\/(\d+)\/files$/, 'list-pull-files'],
    ['GET', /^\/contents\/(.+)$/, 'get-content'],
  ];
  if (rel !== undefined) {
    for (const [m, re, route] of table) {
      const hit = method === m ? re.exec(rel) : null;
      if (hit) return { route, params: hit.slice(1).map(decodeURIComponent) };
    }
  }
  return { route: 'other', params: [] };
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

type Reply = (status: number, data: unknown, headers?: Record<string, string>) => void;

export async function startGitHubServer(): Promise<GitHubServer> {
  const owner = 'octo';
  const repo = 'fleet';
  const tokens = {
    write: 'ghs_writeTOKEN0000',
    readOnly: 'ghs_readonlyTOKEN0',
    pat: 'ghp_octocatTOKEN000',
    app: 'ghs_driftAppTOKEN00',
    mallory: 'ghp_malloryTOKEN000',
  };
  const authors: Record<string, Author> = {
    [tokens.write]: { login: 'github-actions[bot]', type: 'Bot', id: GITHUB_ACTIONS_BOT_ID },
    [tokens.readOnly]: { login: 'github-actions[bot]', type: 'Bot', id: GITHUB_ACTIONS_BOT_ID },
    [tokens.pat]: { login: 'octocat', type: 'User', id: 583231 },
    [tokens.app]: { login: 'drift-watch[bot]', type: 'Bot', id: 150000001 },
    [tokens.mallory]: { login: 'mallory', type: 'User', id: 4242 },
  };
  const viewer = { botSuffix: false, databaseId: true };
  const endless = new Set<Route>();
  const latency: [number, number] = [5, 25];
  const issues: Issue[] = [];
  const labels = new Set<string>();
  const faults: Fault[] = [];
  const requests: GitHubServer['requests'] = [];
  const pullFiles = new Map<
    number,
    { filename: string; status: string; previous_filename?: string }[]
  >();
  const commits = new Map<string, Map<string, string>>();
  let nextComment = 1000;
  let clock = 0;
  let url = '';

  // Everything GitHub's description requires of its answers, as api.github.com writes it; the URLs
  // point at this server.
  const api = (): string => `${url}/repos/${owner}/${repo}`;
  const time = (tick: number): string =>
    new Date(Date.UTC(2026, 0, 1) + tick * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const userJson = (a: Author): Record<string, unknown> => {
    const login = encodeURIComponent(a.login);
    const users = `${url}/users/${login}`;
    return {
      login: a.login,
      id: a.id,
      node_id: `U_${a.id}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${a.id}?v=4`,
      gravatar_id: '',
      url: users,
      html_url:
        a.type === 'Bot'
          ? `https://github.com/apps/${encodeURIComponent(a.login.replace(/\[bot\]$/, ''))}`
          : `https://github.com/${login}`,
      followers_url: `${users}/followers`,
      following_url: `${users}/following{/other_user}`,
      gists_url: `${users}/gists{/gist_id}`,
      starred_url: `${users}/starred{/owner}{/repo}`,
      subscriptions_url: `${users}/subscriptions`,
      organizations_url: `${users}/orgs`,
      repos_url: `${users}/repos`,
      events_url: `${users}/events{/privacy}`,
      received_events_url: `${users}/received_events`,
      type: a.type,
      user_view_type: 'public',
      site_admin: false,
    };
  };
  /** GET /user for a person's token: the profile GitHub shows its owner. */
  const privateUserJson = (a: Author): Record<string, unknown> => ({
    ...userJson(a),
    user_view_type: 'private',
    name: null,
    company: null,
    blog: '',
    location: null,
    email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: 8,
    public_gists: 0,
    followers: 20,
    following: 0,
    created_at: time(0),
    updated_at: time(0),
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
  });
  const labelJson = (name: string): Record<string, unknown> => ({
    id: 208045946 + [...name].reduce((n, c) => n + c.charCodeAt(0), 0),
    node_id: `LA_${Buffer.from(name).toString('hex').slice(0, 12)}`,
    url: `${api()}/labels/${encodeURIComponent(name)}`,
    name,
    description: null,
    color: 'b60205',
    default: false,
  });
  const issueJson = (i: Issue): Record<string, unknown> => ({
    id: 1_000_000 + i.number,
    node_id: `I_${i.number}`,
    url: `${api()}/issues/${i.number}`,
    repository_url: api(),
    labels_url: `${api()}/issues/${i.number}/labels{/name}`,
    comments_url: `${api()}/issues/${i.number}/comments`,
    events_url: `${api()}/issues/${i.number}/events`,
    html_url: i.html_url,
    number: i.number,
    state: i.state,
    state_reason: i.state_reason,
    title: i.title,
    body: i.body,
    user: userJson(i.user),
    labels: i.labels.map(labelJson),
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: i.comments.length,
    ...(i.pull_request
      ? {
          pull_request: {
            url: i.pull_request.url,
            html_url: i.html_url,
            diff_url: `${i.html_url}.diff`,
            patch_url: `${i.html_url}.patch`,
            merged_at: null,
          },
        }
      : {}),
    closed_at: i.state === 'closed' ? time(i.updated) : null,
    created_at: time(i.created),
    updated_at: time(i.updated),
    author_association: 'NONE',
  });
  const commentJson = (c: Comment, i: Issue): Record<string, unknown> => ({
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${api()}/issues/comments/${c.id}`,
    html_url: c.html_url,
    issue_url: `${api()}/issues/${i.number}`,
    body: c.body,
    user: userJson(c.user),
    created_at: time(i.created),
    updated_at: time(i.updated),
    author_association: 'NONE',
  });
  const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' };
  const invalid = (more: Record<string, unknown> = {}): Record<string, unknown> => ({
    message: 'Validation Failed',
    documentation_url: 'https://docs.github.com/rest',
    ...more,
  });

  function send(res: ServerResponse, status: number, data: unknown, headers = {}): void {
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4990',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-used': '10',
      'x-ratelimit-resource': 'core',
      ...headers,
    });
    res.end(data === undefined ? '' : JSON.stringify(data));
  }

  function page<T>(reply: Reply, query: URLSearchParams, items: T[], path: string): void {
    const perPage = Math.min(Number(query.get('per_page') ?? 30) || 30, 100);
    const pageNo = Number(query.get('page') ?? 1) || 1;
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (n: number): string => {
      const q = new URLSearchParams(query);
      q.set('page', String(n));
      return `<${url}${path}?${q.toString()}>`;
    };
    const links: string[] = [];
    if (pageNo < last) links.push(`${link(pageNo + 1)}; rel="next"`, `${link(last)}; rel="last"`);
    if (pageNo > 1) links.push(`${link(1)}; rel="first"`, `${link(pageNo - 1)}; rel="prev"`);
    reply(
      200,
      items.slice((pageNo - 1) * perPage, pageNo * perPage),
      links.length ? { link: links.join(', ') } : {},
    );
  }

  const tooLong = (body: unknown): boolean => typeof body === 'string' && body.length > 65_536;
  const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);

  /** Carries out a request; returns the response to give. */
  function handle(
    m: Matched,
    body: Record<string, unknown>,
    query: URLSearchParams,
    author: Author,
  ): [number, unknown, Record<string, string>?] {
    const issue = (n: string | undefined): Issue | undefined =>
      issues.find((i) => i.number === Number(n));
    switch (m.route) {
      case 'list-issues': {
        const state = query.get('state') ?? 'open';
        const wanted = (query.get('labels') ?? '').split(',').filter(Boolean);
        let list = issues.filter(
          (i) =>
            (state === 'all' || i.state === state) && wanted.every((l) => i.labels.includes(l)),
        );
        const key = query.get('sort') === 'updated' ? 'updated' : 'created';
        const dir = query.get('direction') ?? 'desc';
        list = [...list].sort((a, b) => (dir === 'asc' ? a[key] - b[key] : b[key] - a[key]));
        return [200, { __page: list.map(issueJson) }];
      }
      case 'get-issue': {
        const i = issue(m.params[0]);
        return i ? [200, issueJson(i)] : [404, notFound];
      }
      case 'create-issue': {
        if (typeof body['title'] !== 'string' || body['title'] === '') return [422, invalid()];
        if (tooLong(body['body']))
          return [422, invalid({ errors: [{ resource: 'Issue', code: 'custom', field: 'body' }] })];
        const number = issues.length + 1;
        const names = Array.isArray(body['labels']) ? (body['labels'] as string[]) : [];
        for (const l of names) labels.add(l);
        const created: Issue = {
          number,
          title: body['title'],
          body: typeof body['body'] === 'string' ? body['body'] : '',
          state: 'open',
          state_reason: null,
          labels: names,
          comments: [],
          html_url: `https://github.com/${owner}/${repo}/issues/${number}`,
          user: author,
          created: ++clock,
          updated: clock,
        };
        issues.push(created);
        return [201, issueJson(created)];
      }
      case 'update-issue': {
        const i = issue(m.params[0]);
        if (!i) return [404, notFound];
        if (tooLong(body['body']))
          return [422, invalid({ errors: [{ resource: 'Issue', code: 'custom', field: 'body' }] })];
        if (typeof body['title'] === 'string') i.title = body['title'];
        if (typeof body['body'] === 'string') i.body = body['body'];
        if (body['state'] === 'open' || body['state'] === 'closed') {
          i.state = body['state'];
          i.state_reason =
            body['state'] === 'closed' ? str(body['state_reason'], 'completed') : 'reopened';
        }
        i.updated = ++clock;
        return [200, issueJson(i)];
      }
      case 'list-comments': {
        const i = issue(m.params[0]);
        if (!i) return [404, notFound];
        return [200, { __page: i.comments.map((c) => commentJson(c, i)) }];
      }
      case 'create-comment': {
        const i = issue(m.params[0]);
        if (!i) return [404, notFound];
        if (tooLong(body['body']))
          return [422, invalid({ errors: [{ resource: 'Issue', code: 'custom', field: 'body' }] })];
        const id = ++nextComment;
        const c: Comment = {
          id,
          body: str(body['body']),
          html_url: `${i.html_url}#issuecomment-${id}`,
          user: author,
          edits: [str(body['body'])],
        };
        i.comments.push(c);
        i.updated = ++clock;
        return [201, commentJson(c, i)];
      }
      case 'update-comment': {
        const i = issues.find((x) => x.comments.some((y) => y.id === Number(m.params[0])));
        const c = i?.comments.find((x) => x.id === Number(m.params[0]));
        if (!i || !c) return [404, notFound];
        // Only the author may edit a comment (or a maintainer: not these tokens).
        if (c.user.id !== author.id) {
          return [
            403,
            {
              message: 'Resource not accessible by integration',
              documentation_url:
                'https://docs.github.com/rest/issues/comments#update-an-issue-comment',
            },
          ];
        }
        if (tooLong(body['body']))
          return [422, invalid({ errors: [{ resource: 'Issue', code: 'custom', field: 'body' }] })];
        c.body = str(body['body']);
        c.edits.push(c.body);
        return [200, commentJson(c, i)];
      }
      case 'get-label':
        return labels.has(m.params[0] ?? '')
          ? [200, labelJson(m.params[0] ?? '')]
          : [404, notFound];
      case 'create-label': {
        const name = str(body['name']);
        if (labels.has(name))
          return [
            422,
            invalid({ errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }] }),
          ];
        labels.add(name);
        return [201, labelJson(name)];
      }
      case 'list-pull-files': {
        const files = pullFiles.get(Number(m.params[0]));
        if (!files) return [404, notFound];
        return [
          200,
          {
            __page: files.map((f) => ({
              sha: 'f00f00f00f00f00f00f00f00f00f00f00f00f00f',
              additions: 1,
              deletions: 0,
              changes: 1,
              blob_url: `https://github.com/${owner}/${repo}/blob/f00/${f.filename}`,
              raw_url: `https://github.com/${owner}/${repo}/raw/f00/${f.filename}`,
              contents_url: `${api()}/contents/${f.filename}?ref=f00`,
              ...f,
            })),
          },
        ];
      }
      case 'get-content': {
        const text = commits.get(query.get('ref') ?? '')?.get(m.params[0] ?? '');
        if (text === undefined) return [404, notFound];
        const content = Buffer.from(text).toString('base64');
        const path = m.params[0] ?? '';
        const self = `${api()}/contents/${path}?ref=${query.get('ref') ?? ''}`;
        const git = `${api()}/git/blobs/b10b`;
        const html = `https://github.com/${owner}/${repo}/blob/${query.get('ref') ?? ''}/${path}`;
        return [
          200,
          {
            type: 'file',
            encoding: 'base64',
            size: Buffer.byteLength(text),
            name: path.split('/').pop(),
            path,
            content: content.replace(/(.{60})/g, '$1\n'),
            sha: 'b10b',
            url: self,
            git_url: git,
            html_url: html,
            download_url: `https://raw.githubusercontent.com/${owner}/${repo}/${query.get('ref') ?? ''}/${path}`,
            _links: { self, git, html },
          },
        ];
      }
      default:
        return [404, notFound];
    }
  }

  const violations: string[] = [];
  const loopback = await listenLoopback((req, res) => {
    void (async () => {
      const u = new URL(req.url ?? '/', url);
      const method = req.method ?? 'GET';
      const m = match(method, u.pathname, owner, repo);
      requests.push({ method, path: `${u.pathname}${u.search}`, route: m.route });
      const text = method === 'GET' ? '' : await readText(req);
      let body: Record<string, unknown> | undefined;
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      } catch {
        violations.push(`${method} ${u.pathname}: a request body that is not JSON`);
      }
      const checked = checkRequest(method, u, body);
      violations.push(...checked.violations);
      const reply = answerer(res, checked.route);
      const [low, high] = latency;
      await new Promise((r) => setTimeout(r, low + Math.random() * (high - low)));
      respond({ m, u, method, body: body ?? {}, token: tokenOf(req), reply });
    })().catch((error: unknown) => {
      send(res, 500, { message: String(error) });
    });
  });

  /** Answers, holding each answer to GitHub's description unless the fault is exempt from it. */
  function answerer(res: ServerResponse, operation: Operation | undefined) {
    return (status: number, data: unknown, headers?: Record<string, string>, exempt?: string) => {
      if (!exempt) violations.push(...checkResponse(operation, status, data));
      send(res, status, data, headers);
    };
  }

  const tokenOf = (req: IncomingMessage): string =>
    /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';

  function respond(call: {
    m: Matched;
    u: URL;
    method: string;
    body: Record<string, unknown>;
    token: string;
    reply: (
      status: number,
      data: unknown,
      headers?: Record<string, string>,
      exempt?: string,
    ) => void;
  }): void {
    const { m, u, method, body, token, reply } = call;
    const author = authors[token];
    if (!author) {
      reply(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      return;
    }
    if (method === 'GET' && u.pathname === '/user') {
      // An installation token is no user: GitHub refuses it this endpoint.
      if (token.startsWith('ghs_')) {
        reply(403, {
          message: 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
        });
      } else {
        reply(200, privateUserJson(author));
      }
      return;
    }
    if (method === 'POST' && u.pathname === '/graphql') {
      const query = str(body['query']);
      if (/viewer\s*\{\s*login(\s+databaseId)?\s*\}/.test(query)) {
        const login = viewer.botSuffix ? author.login : author.login.replace(/\[bot\]$/, '');
        const id =
          viewer.databaseId && query.includes('databaseId') ? { databaseId: author.id } : {};
        reply(200, { data: { viewer: { login, ...id } } });
      } else {
        reply(200, { errors: [{ message: 'not in this stand-in' }] });
      }
      return;
    }
    if (token === tokens.readOnly && method !== 'GET') {
      reply(403, {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/issues/issues#create-an-issue',
      });
      return;
    }
    if (m.route !== 'other' && endless.has(m.route)) {
      // An empty page that links the next, whatever page was asked for.
      const q = new URLSearchParams(u.searchParams);
      q.set('page', String((Number(q.get('page')) || 1) + 1));
      reply(200, [], { link: `<${url}${u.pathname}?${q.toString()}>; rel="next"` });
      return;
    }
    const fault = faults.find((f) => f.route === m.route && (f.times ?? 1) > 0);
    if (fault) fault.times = (fault.times ?? 1) - 1;
    if (fault && fault.status >= 300 && fault.status < 400) {
      // A proxy or a moved repository: a redirect to somewhere else, the request not carried out.
      reply(
        fault.status,
        undefined,
        { location: fault.location ?? `${url}/login` },
        fault.contractExempt,
      );
      return;
    }
    if (fault && !fault.carryOut) {
      const secondary = fault.retryAfter !== undefined;
      reply(
        fault.status,
        {
          message: fault.message ?? (secondary ? SECONDARY : `fault ${fault.status}`),
          // GitHub's 422 (validation-error) always links its documentation.
          ...(fault.status === 422 ? { documentation_url: 'https://docs.github.com/rest' } : {}),
        },
        { ...(secondary ? { 'retry-after': String(fault.retryAfter) } : {}), ...fault.headers },
        fault.contractExempt,
      );
      return;
    }
    const [status, data, headers] = handle(m, body, u.searchParams, author);
    if (fault) {
      reply(
        fault.status,
        { message: fault.message ?? `fault ${fault.status}` },
        {},
        fault.contractExempt,
      );
      return;
    }
    const paged = (data as { __page?: unknown[] } | null)?.__page;
    if (paged) page(reply, u.searchParams, paged, u.pathname);
    else reply(status, data, headers);
  }

  url = loopback.url;
  const held = { violations };
  unreported.add(held);

  return {
    url,
    owner,
    repo,
    tokens,
    latency,
    issues,
    labels,
    requests,
    fail: (fault) => void faults.push({ ...fault }),
    commits,
    addPullRequest(title, files = []) {
      const number = issues.length + 1;
      pullFiles.set(number, files);
      issues.push({
        number,
        title,
        body: '',
        state: 'open',
        state_reason: null,
        labels: [],
        comments: [],
        html_url: `https://github.com/${owner}/${repo}/pull/${number}`,
        user: { login: 'octocat', type: 'User', id: 583231 },
        pull_request: { url: `${url}/repos/${owner}/${repo}/pulls/${number}` },
        created: ++clock,
        updated: clock,
      });
      return number;
    },
    authorOf: (token) => authors[token] ?? { login: 'ghost', type: 'User', id: 10137 },
    viewer,
    endless,
    violations,
    async close() {
      await loopback.close();
      unreported.delete(held);
      if (violations.length > 0) {
        throw new Error(
          `The loopback GitHub saw requests or gave answers GitHub's REST description refuses:\n${violations.join('\n')}`,
        );
      }
    },
  };
}
