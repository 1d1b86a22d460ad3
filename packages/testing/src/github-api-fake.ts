/**
 * A HAND-MADE FAKE of a small part of the GitHub REST API, as @actions/github's Octokit calls it:
 * - issue comments: list (paged), create, get, update, delete; bodies over 65,536 characters are
 *   refused with 422 as GitHub does
 * - deployments: list (paged; filters sha, ref, task, environment), create, get; deployment
 *   statuses: list (paged, newest first), create (with auto_inactive)
 * - workflow runs: get one (GET /repos/{o}/{r}/actions/runs/{id}) and its environment approvals
 *   (GET /repos/{o}/{r}/actions/runs/{id}/approvals, paged), both seeded by the test
 * - pull requests: get one (GET /repos/{o}/{r}/pulls/{n}), seeded by the test
 * It is the last resort: github.com cannot be reached from these machines, and there is no recorded
 * or official emulator of these endpoints. Shapes follow docs.github.com/rest (the fields our actions
 * read, not every field); anything beyond that, e.g. permissions or rate limits, is not modelled.
 * Every list is paged the same way (per_page, page, Link header), including approvals, whose real
 * paging is not documented. Point Octokit at it with GITHUB_API_URL=<fake.url> (dist runs) or
 * getOctokit(token, { baseUrl: fake.url }).
 */
import type { ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { startHttpServer } from './http-server.js';

export interface FakeUser {
  login: string;
  id: number;
  node_id: string;
  type: 'Bot' | 'User';
  html_url: string;
}

export interface FakeIssueComment {
  id: number;
  node_id: string;
  url: string;
  html_url: string;
  issue_url: string;
  body: string;
  user: FakeUser;
  author_association: string;
  created_at: string;
  updated_at: string;
}

export interface FakeDeployment {
  id: number;
  node_id: string;
  url: string;
  sha: string;
  ref: string;
  task: string;
  payload: unknown;
  original_environment: string;
  environment: string;
  description: string | null;
  creator: FakeUser;
  created_at: string;
  updated_at: string;
  statuses_url: string;
  repository_url: string;
  transient_environment: boolean;
  production_environment: boolean;
}

export type DeploymentState =
  'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';

export interface FakeDeploymentStatus {
  id: number;
  node_id: string;
  url: string;
  state: DeploymentState;
  creator: FakeUser;
  description: string;
  environment: string;
  target_url: string;
  log_url: string;
  environment_url: string;
  created_at: string;
  updated_at: string;
  deployment_url: string;
  repository_url: string;
}

export interface FakeWorkflowRun {
  id: number;
  run_attempt: number;
  head_sha: string;
  event: string;
  status: string;
  html_url: string;
  actor: FakeUser;
  triggering_actor: FakeUser;
  repository_url: string;
}

export interface FakeApproval {
  environments: Array<{ id: number; name: string }>;
  state: 'approved' | 'rejected' | 'pending';
  user: FakeUser;
  comment: string;
  /** Not part of GitHub's answer: which run it belongs to. */
  run_url: string;
}

export interface FakePullRequest {
  id: number;
  number: number;
  state: 'open' | 'closed';
  merged: boolean;
  html_url: string;
  head: { sha: string; ref: string; repo: { full_name: string } };
  base: { sha: string; ref: string; repo: { full_name: string } };
  user: FakeUser;
  url: string;
}

export interface FakeRequest {
  method: string;
  /** Path without the query string, e.g. /repos/o/r/issues/1/comments */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body (undefined when there is none; the raw text if it is not JSON). */
  body: unknown;
  authorization: string | undefined;
  at: number;
}

export interface GitHubApiFakeOptions {
  /** When set, requests must carry `authorization: token <token>` or `Bearer <token>`, else 401. */
  token?: string;
  /** Login that owns what the API creates (default github-actions[bot]). */
  login?: string;
  /** Clock for created_at / updated_at (default: the real one). */
  now?: () => Date;
}

export interface GitHubApiFake {
  /** Base URL to use as GITHUB_API_URL / Octokit baseUrl (no trailing slash). */
  url: string;
  /** Live state; tests may read it and seed it. */
  comments: FakeIssueComment[];
  deployments: FakeDeployment[];
  statuses: FakeDeploymentStatus[];
  runs: FakeWorkflowRun[];
  approvals: FakeApproval[];
  pulls: FakePullRequest[];
  requests: FakeRequest[];
  /** Seeds a workflow run (for its actor and triggering actor). */
  addWorkflowRun(input: {
    owner: string;
    repo: string;
    id: number;
    actor: string;
    triggeringActor?: string;
    attempt?: number;
    headSha?: string;
    event?: string;
  }): FakeWorkflowRun;
  /** Seeds one review of a run's environments, as a required reviewer gives it. */
  addApproval(input: {
    owner: string;
    repo: string;
    runId: number;
    environments: string[];
    login: string;
    state?: 'approved' | 'rejected' | 'pending';
    comment?: string;
  }): FakeApproval;
  /** Seeds a pull request. */
  addPullRequest(input: {
    owner: string;
    repo: string;
    number: number;
    headSha: string;
    state?: 'open' | 'closed';
    headRepo?: string;
    login?: string;
  }): FakePullRequest;
  /**
   * Runs `action` once, just before (or after) the next request whose method and path match: what
   * a concurrent run did in between, e.g. another comment created while ours was being created.
   */
  onNext(when: 'before' | 'after', method: string, path: RegExp, action: () => void): void;
  /** Seeds a comment, e.g. one by a human that an action must not overwrite. */
  addComment(input: {
    owner: string;
    repo: string;
    issueNumber: number;
    body: string;
    login?: string;
  }): FakeIssueComment;
  /** The comments of one issue or pull request, oldest first. */
  commentsOf(owner: string, repo: string, issueNumber: number): FakeIssueComment[];
  /** The statuses of one deployment, newest first (as the API lists them). */
  statusesOf(deploymentId: number): FakeDeploymentStatus[];
  /** Empties comments, deployments, statuses, runs, approvals, pull requests, requests and hooks. */
  reset(): void;
  close(): Promise<void>;
}

const STATES: readonly DeploymentState[] = [
  'error',
  'failure',
  'inactive',
  'in_progress',
  'queued',
  'pending',
  'success',
];
const DOCS = 'https://docs.github.com/rest';

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: unknown[],
  ) {
    super(message);
  }
}

