/**
 * Review round 3: the per-intent tag check under a throttled DescribeTags (emulator api-error
 * fault) over real HTTP. It used to take the adapter's whole retry budget (~13 s) and say
 * nothing; it now gives up within a second, says which lock layer it could not check, and does
 * not take the unreadable tag for a lost lock.
 */
import { afterAll, expect, it } from 'vitest';
import { startEmulator } from '#mocks/index.js';
import { createCloudPorts } from '#src/adapters/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { BalancerTagLock } from '#src/engine/lock/balancer-tag.js';
import { createLogger } from '#src/log/index.js';

const emuP = startEmulator({ port: 0 });
afterAll(async () => (await emuP).close());

it('a throttled tag read before an intent gives up within a second, with one warning, lock kept', async () => {
  const emu = await emuP;
  const ports = createCloudPorts({
    region: emu.region,
    endpoint: emu.endpoint,
    credentials: emu.credentials,
    clock: systemClock,
    logger: createLogger({ level: 'silent' }),
  });
  const lb = await ports.loadBalancer.create({
    name: 'web-slb',
    addressType: 'intranet',
    tags: { app: 'web' },
    clientToken: `t-${Date.now()}`,
  });
  const lock = await BalancerTagLock.acquire(ports.loadBalancer, lb.id, {
    runId: 'r-A',
    clock: systemClock,
    settleMs: 0, // nothing else writes this balancer's tag here
  });
  emu.injectFault({ kind: 'api-error', action: 'DescribeTags', code: 'Throttling.User', rate: 1 });
  const warnings: string[] = [];
  const started = Date.now();
  await expect(
    lock.verify({ before: 'set-weight (step drain-web-1)', onUnchecked: (m) => warnings.push(m) }),
  ).resolves.toBeUndefined();
  expect(Date.now() - started).toBeLessThan(2_000);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(
    /^balancer tag lock could not be checked before set-weight \(step drain-web-1\); the lock file still holds/,
  );
}, 60_000);
