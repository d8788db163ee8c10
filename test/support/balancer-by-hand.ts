/**
 * What an operator sets up by hand before a rollout on an existing balancer: a balancer, one TCP
 * listener on 8080 with a health check, the servers at their weights, the listener started —
 * through drainctl's own adapters against an emulator, so the setup speaks the same API the run
 * will.
 */
import type { Emulator } from '#mocks/index.js';
import { createCloudPorts } from '#src/adapters/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { createLogger } from '#src/log/index.js';
import type { ListenerHealthCheck } from '#src/ports/index.js';

export interface BalancerByHand {
  clientToken: string;
  healthCheck: ListenerHealthCheck;
  backends: Array<{ serverId: string; weight: number }>;
}

/** Cloud ports on the emulator, with logs off. */
export function emulatorPorts(emu: Emulator) {
  return createCloudPorts({
    region: emu.region,
    endpoint: emu.endpoint,
    credentials: emu.credentials,
    clock: systemClock,
    logger: createLogger({ level: 'silent' }),
  });
}

/** The balancer's id and address. */
export async function setUpBalancerByHand(
  emu: Emulator,
  setup: BalancerByHand,
): Promise<{ id: string; address: string }> {
  const { loadBalancer } = emulatorPorts(emu);
  const lb = await loadBalancer.create({
    name: 'web-slb',
    addressType: 'intranet',
    tags: { app: 'web' },
    clientToken: setup.clientToken,
  });
  await loadBalancer.ensureListener(lb.id, {
    protocol: 'tcp',
    port: 8080,
    backendPort: 8080,
    scheduler: 'wrr',
    healthCheck: setup.healthCheck,
  });
  await loadBalancer.addBackends(lb.id, setup.backends);
  await loadBalancer.startListener(lb.id, 8080, 'tcp');
  return { id: lb.id, address: lb.address };
}
