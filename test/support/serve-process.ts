// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the syntax for environment references
/**
 * `drainctl serve` as a real process on port 0 beside a rollout environment
 * (rollout-on-emulator.ts): a serve.yaml with the environment's workflow in the catalog and an
 * operator, a viewer and an approver token; requests with or without a token; the server's
 * event stream read line by line. Every server a test starts is stopped after it.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, vi } from 'vitest';
import type { CliRun } from './cli-runner.js';
import { type RunEnv, spawnDrainctl } from './rollout-on-emulator.js';

export const TOKENS = {
  operator: 'operator-token-for-tests-0123456789',
  viewer: 'viewer-token-for-tests-0123456789',
  approver: 'approver-token-for-tests-0123456789',
} as const;

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  done: Promise<CliRun>;
  /** stdout so far. */
  stdout(): string;
  /** A request; `token` is a role's token or a literal one. */
  request(
    method: string,
    path: string,
    options?: { token?: keyof typeof TOKENS | string; body?: unknown; raw?: string },
  ): Promise<{ status: number; json: Record<string, unknown>; text: string }>;
}

export function serveYaml(extra = ''): string {
  return [
    'catalog:',
    '  three: ./crash-three.yaml',
    'tokens:',
    '  - { name: ops, role: operator, token: "${SERVE_OPERATOR_TOKEN}" }',
    '  - { name: watcher, role: viewer, token: "${SERVE_VIEWER_TOKEN}" }',
    '  - { name: boss, role: approver, token: "${SERVE_APPROVER_TOKEN}" }',
    extra,
  ].join('\n');
}

const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

/** Start `drainctl serve` for `env`; resolves once it printed its listening line. */
export async function startServeProcess(env: RunEnv, yaml = serveYaml()): Promise<ServeProcess> {
  const config = join(env.dir, 'serve.yaml');
  await writeFile(config, yaml);
  const extended = {
    ...env,
    env: {
      ...env.env,
      SERVE_OPERATOR_TOKEN: TOKENS.operator,
      SERVE_VIEWER_TOKEN: TOKENS.viewer,
      SERVE_APPROVER_TOKEN: TOKENS.approver,
      DRAINCTL_LOG_LEVEL: 'info',
    },
  };
  const { child, done } = spawnDrainctl(extended, ['serve', '--config', config, '--port', '0']);
  running.add(child);
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  let exited: CliRun | undefined;
  done.then((run) => {
    exited = run;
    running.delete(child);
  });
  const url = await vi.waitUntil(
    () => {
      const line = /^listening=(\S+)$/m.exec(out)?.[1];
      if (line !== undefined) return line;
      if (exited !== undefined) {
        throw new Error(`drainctl serve exited (${exited.code}): ${exited.stderr}`);
      }
      return undefined;
    },
    { timeout: 30_000, interval: 50 },
  );
  return {
    url,
    child,
    done,
    stdout: () => out,
    async request(method, path, options = {}) {
      const token =
        options.token === undefined
          ? undefined
          : (TOKENS[options.token as keyof typeof TOKENS] ?? options.token);
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
          ...(options.body === undefined && options.raw === undefined
            ? {}
            : { 'content-type': 'application/json' }),
        },
        ...(options.raw !== undefined
          ? { body: options.raw }
          : options.body === undefined
            ? {}
            : { body: JSON.stringify(options.body) }),
      });
      const text = await response.text();
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // /metrics and errors of a proxy are not JSON: the text is there.
      }
      return { status: response.status, json, text };
    },
  };
}

/** The server's event stream: events as they arrive, parsed. */
export async function openEventStream(
  serve: ServeProcess,
  token: keyof typeof TOKENS = 'viewer',
): Promise<{ events: Array<{ event: string; data: Record<string, unknown> }>; close(): void }> {
  const controller = new AbortController();
  const response = await fetch(`${serve.url}/api/events`, {
    headers: { authorization: `Bearer ${TOKENS[token]}` },
    signal: controller.signal,
  });
  if (response.status !== 200 || response.body === null) {
    throw new Error(`event stream: ${response.status}`);
  }
  const events: Array<{ event: string; data: Record<string, unknown> }> = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = response.body.getReader();
  (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event !== undefined && data !== undefined) {
          events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
        }
        end = buffer.indexOf('\n\n');
      }
    }
  })().catch(() => undefined);
  return { events, close: () => controller.abort() };
}

/**
 * One JSON request to a server's API with one of the tests' tokens: what the in-process serve
 * tests (scheduler, its waits) ask with.
 */
export async function callServeApi(
  url: string,
  method: string,
  path: string,
  token: keyof typeof TOKENS,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKENS[token]}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** The first schedule as `GET /api/schedules` lists it. */
export async function firstSchedule(url: string): Promise<Record<string, unknown>> {
  const { json } = await callServeApi(url, 'GET', '/api/schedules', 'viewer');
  return (json.schedules as Array<Record<string, unknown>>)[0] ?? {};
}
