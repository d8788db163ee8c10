/**
 * The alert gate in the engine: every node's gate step asks it before the balancer's headroom;
 * while it blocks the node waits, still serving, and the run halts with it untouched once
 * `maxWaitMinutes` have passed. It fails closed, and a crash while waiting resumes by asking again.
 */
import { describe, expect, it } from 'vitest';
import { foldJournal } from '#src/engine/journal/run-state.js';
import { buildReport, formatReport } from '#src/engine/reporting/report.js';
import type { PlanAlertGate } from '#src/plan/types.js';
import type { AlertMatch } from '#src/ports/index.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { resumeModel, runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld } from '#support/in-memory-world.js';

type Entry = Record<string, unknown> & { seq: number; ts: string; type: string };

const GATE: PlanAlertGate = {
  prometheusUrl: 'http://prometheus.model:9090',
  query: 'ALERTS{alertstate="firing"}',
  labels: {},
  timeoutMs: 5000,
  maxWaitMinutes: 30,
  pollSeconds: 30,
};
const FIRING: AlertMatch[] = [{ labels: { alertname: 'HighErrorRate', severity: 'critical' } }];

function entries(world: InMemoryWorld): Entry[] {
  return world.journalLines.map((line) => JSON.parse(line) as Entry);
}

function waitingNotes(world: InMemoryWorld): Entry[] {
  return entries(world).filter((e) => e.type === 'note' && e.waiting === true);
}

function plan(world: InMemoryWorld, gate: PlanAlertGate = GATE) {
  return buildPlan(world, { minHealthy: 1, maxUnavailable: 1, alertGate: gate });
}

