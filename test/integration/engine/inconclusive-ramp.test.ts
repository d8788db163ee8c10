/**
 * A patched server that answers every request with a 5xx, at night-time traffic: its ramp steps
 * see a handful of requests, fewer than `minRequests`. Through the real binary against the
 * emulator, with clients on the balancer: the hold watches on for its `extendSeconds`, still
 * cannot judge, and by the default `onInconclusive: halt` the server goes back to weight 0 — not
 * on to full weight — the run halts before the next server, and the report and status say why.
 * With `onInconclusive: continue` the ramp goes on, and the report carries a WARNING.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { LoadGenerator } from '#src/demo/load-generator.js';
import { runCliInProcess } from '#support/cli-in-process.js';
import {
  drainctl,
  endState,
  journal,
  latestRunId,
  type RunEnv,
  runEnvPerTest,
} from '#support/rollout-on-emulator.js';

const WEB1 = 'i-emu-web-1';

/** A few requests a second through the balancer, each on a connection of its own (see below). */
function trickle(env: RunEnv): LoadGenerator {
  const address = env.emu.state().loadBalancers.find((l) => l.id === env.loadBalancerId)?.address;
  if (address === undefined) throw new Error('no balancer address');
  const load = new LoadGenerator({
    hostname: 'www.example.com',
    port: 8080,
    resolve: async () => ({ address, ttlSeconds: 3600 }),
    ratePerSecond: 5,
    clients: 5,
    clock: systemClock,
  });
  load.start();
  return load;
}

async function start(
  startEnv: ReturnType<typeof runEnvPerTest>,
  onInconclusive: string,
  instances?: string[],
) {
  const env = await startEnv({
    drainProbe: 'access-log',
    emulator: {
      timings: {
        stoppingSeconds: 0.1,
        bootSeconds: 0.3,
        appStartSeconds: 0.1,
        packageUpdateSeconds: 0.1,
        healthCheckScale: 0.25,
        // One request per connection: each goes where the weights send it, and a drained server
        // keeps no client on an old connection.
        keepaliveRequests: 1,
      },
    },
  });
  let text = readFileSync(env.workflow, 'utf8');
  if (instances !== undefined) {
    text = text.replace(/instances: \[.*\]/, `instances: [${instances.join(', ')}]`);
  }
  text = text.replace(
    /restore:\n[\s\S]*$/,
    `restore:
  rampPercent: [50, 100]
  holdSeconds: 1
  max5xxRate: 0.01
  minRequests: 20
  extendSeconds: 3
  onInconclusive: ${onInconclusive}
`,
  );
  writeFileSync(env.workflow, text);
  env.emu.injectFault({ kind: 'app-5xx-after-reboot', instanceId: WEB1, rate: 1 });
  return env;
}

async function runWithTrickle(env: RunEnv) {
  const load = trickle(env);
  try {
    await systemClock.sleep(500);
    return await drainctl(env, ['run', env.workflow, '--yes', '--json']);
  } finally {
    await load.stop();
  }
}

describe('a ramp hold with too few requests to judge', () => {
  const startEnv = runEnvPerTest();

  it('halt (the default): the 5xx-answering server goes back to 0, not to full weight; the run halts and says why', async () => {
    const env = await start(startEnv, 'halt');
    const run = await runWithTrickle(env);
    expect(run.code, run.stderr.slice(-2000)).toBe(2);
    const doc = JSON.parse(run.stdout);
    expect(doc.outcome).toBe('halted');
    expect(doc.report.leftOut).toEqual([
      expect.objectContaining({
        id: WEB1,
        reason: 'unproven',
        detail: expect.stringMatching(/fewer than 20 requests .*inconclusive/),
      }),
    ]);
    // web-1 never got past its first step; web-2 and web-3 were never touched.
    expect(endState(env).weights).toEqual({
      [WEB1]: 0,
      'i-emu-web-2': 100,
      'i-emu-web-3': 100,
    });
    const entries = await journal(env, doc.runId);
    const holds = entries.filter((e) => e.type === 'probe' && e.kind === 'error-rate');
    expect(holds).toEqual([
      expect.objectContaining({
        node: WEB1,
        outcome: 'failed',
        data: expect.objectContaining({ weight: 50, inconclusive: true }),
      }),
    ]);
    // It watched past its 1 s hold, for the extension.
    expect(
      Number((holds[0]?.data as { seconds?: number } | undefined)?.seconds),
    ).toBeGreaterThanOrEqual(3.9);

    const status = await runCliInProcess(['status', doc.runId], env.env as Record<string, string>);
    expect(status.stdout).toMatch(/web-1 \(i-emu-web-1\): unproven: .*inconclusive/);
  }, 90_000);

  it('continue: the ramp goes on, and the report warns that it was not proven', async () => {
    // web-1 alone: the others would only go through the same warning at this traffic.
    const env = await start(startEnv, 'continue', [WEB1]);
    const run = await runWithTrickle(env);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.report.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/weight 50: .*inconclusive, goes on unproven/),
      ]),
    );
    expect(endState(env).weights[WEB1]).toBe(100);
    const runId = await latestRunId(env);
    const notes = (await journal(env, runId)).filter(
      (e) => e.type === 'note' && e.warning === true && e.node === WEB1,
    );
    expect(notes.length).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
