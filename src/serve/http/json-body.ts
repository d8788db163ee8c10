/**
 * A request's JSON body: at most `limit` bytes (413 past it, without reading the rest), valid
 * JSON (400), and valid against the route's zod schema (400 naming the path, what was expected
 * and what was found — the workflow's phrasing of zod's issues).
 */
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { expectedPhrase, formatPath, fromZodIssues } from '../../workflow/index.js';
import { ApiError } from './api-error.js';

export const BODY_LIMIT_BYTES = 16 * 1024;

export async function readJsonBody<T extends z.ZodType>(
  request: IncomingMessage,
  schema: T,
  limit = BODY_LIMIT_BYTES,
): Promise<z.output<T>> {
  const text = await readRawBody(request, limit);
  let value: unknown;
  try {
    value = text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    throw new ApiError(400, 'INVALID_REQUEST', 'the body is not JSON', {
      path: '(body)',
      expected: 'a JSON object',
      found: 'text that is not JSON',
    });
  }
  const result = schema.safeParse(value, { reportInput: true, error: expectedPhrase });
  if (result.success) return result.data;
  const issues = fromZodIssues(result.error.issues).map((issue) => ({
    path: formatPath(issue.path),
    expected: issue.expected,
    ...(issue.found === undefined ? {} : { found: issue.found }),
  }));
  const first = issues[0];
  throw new ApiError(
    400,
    'INVALID_REQUEST',
    first === undefined
      ? 'invalid request body'
      : `${first.path}: expected ${first.expected}${first.found === undefined ? '' : `, found ${first.found}`}`,
    { ...first, issues },
  );
}

/**
 * The body as received, decoded as UTF-8 and nothing else (the chat platforms sign the raw
 * bytes): at most `limit` bytes, 413 past it without reading the rest.
 */
export async function readRawBody(request: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'BODY_TOO_LARGE', `the body is larger than ${limit} bytes`, {
    expected: `at most ${limit} bytes`,
  });
}