export async function startGitHubApiFake(options: GitHubApiFakeOptions = {}): Promise<GitHubApiFake> {
  const now = options.now ?? (() => new Date());
  const timestamp = () =>
    now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  const ids = { comment: 1_000_000, deployment: 2_000_000, status: 3_000_000 };
  const comments: FakeIssueComment[] = [];
  const deployments: FakeDeployment[] = [];
  const statuses: FakeDeploymentStatus[] = [];
  const runs: FakeWorkflowRun[] = [];
  const approvals: FakeApproval[] = [];
  const pulls: FakePullRequest[] = [];
  const requests: FakeRequest[] = [];
  const hooks: Array<{ when: 'before' | 'after'; method: string; path: RegExp; action: () => void }> = [];
  let api = '';

  const user = (login: string): FakeUser => {
    const id = login === 'github-actions[bot]' ? 41898282 : numberFrom(login);
    return {
      login,
      id,
      node_id: `U_${id}`,
      type: login.endsWith('[bot]') ? 'Bot' : 'User',
      html_url: `https://github.com/${login.replace('[bot]', '')}`,
    };
  };
  const actor = user(options.login ?? 'github-actions[bot]');

  const createComment = (owner: string, repo: string, issue: number, body: string, by = actor) => {
    const id = ++ids.comment;
    const at = timestamp();
    const comment: FakeIssueComment = {
      id,
      node_id: `IC_${id}`,
      url: `${api}/repos/${owner}/${repo}/issues/comments/${id}`,
      html_url: `https://github.com/${owner}/${repo}/pull/${issue}#issuecomment-${id}`,
      issue_url: `${api}/repos/${owner}/${repo}/issues/${issue}`,
      body,
      user: by,
      author_association: by.type === 'Bot' ? 'NONE' : 'MEMBER',
      created_at: at,
      updated_at: at,
    };
    comments.push(comment);
    return comment;
  };
  const commentsOf = (owner: string, repo: string, issue: number) =>
    comments.filter((c) => c.issue_url === `${api}/repos/${owner}/${repo}/issues/${issue}`);
  const findComment = (owner: string, repo: string, id: number) => {
    const comment = comments.find(
      (c) => c.id === id && c.url === `${api}/repos/${owner}/${repo}/issues/comments/${id}`,
    );
    if (!comment) throw new HttpError(404, 'Not Found');
    return comment;
  };
  const findRun = (owner: string, repo: string, id: number) => {
    const run = runs.find((r) => r.id === id && r.repository_url === `${api}/repos/${owner}/${repo}`);
    if (!run) throw new HttpError(404, 'Not Found');
    return run;
  };
  const findDeployment = (owner: string, repo: string, id: number) => {
    const deployment = deployments.find(
      (d) => d.id === id && d.repository_url === `${api}/repos/${owner}/${repo}`,
    );
    if (!deployment) throw new HttpError(404, 'Not Found');
    return deployment;
  };
  const statusesOf = (id: number) =>
    statuses.filter((s) => s.deployment_url.endsWith(`/deployments/${id}`)).sort((a, b) => b.id - a.id);

  const addStatus = (
    deployment: FakeDeployment,
    fields: Partial<FakeDeploymentStatus> & { state: DeploymentState },
  ) => {
    const id = ++ids.status;
    const at = timestamp();
    const status: FakeDeploymentStatus = {
      id,
      node_id: `DES_${id}`,
      url: `${deployment.url}/statuses/${id}`,
      state: fields.state,
      creator: actor,
      description: fields.description ?? '',
      environment: fields.environment ?? deployment.environment,
      target_url: fields.log_url ?? '',
      log_url: fields.log_url ?? '',
      environment_url: fields.environment_url ?? '',
      created_at: at,
      updated_at: at,
      deployment_url: deployment.url,
      repository_url: deployment.repository_url,
    };
    statuses.push(status);
    deployment.updated_at = at;
    return status;
  };

  type Route = [
    method: string,
    pattern: RegExp,
    handle: (m: string[], req: FakeRequest) => [number, unknown],
  ];
  const routes: Route[] = [
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/,
      ([o, r, n]) => [200, commentsOf(o!, r!, Number(n))],
    ],
    [
      'POST',
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/,
      ([o, r, n], req) => [201, createComment(o!, r!, Number(n), commentBody(req.body))],
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/,
      ([o, r, id]) => [200, findComment(o!, r!, Number(id))],
    ],
    [
      'PATCH',
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/,
      ([o, r, id], req) => {
        const comment = findComment(o!, r!, Number(id));
        comment.body = commentBody(req.body);
        comment.updated_at = timestamp();
        return [200, comment];
      },
    ],
    [
      'DELETE',
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/,
      ([o, r, id]) => {
        const comment = findComment(o!, r!, Number(id));
        comments.splice(comments.indexOf(comment), 1);
        return [204, undefined];
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)$/,
      ([o, r, id]) => [200, findRun(o!, r!, Number(id))],
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/approvals$/,
      ([o, r, id]) => {
        const run = findRun(o!, r!, Number(id));
        return [
          200,
          approvals.filter((a) => a.run_url === run.html_url).map(({ run_url: _, ...rest }) => rest),
        ];
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/,
      ([o, r, n]) => {
        const pull = pulls.find(
          (p) => p.number === Number(n) && p.url === `${api}/repos/${o}/${r}/pulls/${n}`,
        );
        if (!pull) throw new HttpError(404, 'Not Found');
        return [200, pull];
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/deployments$/,
      ([o, r], req) => {
        const { sha, ref, task, environment } = req.query;
        const list = deployments
          .filter((d) => d.repository_url === `${api}/repos/${o}/${r}`)
          .filter((d) => (sha === undefined || d.sha === sha) && (ref === undefined || d.ref === ref))
          .filter(
            (d) =>
              (task === undefined || d.task === task) &&
              (environment === undefined || d.environment === environment),
          )
          .sort((a, b) => b.id - a.id);
        return [200, list];
      },
    ],
    [
      'POST',
      /^\/repos\/([^/]+)\/([^/]+)\/deployments$/,
      ([o, r], req) => {
        const body = asObject(req.body);
        const ref = requireString(body, 'ref');
        const environment = optionalString(body, 'environment') ?? 'production';
        const id = ++ids.deployment;
        const at = timestamp();
        const deployment: FakeDeployment = {
          id,
          node_id: `DE_${id}`,
          url: `${api}/repos/${o}/${r}/deployments/${id}`,
          // The real API resolves ref to a commit; a full SHA stands for itself, other refs get a stable fake.
          sha: /^[0-9a-f]{40}$/.test(ref) ? ref : createHash('sha1').update(ref).digest('hex'),
          ref,
          task: optionalString(body, 'task') ?? 'deploy',
          payload: parsePayload(body.payload),
          original_environment: environment,
          environment,
          description: optionalString(body, 'description') ?? null,
          creator: actor,
          created_at: at,
          updated_at: at,
          statuses_url: `${api}/repos/${o}/${r}/deployments/${id}/statuses`,
          repository_url: `${api}/repos/${o}/${r}`,
          transient_environment: body.transient_environment === true,
          production_environment:
            typeof body.production_environment === 'boolean'
              ? body.production_environment
              : environment === 'production',
        };
        deployments.push(deployment);
        return [201, deployment];
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/deployments\/(\d+)$/,
      ([o, r, id]) => [200, findDeployment(o!, r!, Number(id))],
    ],
    [
      'GET',
      /^\/repos\/([^/]+)\/([^/]+)\/deployments\/(\d+)\/statuses$/,
      ([o, r, id]) => [200, statusesOf(findDeployment(o!, r!, Number(id)).id)],
    ],
    [
      'POST',
      /^\/repos\/([^/]+)\/([^/]+)\/deployments\/(\d+)\/statuses$/,
      ([o, r, id], req) => {
        const deployment = findDeployment(o!, r!, Number(id));
        const body = asObject(req.body);
        const state = requireString(body, 'state');
        if (!STATES.includes(state as DeploymentState)) {
          throw new HttpError(422, 'Validation Failed', [
            {
              resource: 'DeploymentStatus',
              code: 'custom',
              field: 'state',
              message: `state is not included in the list`,
            },
          ]);
        }
        const environment = optionalString(body, 'environment');
        if (environment !== undefined) deployment.environment = environment;
        const status = addStatus(deployment, {
          state: state as DeploymentState,
          log_url: optionalString(body, 'log_url') ?? optionalString(body, 'target_url'),
          environment_url: optionalString(body, 'environment_url'),
          description: optionalString(body, 'description'),
        });
        // GitHub's auto_inactive (default true): a success marks earlier successful deployments to
        // the same environment inactive, except production and transient ones.
        if (status.state === 'success' && body.auto_inactive !== false) {
          for (const other of deployments) {
            if (
              other.id !== deployment.id &&
              other.repository_url === deployment.repository_url &&
              other.environment === deployment.environment &&
              !other.production_environment &&
              !other.transient_environment &&
              statusesOf(other.id)[0]?.state === 'success'
            ) {
              addStatus(other, { state: 'inactive' });
            }
          }
        }
        return [201, status];
      },
    ],
  ];

  const runHooks = (when: 'before' | 'after', method: string, path: string) => {
    const index = hooks.findIndex((h) => h.when === when && h.method === method && h.path.test(path));
    if (index < 0) return;
    const [hook] = hooks.splice(index, 1);
    hook?.action();
  };

  const server = await startHttpServer((req, res, text) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const request: FakeRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: parseBody(text),
      authorization: req.headers.authorization,
      at: Date.now(),
    };
    requests.push(request);
    try {
      if (options.token !== undefined) {
        const presented = /^(?:token|bearer)\s+(.+)$/i.exec(request.authorization ?? '')?.[1];
        if (presented !== options.token) throw new HttpError(401, 'Bad credentials');
      }
      const path = request.path.replace(/\/+$/, '');
      runHooks('before', request.method, path);
      let pathMatched = false;
      for (const [method, pattern, handle] of routes) {
        const match = pattern.exec(path);
        if (!match) continue;
        pathMatched = true;
        if (method !== request.method) continue;
        const [status, data] = handle(match.slice(1), request);
        runHooks('after', request.method, path);
        if (Array.isArray(data)) sendPage(res, data, request, url);
        else send(res, status, data);
        return;
      }
      throw new HttpError(pathMatched ? 405 : 404, pathMatched ? 'Method Not Allowed' : 'Not Found');
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      send(res, err.status, {
        message: err.message,
        ...(err.errors ? { errors: err.errors } : {}),
        documentation_url: DOCS,
        status: String(err.status),
      });
    }
  });
  api = server.url;

  const sendPage = (res: ServerResponse, items: unknown[], request: FakeRequest, url: URL) => {
    const perPage = clamp(Number(request.query.per_page ?? 30), 1, 100, 30);
    const page = clamp(Number(request.query.page ?? 1), 1, Number.MAX_SAFE_INTEGER, 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (p: number, rel: string) => {
      const target = new URL(`${api}${url.pathname}${url.search}`);
      target.searchParams.set('per_page', String(perPage));
      target.searchParams.set('page', String(p));
      return `<${target.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    send(
      res,
      200,
      items.slice((page - 1) * perPage, page * perPage),
      links.length ? { link: links.join(', ') } : {},
    );
  };

  return {
    url: server.url,
    comments,
    deployments,
    statuses,
    runs,
    approvals,
    pulls,
    requests,
    addWorkflowRun: ({ owner, repo, id, actor: by, triggeringActor, attempt, headSha, event }) => {
      const run: FakeWorkflowRun = {
        id,
        run_attempt: attempt ?? 1,
        head_sha: headSha ?? createHash('sha1').update(String(id)).digest('hex'),
        event: event ?? 'push',
        status: 'in_progress',
        html_url: `https://github.com/${owner}/${repo}/actions/runs/${id}`,
        actor: user(by),
        triggering_actor: user(triggeringActor ?? by),
        repository_url: `${api}/repos/${owner}/${repo}`,
      };
      runs.push(run);
      return run;
    },
    addApproval: ({ owner, repo, runId, environments, login, state, comment }) => {
      const approval: FakeApproval = {
        environments: environments.map((name) => ({ id: numberFrom(`env:${name}`), name })),
        state: state ?? 'approved',
        user: user(login),
        comment: comment ?? '',
        run_url: `https://github.com/${owner}/${repo}/actions/runs/${runId}`,
      };
      approvals.push(approval);
      return approval;
    },
    addPullRequest: ({ owner, repo, number, headSha, state, headRepo, login }) => {
      const pull: FakePullRequest = {
        id: numberFrom(`pr:${owner}/${repo}#${number}`),
        number,
        state: state ?? 'open',
        merged: false,
        html_url: `https://github.com/${owner}/${repo}/pull/${number}`,
        head: { sha: headSha, ref: `feature-${number}`, repo: { full_name: headRepo ?? `${owner}/${repo}` } },
        base: {
          sha: createHash('sha1').update(`base:${number}`).digest('hex'),
          ref: 'main',
          repo: { full_name: `${owner}/${repo}` },
        },
        user: user(login ?? 'octocat'),
        url: `${api}/repos/${owner}/${repo}/pulls/${number}`,
      };
      pulls.push(pull);
      return pull;
    },
    onNext: (when, method, path, action) => {
      hooks.push({ when, method, path, action });
    },
    addComment: ({ owner, repo, issueNumber, body, login }) =>
      createComment(owner, repo, issueNumber, body, login === undefined ? actor : user(login)),
    commentsOf,
    statusesOf,
    reset() {
      comments.length = 0;
      deployments.length = 0;
      statuses.length = 0;
      runs.length = 0;
      approvals.length = 0;
      pulls.length = 0;
      requests.length = 0;
      hooks.length = 0;
    },
    close: () => server.close(),
  };
}

