/**
 * Engine review (two-homes): two operators in two working directories — two DRAINCTL_HOMEs, so
 * two lock files — each got "the" lock on one balancer. Through the real binary against the
 * emulator: the second is refused by the balancer's `drainctl-lock` tag before it changes
 * anything, and the tag is removed when the first run ends.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCloudPorts } from '#src/adapters/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { createLogger } from '#src/log/index.js';
import { runDrainctl } from '#support/cli-runner.js';
import {
  drainConfirmed,
  endState,
  runEnvPerTest,
  spawnDrainctl,
  waitForEntry,
} from '#support/rollout-on-emulator.js';

const startEnv = runEnvPerTest();

const drainDone = drainConfirmed('i-emu-web-1');

describe('two operators, two working directories, one balancer', () => {
  it("the second run is refused by the balancer's tag; the tag goes when the first run ends", async () => {
    const env = await startEnv({ waitSeconds: 60 });
    const current = env;
    const alice = spawnDrainctl(current, ['run', current.workflow, '--yes']);
    const { runId } = await waitForEntry(current, drainDone, alice.done);
    const bobDir = join(current.dir, 'bob');
    await mkdir(bobDir);
    const bob = await runDrainctl(['run', current.workflow, '--yes'], {
      cwd: bobDir,
      env: { ...current.env, DRAINCTL_HOME: join(bobDir, '.drainctl') },
      timeoutMs: 90_000,
    });
    expect(bob.code).toBe(1);
    expect(bob.stderr).toContain(
      `LOCK_HELD: load balancer ${current.loadBalancerId} is held by run ${runId}`,
    );
    expect(bob.stderr).toContain('tag drainctl-lock="run=');
    // Bob changed nothing: Alice's drain is still the only change.
    expect(endState(current).weights).toEqual({
      'i-emu-web-1': 0,
      'i-emu-web-2': 100,
      'i-emu-web-3': 100,
    });
    const ports = createCloudPorts({
      region: current.emu.region,
      endpoint: current.emu.endpoint,
      credentials: current.emu.credentials,
      clock: systemClock,
      logger: createLogger({ level: 'silent' }),
    });
    expect((await ports.loadBalancer.getTags(current.loadBalancerId))['drainctl-lock']).toContain(
      `run=${runId};`,
    );
    alice.child.kill('SIGTERM');
    expect((await alice.done).code).toBe(2);
    expect(await ports.loadBalancer.getTags(current.loadBalancerId)).not.toHaveProperty(
      'drainctl-lock',
    );
  }, 120_000);
});
