/**
 * The emulator's one HTTP endpoint: `/__emulator/*` goes to the admin routes, everything else is
 * an API call (GET or POST, query and form body merged) for the dispatcher.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ADMIN_PREFIX, type AdminApi, handleAdmin } from './admin-routes.js';
import type { Dispatcher } from './api-dispatch.js';
import { newRequestId, readBody, sendJson } from './http-io.js';
import { decodePairs } from './signature/percent-encode.js';

export function createEmulatorServer(dispatch: Dispatcher, admin: AdminApi): Server {
  const server = createServer((req, res) => {
    handle(req, res, dispatch, admin).catch((error: unknown) => {
      if (!res.headersSent) {
        sendJson(res, {
          status: 400,
          body: { error: error instanceof Error ? error.message : String(error) },
        });
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  return server;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  dispatch: Dispatcher,
  admin: AdminApi,
): Promise<void> {
  const url = req.url ?? '/';
  const questionMark = url.indexOf('?');
  const path = questionMark < 0 ? url : url.slice(0, questionMark);
  const rawQuery = questionMark < 0 ? '' : url.slice(questionMark + 1);
  const method = req.method ?? 'GET';
  const body = await readBody(req);
  if (path.startsWith(ADMIN_PREFIX)) {
    sendJson(res, await handleAdmin(method, path, body, admin));
    return;
  }
  const contentType = String(req.headers['content-type'] ?? '');
  const form = contentType.includes('application/x-www-form-urlencoded')
    ? decodePairs(body.toString('utf8'))
    : [];
  const response = await dispatch(
    { method, path, query: decodePairs(rawQuery), form, headers: req.headers, body },
    newRequestId(),
  );
  sendJson(res, response);
}
