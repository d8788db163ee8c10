/**
 * The SDKs' HTTP layer arms a read timer per request and never clears it on the path the SDKs
 * read responses through; drainctl clears it when the socket returns to the pool, so a request
 * and its response are not kept for the whole read timeout after the answer.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Agent, type ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { useAliyunEnv } from '#support/emulator-adapters.js';

const env = useAliyunEnv();

/** The agents the SDK calls went through (httpx's own, not exported). */
const agents = new Set<Agent>();
const onRequest = (message: unknown) => {
  const agent = (message as { request: ClientRequest & { agent?: unknown } }).request.agent;
  if (agent instanceof Agent) agents.add(agent);
};
subscribe('http.client.request.start', onRequest);
afterAll(() => {
  unsubscribe('http.client.request.start', onRequest);
});

/** Pooled sockets of those agents, and how many of them still have an armed read timer. */
function armedReadTimers(): { sockets: number; armed: number } {
  let sockets = 0;
  let armed = 0;
  for (const agent of agents) {
    for (const pool of Object.values(agent.freeSockets)) {
      for (const socket of (pool ?? []) as Socket[]) {
        sockets += 1;
        const holder = socket as unknown as Record<symbol, unknown>;
        for (const key of Object.getOwnPropertySymbols(socket)) {
          if (key.description !== 'TIMER::READ_TIMER') continue;
          const timer = holder[key] as (NodeJS.Timeout & { _destroyed?: boolean }) | null;
          if (timer !== null && timer !== undefined && timer._destroyed !== true) armed += 1;
        }
      }
    }
  }
  return { sockets, armed };
}

describe('read timers of answered calls', () => {
  it('no pooled socket keeps an armed read timer once its calls were answered (SLB and ECS)', async () => {
    const { clients } = env();
    await Promise.all([
      ...Array.from({ length: 8 }, () => clients.slb.describeLoadBalancers({})),
      clients.ecs.describeInstances(['i-none']),
    ]);
    // The socket returns to the pool once the response has ended, a tick after the answer.
    await new Promise((resolve) => setImmediate(resolve));
    const after = armedReadTimers();
    expect(after.sockets).toBeGreaterThan(0);
    expect(after.armed).toBe(0);
  });
});
