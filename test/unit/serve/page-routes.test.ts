/**
 * The pages' login and logout forms over HTTP on loopback: a login or logout needs a form this
 * server gave the browser (login CSRF), and a cookie that is not valid percent-encoding is no
 * session (a login, not a 500).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '#src/log/index.js';
import { type ApiToken, sha256Of } from '#src/serve/config/index.js';
import { servePage } from '#src/serve/page/page-routes.js';

const TOKEN = 'ops-token-0123456789';
const tokens: ApiToken[] = [{ name: 'ops', role: 'operator', sha256: sha256Of(TOKEN) }];

let home: string;
let server: Server;
let base: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'drainctl-page-'));
  const options = {
    home,
    tokens,
    logger: createLogger({ level: 'silent' }),
    runs: { abort: async () => ({ message: 'stopping' }), runIds: () => [] },
  };
  server = createServer((request, response) => {
    void servePage(request, response, options).then((served) => {
      if (!served) response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(home, { recursive: true, force: true });
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function post(path: string, form: Record<string, string>, cookie?: string) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...FORM, ...(cookie === undefined ? {} : { cookie }) },
    body: new URLSearchParams(form).toString(),
  });
}

/** The login form as a browser gets it: its cookie and its form token. */
async function loginForm() {
  const page = await fetch(`${base}/login`);
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const form = /name="form" value="([0-9a-f]+)"/.exec(await page.text())?.[1] ?? '';
  return { cookie, form };
}

describe('the login form', () => {
  it('logs in through a form this server gave the browser', async () => {
    const { cookie, form } = await loginForm();
    expect(cookie).toMatch(/^drainctl_login=[0-9a-f]{32}$/);
    const answer = await post('/login', { token: TOKEN, form }, cookie);
    expect(answer.status).toBe(303);
    expect(answer.headers.get('set-cookie')).toContain('drainctl_token=');
  });

  it("refuses a login posted by another site's page (no login cookie, or not its form token)", async () => {
    const { cookie, form } = await loginForm();
    for (const [fields, sent] of [
      [{ token: TOKEN }, undefined],
      [{ token: TOKEN, form }, undefined],
      [{ token: TOKEN }, cookie],
      [{ token: TOKEN, form: 'f'.repeat(64) }, cookie],
    ] as const) {
      const answer = await post('/login', fields, sent);
      expect(answer.status).toBe(403);
      expect(answer.headers.get('set-cookie') ?? '').not.toContain('drainctl_token=');
    }
  });
});

describe('logout', () => {
  it("needs the session's form token", async () => {
    const session = `drainctl_token=${TOKEN}`;
    const forged = await post('/logout', {}, session);
    expect(forged.status).toBe(403);
    expect(forged.headers.get('set-cookie')).toBeNull();
    const page = await fetch(`${base}/`, { headers: { cookie: session } });
    const form = /action="\/logout"><input type="hidden" name="form" value="([0-9a-f]+)"/.exec(
      await page.text(),
    )?.[1];
    expect(form).toBeDefined();
    const done = await post('/logout', { form: form ?? '' }, session);
    expect(done.status).toBe(303);
    expect(done.headers.get('set-cookie')).toContain('Max-Age=0');
  });
});

describe('a malformed session cookie', () => {
  it('is no session: the login page, not a 500', async () => {
    const answer = await fetch(`${base}/`, {
      redirect: 'manual',
      headers: { cookie: 'drainctl_token=%E0%A4%A' },
    });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/login');
  });
});
