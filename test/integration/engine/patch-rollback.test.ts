/**
 * A patch that proves bad is rolled back: the kernel it ran before becomes the default boot
 * entry again, the server reboots into it, proves healthy and running its old kernel, ramps back
 * in, and the run halts with the servers after it untouched — also when the process is killed
 * during the rollback's reboot and resumed.
 */
import { describe, expect, it } from 'vitest';
import { get } from '#support/http-client.js';
import {
  drainctl,
  endState,
  journal,
  runEnvPerTest,
  spawnDrainctl,
  waitForEntry,
} from '#support/rollout-on-emulator.js';
import { weightTags } from '#support/saved-weight-runs.js';

/** nginx's combined format with ` $request_time`, as the emulator's `combined_request_time` writes. */
const TIMED_FORMAT = `{ nginx: '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time' }`;

/** Clients sending requests through the balancer, each on a new connection, until stopped. */
function clientsOf(address: string, clients: number): { stop(): Promise<void> } {
  let running = true;
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      // Refused or reset while a server reboots: a client tries again.
      await get(`http://${address}:8080/`).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

const OLD = '3.10.0-1160.el7.x86_64';
const NEW = '3.10.0-1160.119.1.el7.x86_64';

interface RunJson {
  runId: string;
  outcome: string;
  report: {
    steps: { total: number; completed: number; failed: number };
    nodes: Array<{
      id: string;
      state: string;
      detail?: string;
      recovery?: { detectedAt: string; restoredAt?: string; seconds?: number };
    }>;
  };
}

const startEnv = runEnvPerTest();

describe('patch rollback (drainctl run against the emulator)', () => {
  it('a bad kernel on web-1: rolled back to the old kernel, serving, the run halts, web-2 and web-3 untouched', {
    timeout: 120_000,
  }, async () => {
    const env = await startEnv({
      drainProbe: 'access-log',
      rollback: '{ kind: kernel }',
      healthTimeoutSeconds: 4,
    });
    env.emu.injectFault({ kind: 'bad-version', instanceId: 'i-emu-web-1', effect: 'unhealthy' });

    const run = await drainctl(env, ['run', env.workflow, '--yes', '--json']);

    expect(run.code, run.stderr.slice(-2000)).toBe(2);
    const report = JSON.parse(run.stdout) as RunJson;
    const web1 = report.report.nodes.find((n) => n.id === 'i-emu-web-1');
    expect(web1?.state).toBe('rolled-back');
    expect(web1?.detail).toMatch(/patch rolled back: serving again on its old version/);
    // From the failed health wait to serving again: at least the rollback's reboot.
    expect(web1?.recovery?.restoredAt).toBeDefined();
    expect(web1?.recovery?.seconds).toBeGreaterThan(0);
    const end = endState(env);
    expect(end.weights).toEqual({ 'i-emu-web-1': 100, 'i-emu-web-2': 100, 'i-emu-web-3': 100 });
    expect(end.kernels).toEqual({ 'i-emu-web-1': OLD, 'i-emu-web-2': OLD, 'i-emu-web-3': OLD });
    const entries = await journal(env, report.runId);
    // Nothing was done to the others: they never left pending.
    for (const node of ['i-emu-web-2', 'i-emu-web-3']) {
      expect(entries.filter((e) => e.type === 'node-state' && e.node === node)).toEqual([]);
    }
    const commands = entries
      .filter((e) => e.type === 'intent' && e.op === 'run-command')
      .map((e) => (e.to as { command: string }).command);
    expect(commands).toEqual(['yum update kernel -y', `grubby --set-default /boot/vmlinuz-${OLD}`]);
  });

  it('without a rollback the same server stays out at weight 0, as before', {
    timeout: 120_000,
  }, async () => {
    const env = await startEnv({ drainProbe: 'access-log', healthTimeoutSeconds: 4 });
    env.emu.injectFault({ kind: 'bad-version', instanceId: 'i-emu-web-1', effect: 'unhealthy' });
    const run = await drainctl(env, ['run', env.workflow, '--yes', '--json']);
    expect(run.code, run.stderr.slice(-2000)).toBe(2);
    const end = endState(env);
    expect(end.weights['i-emu-web-1']).toBe(0);
    expect(end.kernels['i-emu-web-1']).toBe(NEW);
  });

  it('kill -9 during the rollback reboot: resume finishes the rollback', {
    timeout: 150_000,
  }, async () => {
    const env = await startEnv({
      drainProbe: 'access-log',
      rollback: '{ kind: kernel }',
      healthTimeoutSeconds: 4,
    });
    env.emu.injectFault({ kind: 'bad-version', instanceId: 'i-emu-web-1', effect: 'unhealthy' });
    const { child, done } = spawnDrainctl(env, ['run', env.workflow, '--yes', '--json']);
    let rollingBack = false;
    const { runId } = await waitForEntry(
      env,
      (e) => {
        if (e.type === 'node-state' && e.state === 'rolling-back') rollingBack = true;
        return rollingBack && e.type === 'intent' && e.op === 'reboot';
      },
      done,
    );
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');

    const before = (await journal(env, runId)).length;
    const resumed = await drainctl(env, ['resume', runId, '--yes', '--json']);
    expect(resumed.code, resumed.stderr.slice(-2000)).toBe(2);
    // The resumed run continued the rollback where it stood: it ran none of web-1's
    // maintenance steps again, only rollback steps.
    const all = await journal(env, runId);
    const plan = (all[0] as unknown as { plan: { steps: Array<{ id: string; rollback?: true }> } })
      .plan;
    const rollbackIds = new Set(plan.steps.filter((s) => s.rollback).map((s) => s.id));
    const resumedSteps = all.slice(before).filter((e) => e.type === 'step');
    expect(resumedSteps.length).toBeGreaterThan(0);
    for (const e of resumedSteps)
      expect(rollbackIds.has(String(e.step)), String(e.step)).toBe(true);
    const report = JSON.parse(resumed.stdout) as RunJson;
    expect(report.report.nodes.find((n) => n.id === 'i-emu-web-1')?.state).toBe('rolled-back');
    const end = endState(env);
    expect(end.weights).toEqual({ 'i-emu-web-1': 100, 'i-emu-web-2': 100, 'i-emu-web-3': 100 });
    expect(end.kernels['i-emu-web-1']).toBe(OLD);
    expect(end.kernels['i-emu-web-2']).toBe(OLD);
  });

  it('a canary that bakes within its limits: the rollout goes on after the bake, every server done', {
    timeout: 120_000,
  }, async () => {
    const env = await startEnv({ canary: '{ bakeMinutes: 0.05 }', rollback: '{ kind: kernel }' });
    const run = await drainctl(env, ['run', env.workflow, '--yes', '--json']);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    const report = JSON.parse(run.stdout) as RunJson;
    const entries = await journal(env, report.runId);
    const bake = entries.find((e) => e.type === 'step' && e.action === 'canary.bake');
    expect(bake).toMatchObject({ status: 'ok' });
    // Rollback steps that never ran are not steps left undone.
    expect(report.report.steps.completed).toBe(report.report.steps.total);
    // web-2 left service only after the canary baked; the live view was told what is watched.
    const web2Drain = entries.find((e) => e.type === 'node-state' && e.node === 'i-emu-web-2');
    expect(web2Drain?.seq).toBeGreaterThan(bake?.seq ?? Infinity);
    expect(
      entries.some(
        (e) =>
          e.type === 'note' &&
          e.waiting === true &&
          String(e.message).startsWith('baking the canary'),
      ),
    ).toBe(true);
    expect(endState(env).kernels).toEqual({
      'i-emu-web-1': NEW,
      'i-emu-web-2': NEW,
      'i-emu-web-3': NEW,
    });
  });

  it('packages: the transactions after the one recorded before the patch are rolled back', {
    timeout: 120_000,
  }, async () => {
    // The patch installs the new kernel but keeps the old one the default entry: after the
    // reboot the verify finds it unchanged, and the package rollback erases the new kernel.
    const env = await startEnv({
      drainProbe: 'access-log',
      rollback: '{ kind: packages }',
      patchCommands: ['yum update kernel -y', 'grub2-set-default 1'],
    });
    const run = await drainctl(env, ['run', env.workflow, '--yes', '--json']);
    expect(run.code, run.stderr.slice(-2000)).toBe(2);
    const report = JSON.parse(run.stdout) as RunJson;
    expect(report.report.nodes.find((n) => n.id === 'i-emu-web-1')?.state).toBe('rolled-back');
    const entries = await journal(env, report.runId);
    const commands = entries
      .filter((e) => e.type === 'intent' && e.op === 'run-command')
      .map((e) => (e.to as { command: string }).command);
    expect(commands.at(-1)).toBe('yum history rollback -y 1');
    const disk = await env.emu.world.runCommand('i-emu-web-1', 'rpm -q kernel', 10);
    expect(disk.output).toBe(`kernel-${OLD}\n`);
    expect(endState(env).weights['i-emu-web-1']).toBe(100);
  });

  it('SIGTERM during a bake cuts it short: the canary stays in service, no other server starts', {
    timeout: 120_000,
  }, async () => {
    const env = await startEnv({ canary: '{ bakeMinutes: 5 }', rollback: '{ kind: kernel }' });
    const { child, done } = spawnDrainctl(env, ['run', env.workflow, '--yes', '--json']);
    await waitForEntry(
      env,
      (e) => e.type === 'note' && e.waiting === true && String(e.message).startsWith('baking'),
      done,
    );
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const ended = await done;
    // Well before the five minutes of the bake.
    expect(Date.now() - signalledAt).toBeLessThan(30_000);
    expect(ended.code, ended.stderr.slice(-2000)).toBe(2);
    const report = JSON.parse(ended.stdout) as RunJson;
    expect(report.report.nodes.map((n) => n.state)).toEqual(['done', 'pending', 'pending']);
    expect(endState(env).weights).toEqual({
      'i-emu-web-1': 100,
      'i-emu-web-2': 100,
      'i-emu-web-3': 100,
    });
  });

  it('a bake failed by the health view rolls the canary back; kill -9 in that rollback, resume finishes it without baking again', {
    timeout: 150_000,
  }, async () => {
    const env = await startEnv({
      drainProbe: 'access-log',
      canary: '{ bakeMinutes: 2 }',
      rollback: '{ kind: kernel }',
    });
    const { child, done } = spawnDrainctl(env, ['run', env.workflow, '--yes', '--json']);
    await waitForEntry(
      env,
      (e) => e.type === 'note' && e.waiting === true && String(e.message).startsWith('baking'),
      done,
    );
    // Another server's health fails while the canary bakes: the service as a whole is not well.
    env.emu.injectFault({
      kind: 'health-flapping',
      instanceId: 'i-emu-web-2',
      periodSeconds: 40,
      seconds: 40,
    });
    let rollingBack = false;
    const { runId } = await waitForEntry(
      env,
      (e) => {
        if (e.type === 'node-state' && e.state === 'rolling-back') rollingBack = true;
        return rollingBack && e.type === 'intent' && e.op === 'reboot';
      },
      done,
    );
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    // Out of service again, the canary's weight is kept on the balancer, as before its drain.
    expect(Object.keys(await weightTags(env))).toEqual(['drainctl-weight-i-emu-web-1']);
    const before = (await journal(env, runId)).length;

    const resumed = await drainctl(env, ['resume', runId, '--yes', '--json']);
    expect(resumed.code, resumed.stderr.slice(-2000)).toBe(2);
    const report = JSON.parse(resumed.stdout) as RunJson;
    expect(report.report.nodes.map((n) => n.state)).toEqual(['rolled-back', 'pending', 'pending']);
    expect(await weightTags(env)).toEqual({});
    const after = (await journal(env, runId)).slice(before);
    expect(after.some((e) => e.type === 'step' && e.action === 'canary.bake')).toBe(false);
    const end = endState(env);
    expect(end.kernels).toEqual({ 'i-emu-web-1': OLD, 'i-emu-web-2': OLD, 'i-emu-web-3': OLD });
    expect(end.weights['i-emu-web-1']).toBe(100);
  });

  it('a slow new kernel seen only in the request times of the bake: the canary is rolled back, no other server touched', {
    timeout: 150_000,
  }, async () => {
    const env = await startEnv({
      drainProbe: 'access-log',
      logFormat: TIMED_FORMAT,
      emulator: { accessLogFormat: 'combined_request_time' },
      canary: '{ bakeMinutes: 0.5, maxLatencyMs: 300, minRequests: 10 }',
      rollback: '{ kind: kernel }',
    });
    // Healthy and answering 200 on the new kernel, only 800 ms late: no 5xx, no health check fails.
    env.emu.injectFault({
      kind: 'bad-version',
      instanceId: 'i-emu-web-1',
      effect: 'slow',
      delayMs: 800,
    });
    const address = env.emu.state().loadBalancers[0]?.address ?? '';
    const clients = clientsOf(address, 4);
    let run: Awaited<ReturnType<typeof drainctl>>;
    try {
      run = await drainctl(env, ['run', env.workflow, '--yes', '--json']);
    } finally {
      await clients.stop();
    }
    expect(run.code, run.stderr.slice(-2000)).toBe(2);
    const report = JSON.parse(run.stdout) as RunJson;
    expect(report.report.nodes.map((n) => n.state)).toEqual(['rolled-back', 'pending', 'pending']);
    const entries = await journal(env, report.runId);
    const bake = entries.find((e) => e.type === 'step' && e.action === 'canary.bake');
    expect(bake).toMatchObject({ status: 'failed' });
    // While it baked the canary read `baking` in status, not `restoring`.
    const baking = entries.find(
      (e) => e.type === 'node-state' && e.node === 'i-emu-web-1' && e.state === 'baking',
    );
    expect(baking).toMatchObject({ from: 'restoring' });
    expect(baking?.seq).toBeLessThan(bake?.seq ?? 0);
    expect(String(bake?.detail)).toMatch(/95th-percentile request time \d+ ms .* is above 300 ms/);
    expect(
      entries.some(
        (e) => e.type === 'note' && String(e.message).includes('p95 request time limit 300 ms'),
      ),
    ).toBe(true);
    for (const node of ['i-emu-web-2', 'i-emu-web-3']) {
      expect(entries.filter((e) => e.type === 'node-state' && e.node === node)).toEqual([]);
    }
    const end = endState(env);
    expect(end.kernels).toEqual({ 'i-emu-web-1': OLD, 'i-emu-web-2': OLD, 'i-emu-web-3': OLD });
    expect(end.weights).toEqual({ 'i-emu-web-1': 100, 'i-emu-web-2': 100, 'i-emu-web-3': 100 });
  });

  it('a latency limit with a log format that has no request time is refused (exit 3)', {
    timeout: 60_000,
  }, async () => {
    const env = await startEnv({
      drainProbe: 'access-log',
      canary: '{ bakeMinutes: 0.5, maxLatencyMs: 300 }',
      rollback: '{ kind: kernel }',
    });
    const plan = await drainctl(env, ['plan', env.workflow]);
    expect(plan.code, plan.stderr).toBe(3);
    expect(plan.stderr).toMatch(
      /rollout\.canary\.maxLatencyMs: expected .*\$request_time.*, found the access log format of i-emu-web-1 has no \$request_time/,
    );
  });
});
