/**
 * The patch-night page of `drainctl serve` and the static run report, in headless Chromium
 * against the emulator: the page follows a run from start to finish without a reload, an
 * operator's abort stops the run safely, a viewer gets no abort button (and the API refuses),
 * and the report of a finished run shows every server. Screenshots go to test/browser/screenshots.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { formToken } from '#src/serve/page/session.js';
import { browserPerFile, SCREENSHOTS } from '#support/chromium.js';
import {
  drainctl,
  endState,
  journal,
  NODES,
  runEnvPerTest,
  waitForEntry,
} from '#support/rollout-on-emulator.js';
import { type ServeProcess, startServeProcess, TOKENS } from '#support/serve-process.js';

const runEnv = runEnvPerTest();
const browser = browserPerFile();

async function loggedIn(
  chrome: Browser,
  serve: ServeProcess,
  role: keyof typeof TOKENS,
  viewport = { width: 1280, height: 900 },
): Promise<Page> {
  const context = await chrome.newContext({ viewport, colorScheme: 'light' });
  const page = await context.newPage();
  await page.goto(`${serve.url}/`);
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.fill('#token', TOKENS[role]);
  await page.click('button[type=submit]');
  await page.waitForURL(`${serve.url}/`);
  const cookies = await context.cookies();
  // The session, and the login form's own cookie (for /login only, against login CSRF).
  expect(cookies.find((cookie) => cookie.name === 'drainctl_token')).toMatchObject({
    httpOnly: true,
    sameSite: 'Strict',
  });
  expect(cookies.every((cookie) => cookie.httpOnly && cookie.sameSite === 'Strict')).toBe(true);
  return page;
}

async function startRun(serve: ServeProcess): Promise<string> {
  const started = await serve.request('POST', '/api/runs', {
    token: 'operator',
    body: { workflow: 'three' },
  });
  expect(started.status).toBe(202);
  return String(started.json.runId);
}

describe('the patch-night page', () => {
  it('follows a run from start to finish without a reload; the report shows every server', async () => {
    const env = await runEnv({ waitSeconds: 3 });
    const serve = await startServeProcess(env);
    const page = await loggedIn(await browser(), serve, 'operator');
    const runId = await startRun(serve);
    await page.goto(`${serve.url}/runs/${runId}`);
    // Set once; a reload would lose it.
    await page.evaluate('window.kept = 42');
    await page.waitForSelector('tr[data-state="draining"]', { timeout: 60_000 });
    await page.waitForSelector('li.current[aria-current="step"]');
    expect(await page.textContent('tr[data-server="i-emu-web-3"]')).toContain('100 (when planned)');
    await page.screenshot({ path: join(SCREENSHOTS, 'run-page-draining.png') });
    await page.waitForSelector('[data-outcome="completed"]', { timeout: 120_000 });
    expect(await page.evaluate('window.kept')).toBe(42);
    for (const id of NODES) {
      expect(await page.getAttribute(`tr[data-server="${id}"]`, 'data-state')).toBe('done');
    }
    expect(await page.locator('svg.gantt g.row').count()).toBe(NODES.length);
    expect(await page.locator('form.abort').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'run-page-completed.png'), fullPage: true });

    const phone = await page.context().newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${serve.url}/runs/${runId}`);
    // Nothing wider than the phone but the chart's own scroll box.
    const overflow = await phone.evaluate(
      'document.documentElement.scrollWidth - window.innerWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: join(SCREENSHOTS, 'run-page-mobile.png') });

    // The list of runs: state, workflow, who started it.
    await page.goto(`${serve.url}/`);
    const row = page.locator(`tr[data-run="${runId}"]`);
    expect(await row.textContent()).toMatch(/completed.*crash-three.*api:ops/);

    // The static report of the finished run, from the journal alone.
    const file = join(env.dir, 'report.html');
    const report = await drainctl(env, ['report', runId, '--html', file]);
    expect(report.code).toBe(0);
    const html = await readFile(file, 'utf8');
    expect(html).not.toMatch(/<(link|img|script|iframe)\b|\bsrc=|url\(http/);
    await page.goto(`file://${file}`);
    for (const id of NODES) {
      expect(await page.getAttribute(`tr[data-server="${id}"]`, 'data-state')).toBe('done');
      expect(await page.locator(`svg.gantt g.row[data-server="${id}"] rect.bar`).count()).toBe(7);
    }
    expect(await page.textContent('[data-outcome]')).toBe('completed');
    await page.screenshot({ path: join(SCREENSHOTS, 'report.png'), fullPage: true });
    const json = await drainctl(env, ['report', runId, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ runId, outcome: 'completed' });

    serve.child.kill('SIGTERM');
    expect((await serve.done).code).toBe(0);
  }, 180_000);

  it("stops a run on an operator's abort, confirmed: every server ends serving", async () => {
    const env = await runEnv({ waitSeconds: 30 });
    const serve = await startServeProcess(env);
    const page = await loggedIn(await browser(), serve, 'operator');
    const runId = await startRun(serve);
    await page.goto(`${serve.url}/runs/${runId}`);
    await page.waitForSelector('tr[data-state="draining"]', { timeout: 60_000 });
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await page.click('form.abort button');
    await page.waitForSelector('[data-outcome="halted"]', { timeout: 60_000 });
    expect(asked).toContain(`Abort run ${runId}?`);
    expect(await journal(env, runId)).toContainEqual(
      expect.objectContaining({ type: 'abort-requested', source: 'drainctl abort (api:ops)' }),
    );
    expect(endState(env).weights).toEqual(Object.fromEntries(NODES.map((id) => [id, 100])));
    await page.screenshot({ path: join(SCREENSHOTS, 'run-page-aborted.png'), fullPage: true });
    serve.child.kill('SIGTERM');
    expect((await serve.done).code).toBe(0);
  }, 90_000);

  it('shows a viewer no abort button, and neither the page nor the API lets one abort', async () => {
    const env = await runEnv({ waitSeconds: 30 });
    const serve = await startServeProcess(env);
    const page = await loggedIn(await browser(), serve, 'viewer');
    const runId = await startRun(serve);
    await waitForEntry(env, (e) => e.type === 'result' && String(e.step).includes('node.drain-'));
    await page.goto(`${serve.url}/runs/${runId}`);
    await page.waitForSelector('[data-outcome="running"]');
    expect(await page.locator('form.abort').count()).toBe(0);
    expect(await page.locator('button', { hasText: /abort/i }).count()).toBe(0);

    const api = await serve.request('POST', `/api/runs/${runId}/abort`, { token: 'viewer' });
    expect(api.status).toBe(403);
    const post = (token: string, form: string) =>
      fetch(`${serve.url}/runs/${runId}/abort`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          cookie: `drainctl_token=${token}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ form, confirm: 'yes' }).toString(),
      });
    expect((await post(TOKENS.viewer, formToken(TOKENS.viewer))).status).toBe(403);
    // An operator's cookie without the page's form token (another site's form) changes nothing.
    expect((await post(TOKENS.operator, 'x')).status).toBe(403);
    // Nor does the cookie authorise the API's POSTs.
    const cookieOnly = await fetch(`${serve.url}/api/runs/${runId}/abort`, {
      method: 'POST',
      headers: { cookie: `drainctl_token=${TOKENS.operator}` },
    });
    expect(cookieOnly.status).toBe(401);
    expect((await journal(env, runId)).some((e) => e.type === 'abort-requested')).toBe(false);

    const stop = await serve.request('POST', `/api/runs/${runId}/abort`, { token: 'operator' });
    expect(stop.status).toBe(202);
    await page.waitForSelector('[data-outcome="halted"]', { timeout: 60_000 });
    serve.child.kill('SIGTERM');
    expect((await serve.done).code).toBe(0);
  }, 90_000);
});
