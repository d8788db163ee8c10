/**
 * Debian's chromium, driven headless by playwright-core (which never downloads a browser). A
 * machine without it fails the test, saying what installs it: a browser test that skipped would
 * pass without testing anything.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll } from 'vitest';

/** Where the browser tests save their screenshots (git-ignored). */
export const SCREENSHOTS = join(import.meta.dirname, '..', 'browser', 'screenshots');

export function chromiumPath(): string {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      "chromium is not installed: the browser tests need Debian's chromium (`apt-get install -y chromium`; .ci/run installs it)",
    );
  }
}

/** One headless browser per test file, closed after it. */
export function browserPerFile(): () => Promise<Browser> {
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  });
  return async () => {
    browser ??= await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
    return browser;
  };
}
