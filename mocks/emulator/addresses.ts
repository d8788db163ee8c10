/**
 * The emulator's loopback address plan, inside 127.0.0.0/8 and random unless the topology fixes
 * it, so emulators in parallel never clash: one /24 (never 127.0.0.0/24) for up to 89 instances,
 * or a /16 (never 127.0.0.0/16) for a larger topology. Instances get .11 … .99 of each /24 in
 * turn (the 90th instance of a /16 starts the next /24); load balancers .101, .102, … and the DNS
 * server .53 of the first /24.
 *
 * Linux routes all of 127.0.0.0/8 to the loopback interface. macOS routes only 127.0.0.1 unless an
 * alias is added, so a failing bind is reported with the exact `ifconfig` lines that fix it.
 */
import { createServer } from 'node:net';
import { INSTANCES_PER_BLOCK } from '../topology/address-capacity.js';

const FIRST_INSTANCE = 11;
const LOAD_BALANCER_SLOTS_START = 101;
const LAST_LOAD_BALANCER = 250;

/**
 * A random block for `instanceCount` instances: "127.A.B.0/24" with A in 1–254 (so never
 * 127.0.0.0/24), or "127.A.0.0/16" when more than one /24 holds.
 */
export function randomSubnet(instanceCount: number, random: () => number = Math.random): string {
  const a = 1 + Math.floor(random() * 254);
  if (instanceCount > INSTANCES_PER_BLOCK) return `127.${a}.0.0/16`;
  const b = Math.floor(random() * 256);
  return `127.${a}.${b}.0/24`;
}

export class AddressPlan {
  private nextLoadBalancer = LOAD_BALANCER_SLOTS_START;
  /** "127.A.B" of the first /24: the DNS server, the balancers and the first 89 instances. */
  private readonly firstBlock: string;
  /** "127.A" of a /16; undefined for a /24. */
  private readonly wideNetwork: string | undefined;

  /** `subnet`: "127.A.B.0/24" or "127.A.0.0/16". */
  constructor(readonly subnet: string) {
    const match = /^(127\.\d{1,3})\.(\d{1,3})\.0\/(24|16)$/.exec(subnet);
    if (!match) throw new Error(`not a /24 or /16 inside 127.0.0.0/8: ${subnet}`);
    this.wideNetwork = match[3] === '16' ? match[1] : undefined;
    this.firstBlock = `${match[1]}.${match[2]}`;
  }

  instance(index: number): string {
    if (this.wideNetwork === undefined) return `${this.firstBlock}.${FIRST_INSTANCE + index}`;
    const block = Math.floor(index / INSTANCES_PER_BLOCK);
    return `${this.wideNetwork}.${block}.${FIRST_INSTANCE + (index % INSTANCES_PER_BLOCK)}`;
  }

  get dns(): string {
    return `${this.firstBlock}.53`;
  }

  /** The next free load balancer address; addresses are not reused while the emulator runs. */
  allocateLoadBalancer(): string {
    if (this.nextLoadBalancer > LAST_LOAD_BALANCER) {
      throw new Error(`no load balancer address left in ${this.subnet}`);
    }
    const address = `${this.firstBlock}.${this.nextLoadBalancer}`;
    this.nextLoadBalancer += 1;
    return address;
  }

  /** Back to the first load balancer address (after a reset, when no balancer exists). */
  resetLoadBalancers(): void {
    this.nextLoadBalancer = LOAD_BALANCER_SLOTS_START;
  }

  /** Every address a typical run binds: instances, the DNS server, the first balancers. */
  addressesFor(instanceCount: number, loadBalancers = 3): string[] {
    const instances = Array.from({ length: instanceCount }, (_, i) => this.instance(i));
    const balancers = Array.from(
      { length: loadBalancers },
      (_, i) => `${this.firstBlock}.${LOAD_BALANCER_SLOTS_START + i}`,
    );
    return [...instances, this.dns, ...balancers];
  }
}

/** Raised when a loopback address of the plan cannot be bound (macOS without an alias). */
export class LoopbackAddressError extends Error {
  readonly code = 'EMULATOR_ADDRESS_UNAVAILABLE';

  constructor(address: string, cause: unknown, aliases: string[]) {
    super(loopbackHelp(address, aliases));
    this.name = 'LoopbackAddressError';
    this.cause = cause;
  }
}

export function loopbackHelp(address: string, aliases: string[]): string {
  const lines = aliases.map((alias) => `  sudo ifconfig lo0 alias ${alias} up`);
  return [
    `cannot bind ${address}: this system does not route that loopback address.`,
    'Linux routes all of 127.0.0.0/8; macOS routes only 127.0.0.1 until you add aliases:',
    ...lines,
    'Fix the subnet in a topology file (subnet: 127.77.1.0/24) so the aliases stay valid across runs.',
  ].join('\n');
}

/** True for a bind that failed because the address is not configured (also when wrapped). */
export function isAddressUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const code = (current as NodeJS.ErrnoException).code;
    if (code === 'EADDRNOTAVAIL' || code === 'BIND_ADDRESS_NOT_AVAILABLE') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Binds and releases a TCP port on `address`; throws LoopbackAddressError if it cannot. */
export async function probeLoopback(address: string, aliases: string[]): Promise<void> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, address, () => resolve());
    });
  } catch (error) {
    if (isAddressUnavailable(error)) throw new LoopbackAddressError(address, error, aliases);
    throw error;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
