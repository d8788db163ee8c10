/**
 * The emulator's loopback address plan: one /24 inside 127.0.0.0/8 per emulator (random unless the
 * topology fixes it, never 127.0.0.0/24) so emulators in parallel never clash. Instances get .11,
 * .12, …; load balancers .101, .102, …; the DNS server .53.
 *
 * Linux routes all of 127.0.0.0/8 to the loopback interface. macOS routes only 127.0.0.1 unless an
 * alias is added, so a failing bind is reported with the exact `ifconfig` lines that fix it.
 */
import { createServer } from 'node:net';

const FIRST_INSTANCE = 11;
const FIRST_LOAD_BALANCER = 101;
const LAST_LOAD_BALANCER = 250;

/** A random "127.A.B" prefix with A in 1–254, so never 127.0.0.0/24. */
export function randomSubnetPrefix(random: () => number = Math.random): string {
  const a = 1 + Math.floor(random() * 254);
  const b = Math.floor(random() * 256);
  return `127.${a}.${b}`;
}

/** "127.77.1.0/24" → "127.77.1". */
export function prefixOf(subnet: string): string {
  return subnet.replace(/\.0\/24$/, '');
}

export class AddressPlan {
  private nextLoadBalancer = FIRST_LOAD_BALANCER;

  constructor(readonly prefix: string) {}

  get subnet(): string {
    return `${this.prefix}.0/24`;
  }

  instance(index: number): string {
    return `${this.prefix}.${FIRST_INSTANCE + index}`;
  }

  get dns(): string {
    return `${this.prefix}.53`;
  }

  /** The next free load balancer address; addresses are not reused while the emulator runs. */
  allocateLoadBalancer(): string {
    if (this.nextLoadBalancer > LAST_LOAD_BALANCER) {
      throw new Error(`no load balancer address left in ${this.subnet}`);
    }
    const address = `${this.prefix}.${this.nextLoadBalancer}`;
    this.nextLoadBalancer += 1;
    return address;
  }

  /** Back to the first load balancer address (after a reset, when no balancer exists). */
  resetLoadBalancers(): void {
    this.nextLoadBalancer = FIRST_LOAD_BALANCER;
  }

  /** Every address a typical run binds: instances, the DNS server, the first balancers. */
  addressesFor(instanceCount: number, loadBalancers = 3): string[] {
    const instances = Array.from({ length: instanceCount }, (_, i) => this.instance(i));
    const balancers = Array.from(
      { length: loadBalancers },
      (_, i) => `${this.prefix}.${FIRST_LOAD_BALANCER + i}`,
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
