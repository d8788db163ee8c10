/**
 * A workflow's notify block in `drainctl run` on the emulator: `plan` names the channels (their
 * tokens not shown), and the run tells every receiver — with signatures the receivers check by
 * their own code — that it started, each server's kernel before → after, and that it finished.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the workflow syntax for environment references
import { appendFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECEIVER_TYPES, type Receivers, startReceivers } from '#mocks/receivers/index.js';
import { drainctl, type RunEnv, startRunEnv } from '#support/rollout-on-emulator.js';

const TOKEN = 'tok-run-notify-test';
const SECRET = 'SECrun-notify-test-secret';

let env: RunEnv;
let receivers: Receivers;
beforeAll(async () => {
  env = await startRunEnv({});
  receivers = await startReceivers({ token: TOKEN, secret: SECRET });
  const channels = RECEIVER_TYPES.map((type) => {
    const name = type.toUpperCase();
    env.env[`NOTIFY_${name}_URL`] = receivers.byType[type].url;
    const signed = receivers.byType[type].secret !== undefined;
    if (signed) env.env[`NOTIFY_${name}_SECRET`] = SECRET;
    return [
      `    - type: ${type}`,
      `      url: \${NOTIFY_${name}_URL}`,
      ...(signed ? [`      secret: \${NOTIFY_${name}_SECRET}`] : []),
    ].join('\n');
  });
  await appendFile(env.workflow, `notify:\n  channels:\n${channels.join('\n')}\n`);
});
afterAll(async () => {
  await receivers?.close();
  await env?.close();
});

describe('notify in drainctl run', () => {
  it('plan names the channels that will be told, without their tokens', async () => {
    const plan = await drainctl(env, ['plan', env.workflow]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('Notify (told as the run goes; never waited on):');
    expect(plan.stdout).toMatch(/ {2}dingtalk http:\/\/127\.0\.0\.1:\d+\/robot\/… \(every event\)/);
    expect(plan.stdout).not.toContain(TOKEN);
  });

  it('every receiver gets validly signed started, node-done and finished messages', async () => {
    const run = await drainctl(env, ['run', env.workflow, '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('not delivered');
    for (const type of RECEIVER_TYPES) {
      const messages = receivers.byType[type].messages();
      expect(
        messages.map((m) => m.accepted),
        type,
      ).toEqual([true, true, true, true, true]);
      const bodies = messages.map((m) => m.body);
      expect(bodies[0], type).toContain('started');
      expect(bodies[1], type).toMatch(/web-1 patched and back in service/);
      expect(bodies[1], type).toContain('3.10.0-1160.el7.x86_64 → 3.10.0-1160.119.1.el7.x86_64');
      expect(bodies[4], type).toContain('completed');
      for (const body of bodies) expect(body).not.toContain(SECRET);
    }
  });
});
