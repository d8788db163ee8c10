/**
 * The body of a page's form (`application/x-www-form-urlencoded`), at most 4 KiB: a login
 * token, a form token, a confirmation.
 */
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../http/api-error.js';

const MAX_BYTES = 4096;

export async function readFormBody(request: IncomingMessage): Promise<URLSearchParams> {
  const type = request.headers['content-type'] ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) {
    throw new ApiError(
      400,
      'INVALID_REQUEST',
      `expected a form (application/x-www-form-urlencoded), found "${type}"`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BYTES)
      throw new ApiError(413, 'BODY_TOO_LARGE', `a form is at most ${MAX_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
