/**
 * The HTTP API on node:http (no framework: a handful of routes, one body format and one auth
 * scheme do not justify a dependency on the path of every request). Each route names the
 * permission it needs; the bearer token is checked before the body is read. Every mutating
 * request is logged with the token's name, and the use case journals it in the run.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import {
  describeUnfinishedRun,
  type RunStatus,
  recentRuns,
  runStatus,
  unfinishedRuns,
} from '../../app/index.js';
import { type Logger, redact } from '../../log/index.js';
import type { SharedStorage } from '../../ports/index.js';
import { authenticate } from '../auth/bearer.js';
import { mayDo, type Permission } from '../auth/roles.js';
import { type ChatEndpoints, isChatPlatform } from '../chat/index.js';
import type { ApiToken } from '../config/index.js';
import { servePage } from '../page/page-routes.js';
import { sessionToken } from '../page/session.js';
import type { RunRegistry } from '../runs/run-registry.js';
import type { ScheduleRoutes } from '../scheduler/schedule-routes.js';
import { ApiError, toApiError } from './api-error.js';
import { readJsonBody } from './json-body.js';
import type { EventStreams } from './sse.js';

export interface ApiServerOptions {
  home: string;
  /** Replicas: runs are read from the database they share. */
  shared?: SharedStorage;
  tokens: readonly ApiToken[];
  runs: RunRegistry;
  streams: EventStreams;
  logger: Logger;
  /** `/metrics`: the text exposition and its content type; undefined: not served. */
  metrics?: { text(): Promise<string>; contentType: string; public: boolean };
  /** `GET /api/schedules` and approvals (src/serve/scheduler). */
  schedules?: ScheduleRoutes;
  /** The `/chat/<platform>` endpoints; undefined: every one answers 404. */
  chat?: ChatEndpoints;
}

/** Who made a request, as runs journal it. */
export function requester(token: ApiToken): string {
  return `api:${token.name}`;
}

interface Context {
  request: IncomingMessage;
  response: ServerResponse;
  params: string[];
  url: URL;
  token: ApiToken | undefined;
}

interface Route {
  method: 'GET' | 'POST';
  path: RegExp;
  /** undefined: no token needed. */
  permission: Permission | undefined | ((options: ApiServerOptions) => Permission | undefined);
  handle(ctx: Context, options: ApiServerOptions): Promise<void>;
}

const RUN_ID = '([^/]+)';
const approveBody = z.strictObject({
  planSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, { error: "the plan's sha256, 64 lower-case hex digits" }),
});
const startBody = z.strictObject({
  workflow: z.string().min(1).max(63),
  newRun: z.boolean().optional(),
});
const emptyBody = z.strictObject({}).optional();
const SCHEDULE = '([^/]+)';

const ROUTES: Route[] = [
  {
    method: 'GET',
    path: /^\/healthz$/,
    permission: undefined,
    async handle({ response }) {
      sendJson(response, 200, { ok: true });
    },
  },
  {
    method: 'GET',
    path: /^\/metrics$/,
    permission: (options) => (options.metrics?.public === true ? undefined : 'read'),
    async handle({ response }, options) {
      if (options.metrics === undefined) throw notFound();
      const text = await options.metrics.text();
      response.writeHead(200, { 'content-type': options.metrics.contentType });
      response.end(text);
    },
  },
  {
    method: 'GET',
    path: /^\/api\/runs$/,
    permission: 'read',
    async handle({ response, url }, options) {
      const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 20) || 20, 1), 100);
      const [runs, left] = await Promise.all([
        recentRuns(options.home, limit, options.shared),
        unfinishedRuns(options.home, options.shared),
      ]);
      const live = new Set(options.runs.runIds());
      sendJson(response, 200, {
        runs: runs.map((run) => runSummary(run, live.has(run.runId))),
        unfinished: left.unfinished.map((run) => ({ ...run, line: describeUnfinishedRun(run) })),
        unreadable: left.unreadable,
      });
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/runs/${RUN_ID}$`),
    permission: 'read',
    async handle({ response, params }, options) {
      const status = await runStatus({
        home: options.home,
        runId: params[0] ?? '',
        ...(options.shared === undefined ? {} : { shared: options.shared }),
      });
      sendJson(response, 200, {
        ...runSummary(status, options.runs.runIds().includes(status.runId)),
        report: status.report,
        ...(status.otherUnfinished ? { otherUnfinished: status.otherUnfinished } : {}),
      });
    },
  },
  {
    method: 'POST',
    path: /^\/api\/runs$/,
    permission: 'operate',
    async handle({ request, response, token }, options) {
      const body = await readJsonBody(request, startBody);
      const by = requester(mustHave(token));
      options.logger.info({ by, workflow: body.workflow }, `start ${body.workflow} asked by ${by}`);
      const { runId } = await options.runs.start(body.workflow, by, body.newRun === true);
      sendJson(response, 202, { runId, workflow: body.workflow, by });
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/api/runs/${RUN_ID}/abort$`),
    permission: 'operate',
    async handle({ request, response, params, token }, options) {
      await readJsonBody(request, emptyBody);
      const runId = params[0] ?? '';
      const by = requester(mustHave(token));
      options.logger.info({ by, runId }, `abort of ${runId} asked by ${by}`);
      const result = await options.runs.abort(runId, by);
      sendJson(response, 202, { runId, by, message: result.message });
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/api/runs/${RUN_ID}/resume$`),
    permission: 'operate',
    async handle({ request, response, params, token }, options) {
      await readJsonBody(request, emptyBody);
      const runId = params[0] ?? '';
      const by = requester(mustHave(token));
      options.logger.info({ by, runId }, `resume of ${runId} asked by ${by}`);
      await options.runs.resume(runId, by);
      sendJson(response, 202, { runId, by });
    },
  },
  // Chat platforms sign their requests instead of sending a token: checked in the handler.
  {
    method: 'POST',
    path: /^\/chat\/(slack|dingtalk|feishu|wecom)$/,
    permission: undefined,
    handle: chat,
  },
  { method: 'GET', path: /^\/chat\/(wecom)$/, permission: undefined, handle: chat },
  {
    method: 'GET',
    path: /^\/api\/schedules$/,
    permission: 'read',
    async handle({ response }, options) {
      sendJson(response, 200, { schedules: await schedulesOf(options).describe() });
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/api/schedules/${SCHEDULE}/approve$`),
    permission: 'approve',
    async handle({ request, response, params, token }, options) {
      const body = await readJsonBody(request, approveBody);
      const by = requester(mustHave(token));
      const name = params[0] ?? '';
      options.logger.info({ by, schedule: name }, `approval for ${name} given by ${by}`);
      sendJson(response, 202, await schedulesOf(options).approve(name, body.planSha256, by));
    },
  },
  {
    method: 'GET',
    path: /^\/api\/events$/,
    permission: 'read',
    async handle({ request, response }, options) {
      options.streams.attach(request, response);
    },
  },
];

