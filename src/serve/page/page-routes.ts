/**
 * The pages of `drainctl serve` for people at 3 am: `/` lists the runs, `/runs/:id` shows one
 * run's timeline, servers, gates and runbook (the same rendering as `drainctl report --html`),
 * live through `/api/events`; an operator gets an abort button with a confirmation. Rendered on
 * the server, so everything but the live updates works without JavaScript. A browser logs in at
 * `/login` (session.ts); the pages take the same tokens and roles as the API.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  escapeHtml,
  type RunStatus,
  recentRuns,
  renderDocument,
  renderTimeline,
  runTimeline,
  type Timeline,
} from '../../app/index.js';
import type { Logger } from '../../log/index.js';
import type { SharedStorage } from '../../ports/index.js';
import { authenticate } from '../auth/bearer.js';
import { mayDo } from '../auth/roles.js';
import type { ApiToken } from '../config/index.js';
import { ApiError, toApiError } from '../http/api-error.js';
import { readFormBody } from './form-body.js';
import { PAGE_SCRIPT } from './page-script.js';
import {
  formToken,
  formTokenMatches,
  loginCookie,
  newLoginCookie,
  sessionClearCookie,
  sessionCookie,
  sessionSetCookie,
  sessionToken,
} from './session.js';

export interface PageOptions {
  home: string;
  /** Replicas: runs are read from the database they share. */
  shared?: SharedStorage;
  tokens: readonly ApiToken[];
  logger: Logger;
  runs: {
    abort(runId: string, by: string): Promise<{ message: string }>;
    runIds(): string[];
  };
}

interface Visit {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  options: PageOptions;
  nonce: string;
}

const RUN_PAGE = /^\/runs\/([^/]+)$/;
const RUN_ABORT = /^\/runs\/([^/]+)\/abort$/;

/** Answers a page request; false when the path is not a page (the API's routes take it). */
export async function servePage(
  request: IncomingMessage,
  response: ServerResponse,
  options: PageOptions,
): Promise<boolean> {
  const url = new URL(request.url ?? '/', 'http://drainctl.invalid');
  const path = url.pathname;
  if (!(path === '/' || path === '/login' || path === '/logout' || path.startsWith('/runs/'))) {
    return false;
  }
  const visit: Visit = {
    request,
    response,
    url,
    options,
    nonce: randomBytes(16).toString('base64'),
  };
  try {
    await route(visit, path, request.method ?? 'GET');
  } catch (error) {
    const api = toApiError(error);
    if (api.status >= 500)
      options.logger.error({ err: error }, `${request.method} ${path}: ${api.message}`);
    if (response.headersSent) {
      response.end();
      return true;
    }
    sendPage(
      visit,
      api.status,
      'drainctl: error',
      `<h1>${api.status} ${escapeHtml(api.code)}</h1><p>${escapeHtml(api.message)}</p><p><a href="/">All runs</a></p>`,
    );
  }
  return true;
}

