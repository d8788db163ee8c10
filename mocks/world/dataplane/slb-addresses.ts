/**
 * Addresses the simulated SLB "sends from": 100.64.0.0/10, the block Alibaba Cloud reserves for
 * its load balancer nodes. Health checks and layer-7 forwarding come from them (conveyed to the
 * apps in a PROXY header). The world remembers which ones it uses for health checks, so an app
 * fault can spare health checks exactly — drainctl itself sees only 100.64.0.0/10 and must filter
 * the whole block, as in production.
 */

export class SlbAddresses {
  private readonly used = new Set<string>();
  private readonly healthCheckers = new Set<string>();

  constructor(private readonly random: () => number) {}

  /** `count` fresh addresses for the health-check nodes of one listener. */
  forHealthChecks(count: number): string[] {
    const addresses = this.fresh(count);
    for (const address of addresses) this.healthCheckers.add(address);
    return addresses;
  }

  /** `count` fresh addresses for the forwarding nodes of one layer-7 listener. */
  forForwarding(count: number): string[] {
    return this.fresh(count);
  }

  isHealthChecker(address: string): boolean {
    return this.healthCheckers.has(address);
  }

  private fresh(count: number): string[] {
    const addresses: string[] = [];
    while (addresses.length < count) {
      const octet = (span: number) => Math.floor(this.random() * span);
      const address = `100.${64 + octet(64)}.${octet(256)}.${1 + octet(254)}`;
      if (this.used.has(address)) continue;
      this.used.add(address);
      addresses.push(address);
    }
    return addresses;
  }
}

/** Whether an IPv4 address is inside 100.64.0.0/10. */
export function inSlbBlock(address: string): boolean {
  const [a, b] = address.split('.').map(Number);
  return a === 100 && b !== undefined && b >= 64 && b <= 127;
}

/** An ephemeral source port, as the SLB node's kernel would pick one. */
export function ephemeralPort(random: () => number): number {
  return 32768 + Math.floor(random() * (60999 - 32768));
}