function send(
  res: ServerResponse,
  status: number,
  data: unknown,
  headers: Record<string, string> = {},
): void {
  if (status === 204) {
    res.writeHead(204, headers);
    res.end();
    return;
  }
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-github-media-type': 'github.v3; format=json',
    ...headers,
  });
  res.end(JSON.stringify(data));
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'Problems parsing JSON');
  }
  return body as Record<string, unknown>;
}

function requireString(body: unknown, field: string): string {
  const value = asObject(body)[field];
  if (typeof value !== 'string') {
    throw new HttpError(422, 'Invalid request.', [
      { field, code: 'missing_field', message: `"${field}" wasn't supplied.` },
    ]);
  }
  return value;
}

/** GitHub's limit on an issue comment, counted here in UTF-16 code units (at least as strict). */
const COMMENT_BODY_LIMIT = 65_536;

function commentBody(body: unknown): string {
  const text = requireString(body, 'body');
  if (text.length > COMMENT_BODY_LIMIT) {
    throw new HttpError(422, 'Validation Failed', [
      {
        resource: 'IssueComment',
        code: 'custom',
        field: 'body',
        message: `body is too long (maximum is ${COMMENT_BODY_LIMIT} characters)`,
      },
    ]);
  }
  return text;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new HttpError(422, 'Invalid request.', [
      { field, code: 'invalid', message: `"${field}" must be a string.` },
    ]);
  }
  return value;
}

/** GitHub stores a payload given as a JSON string as the object it encodes. */
function parsePayload(payload: unknown): unknown {
  if (payload === undefined || payload === null || payload === '') return {};
  if (typeof payload === 'string') {
    try {
      return JSON.parse(payload) as unknown;
    } catch {
      return payload;
    }
  }
  return payload;
}

function clamp(value: number, min: number, max: number, fallback: number): number {
  if (!Number.isInteger(value)) return fallback;
  return Math.min(max, Math.max(min, value));
}

function numberFrom(text: string): number {
  return createHash('sha1').update(text).digest().readUInt32BE(0) % 100_000_000;
}