describe('the alert gate before each node leaves service', () => {
  it('blocked → the node waits, serving; unblocked → it proceeds', async () => {
    const world = new InMemoryWorld(fleet(2));
    world.alerts = FIRING;
    let during = '';
    const result = await runModel(world, plan(world), {
      wrap: (ports) => ({
        ...ports,
        alertGate: {
          async check(query, signal) {
            const verdict = await ports.alertGate?.check(query, signal);
            if (world.alertQuestions.length === 2) {
              during = formatReport(buildReport(foldJournal(entries(world) as never), true)).join(
                '\n',
              );
            }
            // The alert clears after the third question (an hour of minutes later on the model).
            if (world.alertQuestions.length === 3) world.alerts = [];
            if (verdict === undefined) throw new Error('no gate');
            return verdict;
          },
        },
      }),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('completed');
    // Three questions for node 1 (blocked, blocked, blocked→cleared after), one for node 2.
    const [first, , third, fourth] = world.alertQuestions;
    expect(world.alertQuestions).toHaveLength(5);
    expect((third ?? 0) - (first ?? 0)).toBe(60_000);
    // Nothing left service before the gate opened.
    expect(world.weightEvents[0]?.at).toBeGreaterThanOrEqual(fourth ?? Infinity);
    expect(waitingNotes(world)).toEqual([
      expect.objectContaining({
        node: 'i-node-1',
        alertGate: true,
        message: expect.stringMatching(/^waiting for the alert gate: 1 firing: HighErrorRate;/),
      }),
    ]);
    const gates = entries(world).filter(
      (e) => e.type === 'gate' && (e.checks as Array<{ name: string }>)[0]?.name === 'alerts',
    );
    expect(gates.map((g) => [g.node, g.passed])).toEqual([
      ['i-node-1', true],
      ['i-node-2', true],
    ]);
    expect(during).toMatch(
      /since \d\d:\d\d:\d\d: waiting for the alert gate: 1 firing: HighErrorRate/,
    );
    expect(formatReport(result.report).join('\n')).not.toContain('waiting for the alert gate');
  });

  it('blocked for longer than maxWaitMinutes → halts with every node serving, named in the halt', async () => {
    const world = new InMemoryWorld(fleet(2));
    world.alerts = FIRING;
    const started = world.clock.monotonic();
    const result = await runModel(world, plan(world, { ...GATE, maxWaitMinutes: 10 }));
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('halted');
    expect(result.exitCode).toBe(2);
    expect(world.weightEvents).toEqual([]);
    expect(result.report.nodes.map((n) => n.state)).toEqual(['pending', 'pending']);
    expect(result.state.halt).toMatch(
      /alert gate blocked: 1 firing: HighErrorRate \(waited 10 min for it to clear\); the rollout halts before i-node-1 leaves service/,
    );
    const questions = world.alertQuestions;
    expect((questions.at(-1) ?? 0) - started).toBe(10 * 60_000);
    // 0 s, 30 s, … 600 s: asked every pollSeconds, the last at the deadline.
    expect(questions).toHaveLength(21);
  });

  it('maxWaitMinutes 0 halts at the first blocked answer', async () => {
    const world = new InMemoryWorld(fleet(2));
    world.alerts = FIRING;
    const result = await runModel(world, plan(world, { ...GATE, maxWaitMinutes: 0 }));
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('halted');
    expect(world.alertQuestions).toHaveLength(1);
    expect(waitingNotes(world)).toEqual([]);
  });

  it('fails closed: monitoring that cannot be asked blocks, and so does a process without a checker', async () => {
    const world = new InMemoryWorld(fleet(1));
    world.alerts = 'unreachable';
    const result = await runModel(world, plan(world, { ...GATE, maxWaitMinutes: 0 }));
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('halted');
    expect(result.state.halt).toMatch(/fails closed\): model monitoring unreachable/);

    const bare = new InMemoryWorld(fleet(1));
    const unwired = await runModel(bare, plan(bare, { ...GATE, maxWaitMinutes: 0 }), {
      wrap: ({ alertGate: _gate, ...ports }) => ports,
    });
    if (unwired === 'crashed') throw new Error('crashed');
    expect(unwired.outcome).toBe('halted');
    expect(unwired.state.halt).toMatch(/this process has no alert gate checker/);
    expect(bare.weightEvents).toEqual([]);

    const throwing = new InMemoryWorld(fleet(1));
    const threw = await runModel(throwing, plan(throwing, { ...GATE, maxWaitMinutes: 0 }), {
      wrap: (ports) => ({
        ...ports,
        alertGate: {
          check: async () => {
            throw new Error('socket hang up');
          },
        },
      }),
    });
    if (threw === 'crashed') throw new Error('crashed');
    expect(threw.outcome).toBe('halted');
    expect(threw.state.halt).toMatch(/fails closed\): socket hang up/);
  });

  it('a stop request while a node waits ends the wait at once, the node untouched', async () => {
    const world = new InMemoryWorld(fleet(2));
    world.alerts = FIRING;
    const controller = new AbortController();
    const result = await runModel(world, plan(world), {
      signal: controller.signal,
      wrap: (ports) => ({
        ...ports,
        alertGate: {
          async check(query, signal) {
            // Ten seconds into the 30 s pause after the first question.
            if (world.alertQuestions.length === 0) {
              void world.clock.sleep(10_000).then(() => controller.abort());
            }
            const verdict = await ports.alertGate?.check(query, signal);
            if (verdict === undefined) throw new Error('no gate');
            return verdict;
          },
        },
      }),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('halted');
    // One question: the stop cut the pause short instead of waiting out the 30 minutes.
    expect(world.alertQuestions).toHaveLength(1);
    expect(world.clock.monotonic() - (world.alertQuestions[0] ?? 0)).toBeLessThan(30_000);
    expect(world.weightEvents).toEqual([]);
    expect(result.report.nodes.map((n) => n.state)).toEqual(['pending', 'pending']);
  });

  it('is asked again for every node: an alert that fires after the first batch holds the second', async () => {
    const world = new InMemoryWorld(fleet(2));
    const result = await runModel(world, plan(world, { ...GATE, maxWaitMinutes: 5 }), {
      wrap: (ports) => ({
        ...ports,
        alertGate: {
          async check(query, signal) {
            // Fires once node 1 is back in service.
            if (world.weightEvents.some((e) => e.serverId === 'i-node-1' && e.to === 100)) {
              world.alerts = FIRING;
            }
            const verdict = await ports.alertGate?.check(query, signal);
            if (verdict === undefined) throw new Error('no gate');
            return verdict;
          },
        },
      }),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('halted');
    expect(result.report.nodes.map((n) => [n.id, n.state])).toEqual([
      ['i-node-1', 'done'],
      ['i-node-2', 'pending'],
    ]);
    expect(world.weightEvents.filter((e) => e.serverId === 'i-node-2')).toEqual([]);
  });

  it('a crash while waiting: the resumed run asks again and proceeds once the gate opens', async () => {
    const world = new InMemoryWorld(fleet(2));
    world.alerts = FIRING;
    // Learn the seq of the waiting note from a run that stays blocked.
    const reference = new InMemoryWorld(fleet(2));
    reference.alerts = FIRING;
    await runModel(reference, plan(reference));
    const crashAt = waitingNotes(reference)[0]?.seq;
    expect(crashAt).toBeDefined();

    expect(await runModel(world, plan(world), { crashAfterSeq: crashAt })).toBe('crashed');
    expect(world.weightEvents).toEqual([]);
    const crashed = buildReport(foldJournal(entries(world) as never), false);
    expect(crashed.nodes[0]?.waiting?.message).toMatch(/^waiting for the alert gate/);

    world.alerts = [];
    const asked = world.alertQuestions.length;
    const resumed = await resumeModel(world);
    if (resumed === 'crashed') throw new Error('resume crashed');
    expect(resumed.outcome).toBe('completed');
    expect(world.alertQuestions.length).toBe(asked + 2);
    expect(resumed.report.nodes.map((n) => n.state)).toEqual(['done', 'done']);
  });

  it('a plan without an alert gate never asks', async () => {
    const world = new InMemoryWorld(fleet(2));
    world.alerts = FIRING;
    const result = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }));
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('completed');
    expect(world.alertQuestions).toEqual([]);
  });
});
