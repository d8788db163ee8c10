/**
 * A throttling storm while a node drains is visible while it lasts: the run journals a retry
 * note for the step (once a call has been failing for 5 s, then at most every 30 s, and once more
 * when it went through), and `drainctl status` — folding the journal in another process — shows
 * it under the node, then no more once the call went through.
 */
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '#src/engine/journal/entries.js';
import { foldJournal } from '#src/engine/journal/run-state.js';
import { buildReport, formatReport } from '#src/engine/reporting/report.js';
import type { CloudRetryEvent, CloudRetryFeed } from '#src/ports/index.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld } from '#support/in-memory-world.js';

function feed(): CloudRetryFeed & { tell(event: CloudRetryEvent): void } {
  const listeners = new Set<(event: CloudRetryEvent) => void>();
  return {
    tell: (event) => {
      for (const listener of listeners) listener(event);
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

const entries = (world: InMemoryWorld) =>
  world.journalLines.map((l) => JSON.parse(l) as JournalEntry);
const status = (world: InMemoryWorld, running: boolean) =>
  formatReport(buildReport(foldJournal(entries(world)), running));
const settle = async () => {
  for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

/** Seconds into the storm at which SetBackendServers answered Throttling.User again. */
const STORM = [0.5, 2, 6, 14, 30, 45, 62, 97];

describe('a throttling storm during a drain', () => {
  it('is journaled for the step, rate-limited, shown by status while it lasts, and closed', async () => {
    const world = new InMemoryWorld(fleet(2));
    const retries = feed();
    const seen: string[][] = [];
    const result = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
      wrap: (ports) => ({
        ...ports,
        cloudRetries: retries,
        loadBalancer: {
          ...ports.loadBalancer,
          setBackendWeights: async (id, weights) => {
            const draining = weights.some((w) => w.serverId === 'i-node-1' && w.weight === 0);
            if (draining && seen.length === 0) {
              const started = world.clock.monotonic();
              for (const [index, at] of STORM.entries()) {
                await world.clock.sleep(started + at * 1000 - world.clock.monotonic());
                retries.tell({
                  kind: 'retrying',
                  product: 'slb',
                  action: 'SetBackendServers',
                  code: 'Throttling.User',
                  attempts: index + 1,
                  elapsedMs: at * 1000,
                  delayMs: 1000,
                });
                await settle();
                if (at === 62) seen.push(status(world, true));
              }
              retries.tell({
                kind: 'recovered',
                product: 'slb',
                action: 'SetBackendServers',
                code: 'Throttling.User',
                attempts: STORM.length + 1,
                elapsedMs: 98_000,
              });
            }
            return ports.loadBalancer.setBackendWeights(id, weights);
          },
        },
      }),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('completed');

    const notes = entries(world).filter((e) => e.type === 'note' && e.cloudRetry !== undefined);
    // 6 s (the first past 5 s), 45 s (30 s later), 97 s; then the call went through.
    expect(notes.map((n) => n.type === 'note' && n.message)).toEqual([
      'SetBackendServers throttled (Throttling.User), retrying: 3 attempts, 6 s so far',
      'SetBackendServers throttled (Throttling.User), retrying: 6 attempts, 45 s so far',
      'SetBackendServers throttled (Throttling.User), retrying: 8 attempts, 97 s so far',
      'SetBackendServers went through after 9 attempts, 98 s',
    ]);
    for (const note of notes) {
      expect(note).toMatchObject({
        node: 'i-node-1',
        step: expect.stringMatching(/node\.drain-i-node-1$/),
      });
    }

    // Mid-storm, status shows the retries under the draining node.
    const during = seen[0] ?? [];
    const node = during.findIndex((l) => /^ {2}web-1 \(i-node-1\) batch \d+: draining/.test(l));
    expect(node).toBeGreaterThan(0);
    expect(during.slice(node + 1).find((l) => l.includes('API retries'))).toMatch(
      /^ {6}API retries since 02:00:\d\d: SetBackendServers throttled \(Throttling\.User\), retrying: 6 attempts, 45 s so far \(noted 02:0\d:\d\d\)$/,
    );
    // Once through, and at the end, no more.
    expect(status(world, false).some((l) => l.includes('API retries'))).toBe(false);
  });
});
