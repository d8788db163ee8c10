/**
 * A generated fleet for the topology's `fleet` block: N balancers and M instances, each instance
 * attached in 1 to `maxAttachments` places chosen at random — a balancer's default server group
 * or its vServer group — at a random weight. Seeded: the same block always gives the same fleet
 * (ids included), so a survey or a benchmark can be compared run to run. Pure data.
 */

export interface FleetSpec {
  balancers: number;
  instances: number;
  seed: number;
  maxAttachments: number;
}

/** A balancer the emulator creates at start (and after a reset), with its groups. */
export interface BalancerTopology {
  id: string;
  name: string;
  /** Default: intranet. */
  addressType?: 'internet' | 'intranet';
  tags: Record<string, string>;
  backends: Array<{ serverId: string; weight: number }>;
  vServerGroups: Array<{
    id: string;
    name: string;
    servers: Array<{ serverId: string; port: number; weight: number }>;
  }>;
}

export interface GeneratedFleet {
  instances: Array<{ id: string; name: string; tags: Record<string, string> }>;
  balancers: BalancerTopology[];
}

const WEIGHTS = [50, 80, 100] as const;

/** mulberry32: small, fast, and the same sequence for the same seed on every platform. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export function generateFleet(spec: FleetSpec, appPort: number): GeneratedFleet {
  const random = seededRandom(spec.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const width = String(Math.max(spec.balancers, spec.instances)).length;
  const balancers: BalancerTopology[] = Array.from({ length: spec.balancers }, (_, b) => ({
    id: `lb-fleet-${spec.seed}-${pad(b + 1, width)}`,
    name: `fleet-lb-${pad(b + 1, width)}`,
    tags: { fleet: 'generated', tier: b % 2 === 0 ? 'edge' : 'core' },
    backends: [],
    vServerGroups: [
      {
        id: `rsp-fleet-${spec.seed}-${pad(b + 1, width)}`,
        name: `api-${pad(b + 1, width)}`,
        servers: [],
      },
    ],
  }));
  const instances = Array.from({ length: spec.instances }, (_, i) => ({
    id: `i-fleet-${pad(i + 1, width)}`,
    name: `fleet-${pad(i + 1, width)}`,
    tags: { fleet: 'generated' },
  }));
  const slots = balancers.length * 2;
  for (const instance of instances) {
    const count = 1 + Math.floor(random() * Math.min(spec.maxAttachments, slots));
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(Math.floor(random() * slots));
    for (const slot of [...chosen].sort((a, b) => a - b)) {
      const balancer = balancers[Math.floor(slot / 2)] as BalancerTopology;
      const weight = pick(WEIGHTS);
      if (slot % 2 === 0) balancer.backends.push({ serverId: instance.id, weight });
      else
        balancer.vServerGroups[0]?.servers.push({ serverId: instance.id, port: appPort, weight });
    }
  }
  return { instances, balancers };
}
