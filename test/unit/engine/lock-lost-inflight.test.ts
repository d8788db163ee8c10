/**
 * A weight change journaled as intent whose result never came — the lock was found lost while
 * SetBackendServers was in flight (the guard refuses the result entry), or the process died
 * then — leaves the live weight uncertain: the report must not name the node with its last
 * confirmed weight ("draining, weight 100" reads as "still serving"). It says the change is in
 * flight, in text and in JSON (`weightInFlight`), in the run's report and in `status`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnginePorts } from '#src/engine/engine-ports.js';
import type { JournalEntry } from '#src/engine/journal/entries.js';
import { foldJournal } from '#src/engine/journal/run-state.js';
import { startRun } from '#src/engine/lifecycle/runner.js';
import { lockPath } from '#src/engine/lock/balancer-lock.js';
import { buildReport, formatReport } from '#src/engine/reporting/report.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { runModel, silent } from '#support/in-memory-runs.js';
import { Incarnation, InMemoryWorld } from '#support/in-memory-world.js';

const IN_FLIGHT = 'web-1 (i-node-1): draining, weight 100→0 (change in flight, check the console)';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'drainctl-inflight-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('a weight change in flight when the run stopped', () => {
  it('lock lost mid-SetBackendServers: the report says the weight-0 change is in flight', async () => {
    const world = new InMemoryWorld(fleet(2));
    const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
    const ports: EnginePorts = world.ports(new Incarnation());
    const lb = ports.loadBalancer;
    let stolen = false;
    let landed: () => void = () => undefined;
    const weightZeroLanded = new Promise<void>((resolve) => {
      landed = resolve;
    });
    ports.loadBalancer = {
      ...lb,
      setBackendWeights: async (id, weights) => {
        if (!stolen && weights.some((w) => w.weight === 0)) {
          stolen = true;
          const now = new Date().toISOString();
          const thief = JSON.stringify({
            key: world.loadBalancerId,
            runId: 'r-thief',
            pid: 4_194_400,
            host: 'ops-02',
            acquiredAt: now,
            heartbeatAt: now,
          });
          // The heartbeat (every 10 ms) notices while the call is in flight. The thief writes
          // again and again: a heartbeat already past its check would write over one write.
          for (let i = 0; i < 100; i += 1) {
            await writeFile(lockPath(home, world.loadBalancerId), thief);
            await delay(5);
          }
        }
        await lb.setBackendWeights(id, weights);
        if (weights.some((w) => w.weight === 0)) landed();
      },
    };
    const result = await startRun(plan, {
      home,
      runId: 'r-1',
      ports,
      logger: silent,
      abortPollMs: 3_600_000,
      heartbeatMs: 10,
    });
    expect(result.outcome).toBe('failed');
    // The run returned at the loss; the call it had in flight lands after that.
    await weightZeroLanded;
    expect(world.endState().weights['i-node-1']).toBe(0);
    const web1 = result.report.unfinished.find((n) => n.id === 'i-node-1');
    expect(web1).toMatchObject({ state: 'draining', weightInFlight: { from: 100, to: 0 } });
    expect(formatReport(result.report).join('\n')).toContain(IN_FLIGHT);
  });

  it('status of a run cut after the drain intent: in flight on the node and not-finished lines', async () => {
    const world = new InMemoryWorld(fleet(2));
    await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }));
    const entries = world.journalLines.map((l) => JSON.parse(l) as JournalEntry);
    const intent = entries.findIndex(
      (e) => e.type === 'intent' && e.op === 'set-weight' && e.to.weight === 0,
    );
    expect(intent).toBeGreaterThan(0);
    const report = buildReport(foldJournal(entries.slice(0, intent + 1)), false);
    expect(report.unfinished).toEqual([
      {
        id: 'i-node-1',
        name: 'web-1',
        state: 'draining',
        weight: 100,
        weightInFlight: { from: 100, to: 0 },
      },
    ]);
    const text = formatReport(report).join('\n');
    expect(text).toContain(
      'web-1 (i-node-1) batch 0: draining, weight 100 → ? (100→0 in flight, check the console)',
    );
    expect(text).toContain(`NOT FINISHED (may be out of service):\n    ${IN_FLIGHT}`);
    // Once the result is journaled the weight is certain again.
    const settled = buildReport(foldJournal(entries.slice(0, intent + 2)), false);
    expect(settled.nodes.find((n) => n.id === 'i-node-1')?.weightInFlight).toBeUndefined();
  });
});
