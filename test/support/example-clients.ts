/**
 * Clients of the service while an example workflow runs against `drainctl emulator`. A ramp hold
 * is judged on real requests, and one with fewer than `minRequests` halts the run, so an idle
 * emulator could prove no ramp. Each client sends a request every 7 s, longer than the
 * emulator's 5 s keep-alive timeout: every request is a new connection that goes where the
 * weights send it, and a drained server keeps no client on an old one.
 */
import { systemClock } from '#src/adapters/local/system-clock.js';
import { LoadGenerator } from '#src/demo/load-generator.js';
import type { EmulatorProcess } from './emulator-process.js';

const SECONDS_BETWEEN_REQUESTS = 7;

/** Requests to the emulator's (first) balancer on port 8080, from before it exists until stopped. */
export function clientsOfBalancer(emulator: EmulatorProcess, ratePerSecond: number): LoadGenerator {
  const load = new LoadGenerator({
    hostname: 'www.example.com',
    port: 8080,
    resolve: async () => {
      const balancer = (await emulator.state()).loadBalancers[0];
      if (balancer === undefined) throw new Error('no balancer yet');
      return { address: balancer.address, ttlSeconds: 1 };
    },
    ratePerSecond,
    clients: ratePerSecond * SECONDS_BETWEEN_REQUESTS,
    clock: systemClock,
  });
  load.start();
  return load;
}
