/**
 * Traffic that reaches a node straight, past the balancer, while it is patched (a client that
 * cached the old DNS answer): through the real binary against the emulator, with a patch that
 * takes a moment (`sleep 1`, which the emulator's Cloud Assistant waits out) and a client
 * sending to web-1's own address from the patch's start. The reboot waits until the client has
 * stopped; a client that never stops means web-1 is not rebooted, is left out at weight 0 and
 * named, and the run halts with exit 2; after a crash, the resumed run judges with a fresh probe.
 * Whatever happens, the client sees no connection error.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { LoadGenerator } from '#src/demo/load-generator.js';
import {
  drainctl,
  endState,
  journal,
  latestRunId,
  type RunEnv,
  runEnvPerTest,
  spawnDrainctl,
  waitForEntry,
} from '#support/rollout-on-emulator.js';

const startEnv = runEnvPerTest();

const OLD = '3.10.0-1160.el7.x86_64';
const NEW = '3.10.0-1160.119.1.el7.x86_64';
const WEB1 = 'i-emu-web-1';

type Entry = { seq: number; ts?: string; type: string; [k: string]: unknown };

const patchCommand = (n: number, type: 'intent' | 'result') => (e: Entry) =>
  e.type === type &&
  e.node === WEB1 &&
  String(e.step).includes('node.patch') &&
  String(e.opId).endsWith(`#cmd${n}`);
const rebootIntent = (e: Entry) => e.type === 'intent' && e.op === 'reboot' && e.node === WEB1;
const recheck = (e: Entry) => e.type === 'probe' && e.node === WEB1 && e.recheck === true;
const waiting = (e: Entry) => e.type === 'note' && e.node === WEB1 && e.waiting === true;

/** A client that sends to web-1's own address (its cached DNS answer), ~20 requests a second. */
function clientOfWeb1(env: RunEnv): LoadGenerator {
  const web1 = env.emu.state().instances.find((i) => i.id === WEB1);
  if (web1 === undefined) throw new Error('no web-1 in the emulator');
  const [address, port] = web1.app.split(':');
  const client = new LoadGenerator({
    hostname: 'www.example.com',
    port: Number(port),
    resolve: async () => ({ address: address ?? '', ttlSeconds: 3600 }),
    ratePerSecond: 20,
    clients: 2,
    requestTimeoutMs: 2000,
    clock: systemClock,
  });
  client.start();
  return client;
}

function start(drainTimeoutSeconds = 20): Promise<RunEnv> {
  return startEnv({
    drainProbe: 'access-log',
    patchCommands: ['sleep 1', 'yum update kernel -y'],
    drainTimeoutSeconds,
  });
}

