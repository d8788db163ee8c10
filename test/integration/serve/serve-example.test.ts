/**
 * serve.example.yaml is what the README starts: it must load with the values of .env.example
 * (copied to .env, as the README says), its catalog naming the example workflows, its schedule,
 * and a notification target on each mock receiver of `drainctl emulator`.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadDotEnv } from '#src/config/index.js';
import { loadServeConfig, sha256Of } from '#src/serve/config/index.js';
import { repoRoot } from '#support/cli-runner.js';

let dir: string | undefined;
afterAll(() => (dir === undefined ? undefined : rm(dir, { recursive: true, force: true })));

it('serve.example.yaml loads with .env.example', async () => {
  dir = await mkdtemp(join(tmpdir(), 'drainctl-serve-example-'));
  await copyFile(join(repoRoot, '.env.example'), join(dir, '.env'));
  const env: NodeJS.ProcessEnv = {};
  loadDotEnv(dir, env);
  const config = await loadServeConfig(join(repoRoot, 'serve.example.yaml'), env);
  expect([...config.catalog]).toEqual([
    ['kernel-patch', join(repoRoot, 'workflows/kernel-patch.yaml')],
  ]);
  expect(config.tokens.map((t) => [t.name, t.role])).toEqual([
    ['example-operator', 'operator'],
    ['example-viewer', 'viewer'],
    ['example-approver', 'approver'],
  ]);
  expect(config.schedules?.map((s) => [s.name, s.workflow])).toEqual([
    ['patch-night', 'kernel-patch'],
  ]);
  // One target per platform, each a mock receiver `drainctl emulator` starts (8081–8085).
  expect(config.notify?.channels.map((c) => [c.type, new URL(c.url).port])).toEqual([
    ['dingtalk', '8081'],
    ['feishu', '8082'],
    ['wecom', '8083'],
    ['slack', '8084'],
    ['webhook', '8085'],
  ]);
  expect(config.tokens[0]?.sha256).toEqual(sha256Of(env.DRAINCTL_EXAMPLE_OPERATOR_TOKEN ?? ''));
  // The example workflow is open to chat, behind the two-person rule.
  expect(config.chat?.workflows['kernel-patch']?.approval).toBe('required');
});
