/**
 * Engine review (sigstop-resume): a run suspended with SIGSTOP looked gone once its heartbeat
 * aged, and `resume` took it over while it was alive. Through the real binary: while the holder
 * is suspended, `resume` is refused naming the live process and how to wake it; woken, the
 * original carries on alone and stops cleanly on SIGTERM. (The heartbeat's age no longer
 * matters on this host; lock-liveness.test.ts proves it with a 70 s old heartbeat.)
 */
import { describe, expect, it } from 'vitest';
import { readLock } from '#src/engine/lock/balancer-lock.js';
import { processStartTime } from '#src/engine/lock/holder-liveness.js';
import {
  drainConfirmed,
  drainctl,
  endState,
  journal,
  runEnvPerTest,
  spawnDrainctl,
  waitForEntry,
} from '#support/rollout-on-emulator.js';

const startEnv = runEnvPerTest();

const drainDone = drainConfirmed('i-emu-web-1');

describe('a suspended holder', () => {
  it.runIf(process.platform === 'linux')(
    'is not taken over by resume; woken, it carries on alone',
    async () => {
      const env = await startEnv({ waitSeconds: 60 });
      const current = env;
      const original = spawnDrainctl(current, ['run', current.workflow, '--yes']);
      const { runId } = await waitForEntry(current, drainDone, original.done);
      const pid = original.child.pid ?? 0;
      const lock = await readLock(current.home, current.loadBalancerId);
      expect(lock).toMatchObject({ runId, pid, pidStart: processStartTime(pid) });
      original.child.kill('SIGSTOP');
      try {
        const resumed = await drainctl(current, ['resume', runId, '--yes', '--break-lock']);
        expect(resumed.code).toBe(1);
        expect(resumed.stderr).toContain(
          `LOCK_HELD: load balancer ${current.loadBalancerId} is held by run ${runId} (pid ${pid} on`,
        );
        expect(resumed.stderr).toContain(`process ${pid} is running on this host`);
        expect(resumed.stderr).toContain('never broken');
      } finally {
        original.child.kill('SIGCONT');
      }
      expect((await journal(current, runId)).filter((e) => e.type === 'resume')).toEqual([]);
      original.child.kill('SIGTERM');
      expect((await original.done).code).toBe(2);
      expect(endState(current).weights).toEqual({
        'i-emu-web-1': 100,
        'i-emu-web-2': 100,
        'i-emu-web-3': 100,
      });
    },
    120_000,
  );
});
