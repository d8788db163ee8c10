/**
 * Cloud Assistant commands that outlive their timeout, and commands a run aborts: the wait runs
 * on a manual clock (time is the subject), the calls go to the emulator over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCloudPorts } from '#src/adapters/index.js';
import type { Host } from '#src/ports/index.js';
import { type AliyunTestEnv, startAliyunEnv } from '#support/emulator-adapters.js';
import { ManualClock } from '#support/manual-clock.js';
import { type RequestRecorder, startRequestRecorder } from '#support/request-recorder.js';

let env: AliyunTestEnv;
let recorder: RequestRecorder;
let clock: ManualClock;
let host: Host;

beforeAll(async () => {
  // Commands in this emulator run for a minute of real time: longer than any test here.
  env = await startAliyunEnv({ timings: { packageUpdateSeconds: 60 } });
  recorder = await startRequestRecorder(env.emu.endpoint);
  clock = new ManualClock();
  host = createCloudPorts({
    ...env.options,
    endpoint: recorder.endpoint,
    clock,
    waits: { ecs: { commandPollMs: 1_000, commandPollMaxMs: 5_000, commandGraceMs: 30_000 } },
  }).host;
});
afterAll(async () => {
  await recorder?.close();
  await env?.emu.close();
});

/** Moves the manual clock on while `promise` is pending (its HTTP calls run in real time). */
async function drive<T>(promise: Promise<T>, stepMs = 1_000): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  watched.catch(() => {});
  while (!settled) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    await clock.advance(stepMs);
  }
  return watched;
}

describe('commands that do not end', () => {
  it('a command past its timeout (and grace) ends as timeout, and drainctl tries to stop it', async () => {
    const started = clock.monotonic();
    const result = await drive(
      host.runCommand('i-emu-web-1', { script: 'yum update -y kernel', timeoutSeconds: 10 }),
    );
    expect(result).toMatchObject({ status: 'timeout', exitCode: null });
    expect(result.errorInfo).toMatch(/no end reported within 10 s \(\+30 s grace\)/);
    expect(result.invocationId).toMatch(/^t-/);
    expect(clock.monotonic() - started).toBeGreaterThanOrEqual(40_000);
    expect(recorder.actions('StopInvocation')).toHaveLength(1);
    // Polling slowed down to the cap instead of asking every second for 40 s.
    expect(recorder.actions('DescribeInvocationResults').length).toBeLessThan(15);
  });

  it('an aborted run stops the command and rejects with the abort reason', async () => {
    recorder.calls.length = 0;
    const controller = new AbortController();
    const pending = host.runCommand(
      'i-emu-web-2',
      { script: 'yum update -y kernel', timeoutSeconds: 600 },
      controller.signal,
    );
    await drive(
      vi.waitFor(
        () =>
          expect(recorder.actions('DescribeInvocationResults').length).toBeGreaterThanOrEqual(2),
        { timeout: 10_000, interval: 5 },
      ),
    );
    controller.abort(new Error('operator pressed ctrl-c'));
    await expect(drive(pending)).rejects.toThrow('operator pressed ctrl-c');
    expect(recorder.actions('StopInvocation')).toHaveLength(1);
  });
});
