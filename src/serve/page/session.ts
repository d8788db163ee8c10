/**
 * How a browser presents its bearer token: the login form puts it in a cookie, `HttpOnly` (no
 * script reads it) and `SameSite=Strict` (no other site's page sends it), checked like the
 * `Authorization` header. A cookie only ever authorises reading (GET) and the pages' own forms,
 * which also carry a token derived from the session that another site cannot know.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { authenticate } from '../auth/bearer.js';
import type { ApiToken } from '../config/index.js';

export const SESSION_COOKIE = 'drainctl_token';

/**
 * The login form's own cookie: a random value set with the form, whose form token the form
 * carries. Another site's page can post a form to /login but cannot send this cookie
 * (SameSite=Strict) nor know its token, so it cannot log a browser in under its own token.
 */
export const LOGIN_COOKIE = 'drainctl_login';

/** The session cookie's value, if the request has one. */
export function sessionCookie(request: IncomingMessage): string | undefined {
  return cookie(request, SESSION_COOKIE);
}

/** The login form's cookie value, if the request has one. */
export function loginCookie(request: IncomingMessage): string | undefined {
  return cookie(request, LOGIN_COOKIE);
}

/** A cookie's value; a value that is not valid percent-encoding is no cookie (so 401, not 500). */
function cookie(request: IncomingMessage, wanted: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === wanted) {
      let text: string;
      try {
        text = decodeURIComponent(value.join('='));
      } catch {
        return undefined;
      }
      return text === '' ? undefined : text;
    }
  }
  return undefined;
}

/** A fresh login form cookie: the value, and its `Set-Cookie`. */
export function newLoginCookie(request: IncomingMessage): { value: string; setCookie: string } {
  const value = randomBytes(16).toString('hex');
  const secure = request.headers['x-forwarded-proto'] === 'https' ? '; Secure' : '';
  return {
    value,
    setCookie: `${LOGIN_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/login; Max-Age=3600${secure}`,
  };
}

/** The configured token the session cookie holds, compared as a bearer token is. */
export function sessionToken(
  request: IncomingMessage,
  tokens: readonly ApiToken[],
): ApiToken | undefined {
  const value = sessionCookie(request);
  return value === undefined ? undefined : authenticate(`Bearer ${value}`, tokens);
}

/** `Set-Cookie` for a session; `Secure` when the request came through TLS (a proxy says so). */
export function sessionSetCookie(request: IncomingMessage, value: string): string {
  const secure = request.headers['x-forwarded-proto'] === 'https' ? '; Secure' : '';
  return `${SESSION_COOKIE}=${encodeURIComponent(value)}; HttpOnly; SameSite=Strict; Path=/${secure}`;
}

export function sessionClearCookie(): string {
  return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
}

/**
 * The form token of a session: a hash of the session's secret, so a page of this server can
 * embed it and a page of another site cannot compute it.
 */
export function formToken(session: string): string {
  return createHash('sha256').update(`drainctl-form:${session}`).digest('hex');
}

export function formTokenMatches(session: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const expected = Buffer.from(formToken(session));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
