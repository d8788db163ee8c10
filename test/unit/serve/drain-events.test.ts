/**
 * Drain progress reaches the event stream as `drain` events (what the run page writes into the
 * draining server's row), beside the journal's run and node events.
 */
import { describe, expect, it } from 'vitest';
import { RunEventHub, type ServeEvent } from '#src/serve/events/run-events.js';

describe('RunEventHub.drainProgress', () => {
  it('tells every subscriber a drain event for the run and node', () => {
    const hub = new RunEventHub();
    const seen: ServeEvent[] = [];
    const stop = hub.subscribe((event) => seen.push(event));
    hub.drainProgress({
      runId: 'r-1',
      node: 'i-web-1',
      elapsedSeconds: 3,
      realRequests: 12,
      ignoredRequests: 2,
      requestsPerSecond: 4.5,
      quietSeconds: 0.4,
    });
    stop();
    hub.drainProgress({
      runId: 'r-1',
      node: 'i-web-1',
      elapsedSeconds: 4,
      realRequests: 12,
      ignoredRequests: 2,
      requestsPerSecond: 0,
      quietSeconds: 1.4,
    });
    expect(seen).toEqual([
      {
        type: 'drain',
        runId: 'r-1',
        node: 'i-web-1',
        requestsPerSecond: 4.5,
        quietSeconds: 0.4,
        elapsedSeconds: 3,
        realRequests: 12,
      },
    ]);
  });
});