async function route(visit: Visit, path: string, method: string): Promise<void> {
  const run = RUN_PAGE.exec(path)?.[1];
  const abort = RUN_ABORT.exec(path)?.[1];
  if (path === '/login' && method === 'GET') return loginPage(visit, 200);
  if (path === '/login' && method === 'POST') return login(visit);
  if (path === '/logout' && method === 'POST') return logout(visit);
  if (path === '/' && method === 'GET') return runsPage(visit);
  if (run !== undefined && method === 'GET') return runPage(visit, decodeURIComponent(run));
  if (abort !== undefined && method === 'POST') return abortRun(visit, decodeURIComponent(abort));
  if (
    path === '/' ||
    path === '/login' ||
    path === '/logout' ||
    run !== undefined ||
    abort !== undefined
  ) {
    throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here`);
  }
  throw new ApiError(404, 'NOT_FOUND', 'no such page');
}

/** The visitor's token: the session cookie, or a bearer header (a script reading a page). */
function visitor(visit: Visit): ApiToken | undefined {
  return (
    authenticate(visit.request.headers.authorization, visit.options.tokens) ??
    sessionToken(visit.request, visit.options.tokens)
  );
}

function loginPage(visit: Visit, status: number, problem?: string): void {
  const form = newLoginCookie(visit.request);
  visit.response.setHeader('set-cookie', form.setCookie);
  sendPage(
    visit,
    status,
    'drainctl: log in',
    [
      '<h1>drainctl</h1>',
      problem === undefined ? '' : `<p class="notice">${escapeHtml(problem)}</p>`,
      '<form method="post" action="/login">',
      `<input type="hidden" name="form" value="${formToken(form.value)}">`,
      '<p><label for="token">API token</label><br><input id="token" name="token" type="password" autocomplete="current-password" required style="width:100%;max-width:28em"></p>',
      '<p><button type="submit">Log in</button></p>',
      '</form>',
      '<p class="small">The token is one of serve.yaml\'s tokens; its role decides what you may do. It is kept in a cookie only this server reads, until you log out or close the browser.</p>',
    ].join('\n'),
  );
}

async function login(visit: Visit): Promise<void> {
  const form = await readFormBody(visit.request);
  // Only a login form this server gave this browser (login CSRF: another site's form would
  // log the browser in under the other site's token).
  const formCookie = loginCookie(visit.request);
  if (formCookie === undefined || !formTokenMatches(formCookie, form.get('form') ?? undefined)) {
    return loginPage(visit, 403, 'That login form is not one of this server’s: log in again here.');
  }
  const value = form.get('token') ?? '';
  const token = authenticate(`Bearer ${value}`, visit.options.tokens);
  if (token === undefined) return loginPage(visit, 401, "That token is not one of this server's.");
  visit.options.logger.info({ by: `api:${token.name}` }, `page login by api:${token.name}`);
  visit.response.setHeader('set-cookie', sessionSetCookie(visit.request, value));
  redirect(visit, '/');
}

async function logout(visit: Visit): Promise<void> {
  const form = await readFormBody(visit.request);
  const session = sessionCookie(visit.request);
  if (session !== undefined && !formTokenMatches(session, form.get('form') ?? undefined)) {
    throw new ApiError(
      403,
      'FORBIDDEN',
      "the form is not one of this server's pages for your session",
    );
  }
  visit.response.setHeader('set-cookie', sessionClearCookie());
  redirect(visit, '/login');
}

/** Who is looking, or a redirect to the login form (then undefined). */
function mustLogIn(visit: Visit): ApiToken | undefined {
  const token = visitor(visit);
  if (token === undefined) redirect(visit, '/login');
  return token;
}

async function runsPage(visit: Visit): Promise<void> {
  const token = mustLogIn(visit);
  if (token === undefined) return;
  const runs = await recentRuns(visit.options.home, 50, visit.options.shared);
  const live = new Set(visit.options.runs.runIds());
  const part = runsTable(runs, live);
  if (visit.url.searchParams.get('part') === 'live') return sendPart(visit, part);
  sendPage(
    visit,
    200,
    'drainctl: runs',
    `<h1>Runs</h1><div id="live" data-part="/?part=live">${part}</div>`,
    token,
  );
}

function runsTable(runs: readonly RunStatus[], live: ReadonlySet<string>): string {
  if (runs.length === 0) return '<p>No runs yet.</p>';
  const rows = runs.map((run) => {
    const outcome = run.report.outcome;
    const by = run.state.startedBy ?? 'a terminal (drainctl run)';
    return `<tr data-run="${escapeHtml(run.runId)}"><td data-label="run"><a href="/runs/${encodeURIComponent(run.runId)}">${escapeHtml(run.runId)}</a></td><td data-label="state"><span class="outcome outcome-${escapeHtml(outcome)}">${escapeHtml(outcome)}</span>${live.has(run.runId) ? ' <span class="small">(in this server)</span>' : ''}</td><td data-label="workflow">${escapeHtml(run.report.workflow)}</td><td data-label="started by">${escapeHtml(by)}</td><td data-label="started">${escapeHtml(run.report.startedAt)}</td><td data-label="summary">${escapeHtml(run.report.summary)}</td></tr>`;
  });
  return `<table class="servers"><thead><tr><th>run</th><th>state</th><th>workflow</th><th>started by</th><th>started</th><th>summary</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

async function runPage(visit: Visit, runId: string): Promise<void> {
  const token = mustLogIn(visit);
  if (token === undefined) return;
  const timeline = await runTimeline({
    home: visit.options.home,
    runId,
    ...(visit.options.shared === undefined ? {} : { shared: visit.options.shared }),
  });
  const part = runPart(timeline, token, visit);
  if (visit.url.searchParams.get('part') === 'live') return sendPart(visit, part);
  const self = `/runs/${encodeURIComponent(timeline.runId)}`;
  sendPage(
    visit,
    200,
    `drainctl: ${timeline.workflow.name} ${timeline.runId}`,
    `<div id="live" data-run="${escapeHtml(timeline.runId)}" data-part="${self}?part=live">${part}</div>`,
    token,
  );
}

/** The part of a run's page that live updates replace: the abort form and the timeline. */
function runPart(timeline: Timeline, token: ApiToken, visit: Visit): string {
  const session = sessionCookie(visit.request);
  const canAbort =
    mayDo(token.role, 'operate') && timeline.outcome === 'running' && session !== undefined;
  const abort = canAbort
    ? [
        `<form class="abort" method="post" action="/runs/${encodeURIComponent(timeline.runId)}/abort" data-confirm="Abort run ${escapeHtml(timeline.runId)}? It stops after its current step; drains in progress are undone and every server ends serving or named.">`,
        `<input type="hidden" name="form" value="${formToken(session)}">`,
        '<input type="hidden" name="confirm" value="">',
        timeline.abortRequested === undefined
          ? '<button type="submit" class="danger">Abort this run</button>'
          : `<p class="notice">Stopping (abort requested by ${escapeHtml(timeline.abortRequested)}).</p>`,
        '</form>',
      ].join('')
    : '';
  return `${abort}${renderTimeline(timeline)}`;
}

async function abortRun(visit: Visit, runId: string): Promise<void> {
  const form = await readFormBody(visit.request);
  // Only the session cookie with its form token: a bearer client has the API.
  const session = sessionCookie(visit.request);
  const token = sessionToken(visit.request, visit.options.tokens);
  if (session === undefined || token === undefined) {
    throw new ApiError(401, 'UNAUTHORIZED', 'log in first (/login)');
  }
  if (!formTokenMatches(session, form.get('form') ?? undefined)) {
    throw new ApiError(
      403,
      'FORBIDDEN',
      "the form is not one of this server's pages for your session",
    );
  }
  if (!mayDo(token.role, 'operate')) {
    throw new ApiError(
      403,
      'FORBIDDEN',
      `token "${token.name}" (${token.role}) may not start, abort or resume runs`,
    );
  }
  const self = `/runs/${encodeURIComponent(runId)}`;
  if (form.get('confirm') !== 'yes') {
    // Without JavaScript the confirmation is a page of its own.
    return sendPage(
      visit,
      200,
      `drainctl: abort ${runId}?`,
      [
        `<h1>Abort run <code>${escapeHtml(runId)}</code>?</h1>`,
        '<p>It stops after its current step; drains in progress are undone and every server ends serving or named.</p>',
        `<form method="post" action="${self}/abort"><input type="hidden" name="form" value="${formToken(session)}"><input type="hidden" name="confirm" value="yes"><button type="submit" class="danger">Abort the run</button> <a href="${self}">No, back to the run</a></form>`,
      ].join('\n'),
      token,
    );
  }
  const by = `api:${token.name}`;
  visit.options.logger.info({ by, runId }, `abort of ${runId} asked by ${by} (page)`);
  await visit.options.runs.abort(runId, by);
  redirect(visit, self);
}

function sendPage(
  visit: Visit,
  status: number,
  title: string,
  body: string,
  token?: ApiToken,
): void {
  const session = sessionCookie(visit.request);
  const logout =
    token === undefined || session === undefined
      ? ''
      : `<form class="inline" method="post" action="/logout"><input type="hidden" name="form" value="${formToken(session)}"><button type="submit">Log out</button></form>`;
  const header = `<header class="top"><a href="/"><strong>drainctl</strong></a><span class="small">${token === undefined ? '' : `${escapeHtml(token.name)} (${token.role})`}</span>${logout}</header>`;
  const html = renderDocument({ title, header, body, script: PAGE_SCRIPT, nonce: visit.nonce });
  visit.response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; script-src 'nonce-${visit.nonce}'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  visit.response.end(html);
}

function sendPart(visit: Visit, html: string): void {
  visit.response.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  visit.response.end(html);
}

function redirect(visit: Visit, location: string): void {
  visit.response.writeHead(303, { location, 'cache-control': 'no-store' });
  visit.response.end();
}
