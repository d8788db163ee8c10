/**
 * Builds a world and fills it from the topology: one instance per topology instance, on the
 * address the plan gave it, and the DNS server's records. Closes the world again on failure.
 */
import type { DnsStore } from '../dns/store.js';
import type { EcsStore } from '../ecs/store.js';
import type { Topology } from '../topology/schema.js';
import type { World } from '../world/types.js';
import type { WorldFactory, WorldFactoryOptions } from './world-factory.js';

export async function populateWorld(
  create: WorldFactory,
  options: WorldFactoryOptions,
  topology: Topology,
  stores: { ecs: EcsStore; dns: DnsStore },
): Promise<World> {
  const world = await create(options);
  try {
    for (const instance of topology.instances) {
      await world.addInstance({
        id: instance.id,
        name: instance.name,
        hostname: instance.hostname,
        privateIp: stores.ecs.get(instance.id).privateIp,
        appPort: topology.appPort,
        ...(instance.windows === undefined
          ? {
              kernel: instance.kernel,
              availableKernel: instance.availableKernel,
              osName: instance.osName,
            }
          : {
              kernel: instance.windows.build,
              availableKernel: instance.windows.update.build,
              osName: instance.windows.osName,
              windows: {
                hotfixes: instance.windows.hotfixes,
                updateKbs: instance.windows.update.kbs,
                service: instance.windows.service,
              },
            }),
      });
    }
    world.setDnsRecords(stores.dns.answers(), stores.dns.zones());
  } catch (error) {
    await world.close();
    throw error;
  }
  return world;
}