async function chat(ctx: Context, options: ApiServerOptions): Promise<void> {
  const platform = ctx.params[0] ?? '';
  if (options.chat === undefined || !isChatPlatform(platform)) throw notFound();
  await options.chat.handle(platform, ctx.request, ctx.response, ctx.url);
}

function runSummary(status: RunStatus, here: boolean) {
  const { report, state } = status;
  return {
    runId: status.runId,
    workflow: report.workflow,
    outcome: report.outcome,
    running: status.running,
    /** Executed by this server (else by a CLI or another server). */
    inThisServer: here,
    startedAt: report.startedAt,
    updatedAt: report.updatedAt,
    ...(state.startedBy === undefined ? {} : { startedBy: state.startedBy }),
    planSha256: report.planSha256,
    summary: report.summary,
  };
}

function schedulesOf(options: ApiServerOptions): ScheduleRoutes {
  if (options.schedules === undefined) throw notFound();
  return options.schedules;
}

function mustHave(token: ApiToken | undefined): ApiToken {
  if (token === undefined) throw new ApiError(401, 'UNAUTHORIZED', 'a bearer token is required');
  return token;
}

function notFound(): ApiError {
  return new ApiError(404, 'NOT_FOUND', 'no such endpoint');
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(redact(body));
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(text);
}

async function dispatch(
  request: IncomingMessage,
  response: ServerResponse,
  options: ApiServerOptions,
): Promise<void> {
  if (await servePage(request, response, options)) return;
  const url = new URL(request.url ?? '/', 'http://drainctl.invalid');
  const matching = ROUTES.map((route) => ({ route, match: route.path.exec(url.pathname) })).filter(
    (candidate) => candidate.match !== null,
  );
  if (matching.length === 0) throw notFound();
  const found = matching.find((candidate) => candidate.route.method === request.method);
  if (found === undefined) {
    response.setHeader('allow', matching.map((candidate) => candidate.route.method).join(', '));
    throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed here`);
  }
  const { route, match } = found;
  const permission =
    typeof route.permission === 'function' ? route.permission(options) : route.permission;
  // A browser's session cookie may read (the pages' event stream), never change anything.
  const token =
    authenticate(request.headers.authorization, options.tokens) ??
    (request.method === 'GET' ? sessionToken(request, options.tokens) : undefined);
  if (permission !== undefined) {
    if (token === undefined) {
      response.setHeader('www-authenticate', 'Bearer realm="drainctl"');
      throw new ApiError(401, 'UNAUTHORIZED', 'a valid bearer token is required');
    }
    if (!mayDo(token.role, permission)) {
      throw new ApiError(
        403,
        'FORBIDDEN',
        `token "${token.name}" (${token.role}) may not ${permission === 'operate' ? 'start, abort or resume runs' : permission}`,
      );
    }
  }
  const params = (match?.slice(1) ?? []).map((part) => decodeURIComponent(part));
  await route.handle({ request, response, params, url, token }, options);
}

export interface RunningApiServer {
  server: Server;
  /** `http://HOST:PORT` as bound (port 0 resolved). */
  url: string;
  /** Stop accepting connections and end idle ones (streams included); resolves once all ended. */
  close(): Promise<void>;
  /** End every connection still open (once nothing it waits for can still happen). */
  dropConnections(): void;
}

export async function startApiServer(
  options: ApiServerOptions,
  listen: { host: string; port: number },
): Promise<RunningApiServer> {
  const server = createServer((request, response) => {
    dispatch(request, response, options).catch((error: unknown) => {
      const api = toApiError(error);
      if (api.status >= 500)
        options.logger.error({ err: error }, `${request.method} ${request.url}: ${api.message}`);
      if (response.headersSent) {
        response.end();
        return;
      }
      // An unread body would otherwise keep the connection busy; this answer ends it.
      if (api.status === 413) response.setHeader('connection', 'close');
      sendJson(response, api.status, {
        error: { code: api.code, message: api.message, ...api.details },
      });
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        options.streams.closeAll();
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
    dropConnections: () => server.closeAllConnections(),
  };
}