describe('real traffic during the patch', () => {
  it('holds the reboot until the client has stopped; the client sees no error', async () => {
    const env = await start();
    const { done } = spawnDrainctl(env, ['run', env.workflow, '--yes', '--json']);
    await waitForEntry(env, patchCommand(1, 'intent'), done);
    const client = clientOfWeb1(env);
    let stoppedAt = 0;
    try {
      await waitForEntry(env, patchCommand(2, 'result'), done);
      // The patch is over and the client still sends: the reboot must wait for it, and says so.
      await waitForEntry(env, waiting, done);
      const status = await drainctl(env, ['status']);
      expect(status.stdout).toMatch(
        / {6}since \d\d:\d\d:\d\d: waiting for quiet before the reboot: \d+ real request\(s\) since it was judged drained/,
      );
      // A real wait: the client keeps sending a while longer, and the reboot must hold for all of it.
      await systemClock.sleep(2000);
    } finally {
      await client.stop();
      stoppedAt = Date.now();
    }
    const load = client.snapshot();
    const run = await done;
    expect(run.code, run.stderr).toBe(0);
    expect(load.ok).toBeGreaterThan(20);
    expect(load.failures).toEqual([]);
    expect(load.failed).toBe(0);

    const entries = await journal(env, await latestRunId(env));
    const reboot = entries.find(rebootIntent);
    expect(Date.parse(String(reboot?.ts))).toBeGreaterThanOrEqual(stoppedAt);
    expect(entries.find(recheck)).toMatchObject({
      kind: 'drain',
      outcome: 'drained',
      detail: expect.stringMatching(/^\d+ real request\(s\) arrived during the patch; /),
      data: expect.objectContaining({ freshProbe: false }),
    });
    expect(entries.find(waiting)?.seq).toBeLessThan(entries.find(recheck)?.seq ?? 0);
    expect(endState(env).kernels).toEqual({
      'i-emu-web-1': NEW,
      'i-emu-web-2': NEW,
      'i-emu-web-3': NEW,
    });
  }, 120_000);

  it('a client that never stops: not rebooted, left out at weight 0 and named, exit 2', async () => {
    const env = await start(4);
    const { done } = spawnDrainctl(env, ['run', env.workflow, '--yes', '--json']);
    await waitForEntry(env, patchCommand(1, 'intent'), done);
    const client = clientOfWeb1(env);
    let run: Awaited<typeof done>;
    try {
      run = await done;
    } finally {
      await client.stop();
    }
    const load = client.snapshot();
    expect(run.code, run.stderr).toBe(2);
    expect(load.ok).toBeGreaterThan(40);
    expect(load.failures).toEqual([]);
    expect(load.failed).toBe(0);

    const doc = JSON.parse(run.stdout);
    expect(doc.outcome).toBe('halted');
    expect(doc.report.leftOut).toEqual([
      {
        id: WEB1,
        name: 'web-1',
        reason: 'not-rebooted',
        detail: expect.stringContaining(
          'real traffic kept arriving during the patch: not rebooted',
        ),
      },
    ]);
    const end = endState(env);
    expect(end.weights).toEqual({ 'i-emu-web-1': 0, 'i-emu-web-2': 100, 'i-emu-web-3': 100 });
    expect(end.kernels).toEqual({ 'i-emu-web-1': OLD, 'i-emu-web-2': OLD, 'i-emu-web-3': OLD });
    const entries = await journal(env, doc.runId);
    expect(entries.some(rebootIntent)).toBe(false);
    expect(entries.find(recheck)?.outcome).toBe('timeout');

    const status = await drainctl(env, ['status', doc.runId]);
    expect(status.stdout).toContain('LEFT OUT OF SERVICE (needs a person):');
    expect(status.stdout).toContain(
      'web-1 (i-emu-web-1): not-rebooted: real traffic kept arriving during the patch: not rebooted',
    );
  }, 120_000);

  it('after a crash while the reboot waits, the resumed run judges with a fresh probe and waits too', async () => {
    const env = await start();
    const first = spawnDrainctl(env, ['run', env.workflow, '--yes', '--json']);
    await waitForEntry(env, patchCommand(1, 'intent'), first.done);
    const client = clientOfWeb1(env);
    let stoppedAt = 0;
    let runId = '';
    try {
      ({ runId } = await waitForEntry(env, patchCommand(2, 'result'), first.done));
      // The first process is holding the reboot for the client: it dies there.
      await waitForEntry(env, waiting, first.done);
      first.child.kill('SIGKILL');
      expect((await first.done).signal).toBe('SIGKILL');
      expect((await journal(env, runId)).some(rebootIntent)).toBe(false);

      const resumed = spawnDrainctl(env, ['resume', runId, '--yes', '--json']);
      await waitForEntry(env, (e) => e.type === 'resume', resumed.done);
      // A real wait: the client keeps sending a while longer, and the reboot must hold for all of it.
      await systemClock.sleep(2000);
      await client.stop();
      stoppedAt = Date.now();
      const run = await resumed.done;
      expect(run.code, run.stderr).toBe(0);
    } finally {
      await client.stop();
    }
    const load = client.snapshot();
    expect(load.failures).toEqual([]);
    expect(load.failed).toBe(0);
    const entries = await journal(env, runId);
    const resumedAt = entries.find((e) => e.type === 'resume')?.seq ?? 0;
    expect(entries.find((e) => recheck(e) && e.seq > resumedAt)).toMatchObject({
      outcome: 'drained',
      data: expect.objectContaining({ freshProbe: true }),
    });
    expect(Date.parse(String(entries.find(rebootIntent)?.ts))).toBeGreaterThanOrEqual(stoppedAt);
    expect(endState(env).kernels[WEB1]).toBe(NEW);
  }, 150_000);
});
