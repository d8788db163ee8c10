/**
 * httpx, the HTTP layer under every Alibaba Cloud SDK, arms a read timer per request on its
 * socket and clears it only in its own `read()`, which the SDKs do not use: each request, its
 * response and their closures stayed reachable for the whole read timeout (20 s) after the
 * answer — on a fleet night of thousands of calls a minute, tens of megabytes held for nothing.
 * The timer is cleared here when the socket goes back to its agent's pool, which happens only
 * once the response was read to its end. httpx's agents are its own (not exported): they are
 * found on the first request each one sends.
 */
import { subscribe } from 'node:diagnostics_channel';
import { Agent, type ClientRequest } from 'node:http';
import type { Socket } from 'node:net';

/** httpx keys its timer on the socket with this symbol (not exported: found by description). */
const READ_TIMER_DESCRIPTION = 'TIMER::READ_TIMER';

const watched = new WeakSet<Agent>();
let subscribed = false;

/** Clear the read timer of every socket `agent` takes back into its pool; once per agent. */
export function clearReadTimersOnRelease(agent: Agent): void {
  if (watched.has(agent)) return;
  watched.add(agent);
  agent.on('free', (socket: Socket) => {
    const holder = socket as unknown as Record<symbol, unknown>;
    for (const key of Object.getOwnPropertySymbols(socket)) {
      if (key.description !== READ_TIMER_DESCRIPTION) continue;
      const timer = holder[key];
      if (timer !== null && timer !== undefined) clearTimeout(timer as NodeJS.Timeout);
      holder[key] = null;
    }
  });
}

/** From now on, the agent of every HTTP(S) request this process sends (httpx's among them). */
export function clearSdkReadTimersOnRelease(): void {
  if (subscribed) return;
  subscribed = true;
  subscribe('http.client.request.start', (message) => {
    const agent = (message as { request: ClientRequest & { agent?: unknown } }).request.agent;
    if (agent instanceof Agent) clearReadTimersOnRelease(agent);
  });
}
