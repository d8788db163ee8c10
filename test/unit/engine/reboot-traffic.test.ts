/**
 * Traffic judged again right before a reboot: the drain's probe stays open through the patch,
 * and real traffic that reached the node meanwhile (clients with a cached DNS answer) holds the
 * reboot until it is quiet again — or, if it never is, the node is not rebooted, left out at
 * weight 0 and named, and the rollout halts. After a crash between the drain and the reboot a
 * fresh probe must see a whole quiet period. Against the in-memory world (AutoClock).
 */
import { describe, expect, it } from 'vitest';
import { foldJournal } from '#src/engine/journal/run-state.js';
import { buildReport, formatReport } from '#src/engine/reporting/report.js';
import { sha256Hex } from '#src/engine/sha256.js';
import {
  describeJudgement,
  type JudgementFacts,
  rebootDecision,
} from '#src/engine/steps/reboot-traffic.js';
import { hashPlan } from '#src/plan/plan-hash.js';
import type { DrainOutcome, TrafficProbe } from '#src/ports/index.js';
import { buildPlan, fleet, type PlanOptions } from '#support/hand-built-plans.js';
import { resumeModel, runModel } from '#support/in-memory-runs.js';
import { type Faults, InMemoryWorld, noFaults } from '#support/in-memory-world.js';

const OLD = '3.10.0-1160.el7.x86_64';
const NEW = '3.10.0-1160.119.1.el7.x86_64';
/** The hand-built plans (test/support/hand-built-plans.ts) wait for 10 s of quiet, within 120 s. */
const QUIET_MS = 10_000;
const TIMEOUT_MS = 120_000;

type Entry = { seq: number; ts: string; type: string; [k: string]: unknown };

function entries(world: InMemoryWorld): Entry[] {
  return world.journalLines.map((l) => JSON.parse(l) as Entry);
}

function at(entry: Entry | undefined): number {
  if (entry === undefined) throw new Error('no such entry');
  return Date.parse(entry.ts);
}

const patchResult = (node: string) => (e: Entry) =>
  e.type === 'result' && e.node === node && String(e.step).includes('node.patch');
const rebootIntent = (node: string) => (e: Entry) =>
  e.type === 'intent' && e.op === 'reboot' && e.node === node;
const recheck = (node: string) => (e: Entry) =>
  e.type === 'probe' && e.node === node && e.recheck === true;

async function run(setup: (f: Faults) => void, options: Partial<PlanOptions> = {}) {
  const faults = noFaults();
  setup(faults);
  const world = new InMemoryWorld(fleet(3), faults);
  const result = await runModel(
    world,
    buildPlan(world, { minHealthy: 1, maxUnavailable: 1, ...options }),
  );
  if (result === 'crashed') throw new Error('crashed');
  return { world, result };
}

describe('what a judgement means for the reboot', () => {
  it.each([
    ['drained', 'halt', 'reboot'],
    ['drained', 'proceed', 'reboot'],
    ['timeout', 'halt', 'not-rebooted'],
    ['timeout', 'proceed', 'reboot-anyway'],
  ] as const)('%s with onTimeout %s → %s', (outcome, onTimeout, expected) => {
    expect(rebootDecision(outcome, onTimeout)).toBe(expected);
  });

  const outcome = (o: Partial<DrainOutcome>, final: Partial<DrainOutcome['final']> = {}) =>
    ({
      outcome: 'drained',
      waitedSeconds: 0,
      realRequests: 0,
      ...o,
      final: {
        elapsedSeconds: 0,
        realRequests: 0,
        ignoredRequests: 0,
        requestsPerSecond: 0,
        quietSeconds: 0,
        ...final,
      },
    }) as DrainOutcome;
  const facts = (o: DrainOutcome, extra: Partial<JudgementFacts> = {}): JudgementFacts => ({
    outcome: o,
    probeKind: 'access-log',
    continued: true,
    patched: true,
    quietSeconds: 30,
    timeoutSeconds: 600,
    ...extra,
  });

  it.each([
    [facts(outcome({})), 'no real request since it was judged drained'],
    [
      facts(outcome({ realRequests: 2181, waitedSeconds: 41.2 })),
      '2181 real request(s) arrived during the patch; no real request for 30s again (waited 41s)',
    ],
    [
      facts(outcome({ waitedSeconds: 30 }), { continued: false }),
      "fresh probe (the drain's did not outlive the restart): no real request for 30s (waited 30s)",
    ],
    [
      facts(
        outcome(
          {
            outcome: 'timeout',
            waitedSeconds: 600,
            realRequests: 9000,
            lastRealRequestAt: '2026-11-21T02:10:00.000Z',
          },
          { requestsPerSecond: 12.5 },
        ),
      ),
      'real traffic kept arriving during the patch: not rebooted; 9000 real request(s) since it was judged drained, still 12.5 req/s 600s later (last real request 2026-11-21T02:10:00.000Z)',
    ],
    [
      facts(outcome({ outcome: 'timeout', waitedSeconds: 600 }, { connections: 3 }), {
        probeKind: 'connections',
        patched: false,
      }),
      'real traffic kept arriving since the drain: not rebooted; 3 connection(s) still open 600s later',
    ],
    [
      facts(outcome({ waitedSeconds: 1.4 }), { probeKind: 'connections' }),
      'no connection open right before the reboot',
    ],
    [
      facts(outcome({ waitedSeconds: 7.2, lastRealRequestAt: '2026-11-21T02:10:00.000Z' }, {}), {
        probeKind: 'connections',
      }),
      'connections were open right before the reboot; none for 30s again (waited 7s)',
    ],
  ])('says what it found: %#', (given, text) => {
    expect(describeJudgement(given)).toBe(text);
  });
});

describe('the reboot waits for traffic that arrived during the patch', () => {
  it('no traffic since the drain: rebooted right after the patch, the judgement journaled', async () => {
    const { world, result } = await run(() => {});
    expect(result.outcome).toBe('completed');
    const journal = entries(world);
    const judged = journal.find(recheck('i-node-1'));
    expect(judged).toMatchObject({
      kind: 'drain',
      outcome: 'drained',
      detail: 'no real request since it was judged drained',
      data: { waitedSeconds: 0, realRequests: 0, freshProbe: false },
    });
    expect(at(journal.find(rebootIntent('i-node-1')))).toBe(
      at(journal.find(patchResult('i-node-1'))),
    );
  });

  it('traffic for 30 s after the patch: the reboot comes 10 s of quiet after it stopped', async () => {
    const { world, result } = await run((f) => f.trafficAfterPatch.set('i-node-1', 30));
    expect(result.outcome).toBe('completed');
    expect(Object.values(world.endState().kernels)).toEqual([NEW, NEW, NEW]);
    const journal = entries(world);
    const patched = at(journal.find(patchResult('i-node-1')));
    expect(at(journal.find(rebootIntent('i-node-1'))) - patched).toBe(30_000 + QUIET_MS);
    expect(journal.find(recheck('i-node-1'))).toMatchObject({
      outcome: 'drained',
      detail: expect.stringMatching(
        /^\d+ real request\(s\) arrived during the patch; no real request for 10s again \(waited 40s\)$/,
      ),
    });
  });

  it('traffic that never stops: not rebooted, left out at weight 0 and named, the run halts', async () => {
    const { world, result } = await run((f) =>
      f.trafficAfterPatch.set('i-node-1', Number.POSITIVE_INFINITY),
    );
    expect(result.outcome).toBe('halted');
    expect(result.exitCode).toBe(2);
    expect(result.report.leftOut).toEqual([
      {
        id: 'i-node-1',
        name: 'web-1',
        reason: 'not-rebooted',
        detail: expect.stringContaining(
          'real traffic kept arriving during the patch: not rebooted',
        ),
      },
    ]);
    expect(result.report.haltReason).toContain(
      'real traffic kept arriving during the patch: not rebooted',
    );
    expect(world.hosts.get('i-node-1')?.rebooted).toBe(false);
    expect(world.endState().weights).toEqual({ 'i-node-1': 0, 'i-node-2': 100, 'i-node-3': 100 });
    expect(world.endState().kernels).toEqual({ 'i-node-1': OLD, 'i-node-2': OLD, 'i-node-3': OLD });
    expect(world.weightEvents.some((e) => e.serverId !== 'i-node-1')).toBe(false);
    const journal = entries(world);
    expect(journal.some(rebootIntent('i-node-1'))).toBe(false);
    // It waited the whole drain timeout, counted from the start of the judgement.
    const judged = journal.find(recheck('i-node-1'));
    expect(judged?.outcome).toBe('timeout');
    expect(at(judged) - at(journal.find(patchResult('i-node-1')))).toBe(TIMEOUT_MS);
  });

  it('with onTimeout proceed it is rebooted anyway after the timeout, and a note says so', async () => {
    const { world, result } = await run(
      (f) => f.trafficAfterPatch.set('i-node-1', Number.POSITIVE_INFINITY),
      { onTimeout: 'proceed' },
    );
    expect(result.outcome).toBe('completed');
    expect(world.endState().kernels['i-node-1']).toBe(NEW);
    const notes = entries(world).filter((e) => e.type === 'note');
    expect(notes.map((n) => n.message).join('\n')).toContain(
      'the workflow says proceed on a drain timeout: rebooting i-node-1 anyway; real traffic kept arriving during the patch: not rebooted',
    );
  });

  it('with probe none there is nothing to judge: no judgement, no wait', async () => {
    const { world, result } = await run(
      (f) => f.trafficAfterPatch.set('i-node-1', Number.POSITIVE_INFINITY),
      { drainProbe: 'none' },
    );
    expect(result.outcome).toBe('completed');
    expect(entries(world).some((e) => e.type === 'probe' && e.recheck === true)).toBe(false);
  });

  it('someone puts the node back while the reboot waits: not rebooted, left to them as drift', async () => {
    const world = new InMemoryWorld(fleet(3), noFaults());
    world.faults.trafficAfterPatch.set('i-node-1', 30);
    const result = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
      wrap: (ports) => ({
        ...ports,
        trafficProbes: async (node, config) => {
          const probe = await ports.trafficProbes(node, config);
          return {
            ...probe,
            waitForDrain: async (o) => {
              const outcome = await probe.waitForDrain(o);
              // A colleague in the console, while the reboot waited for quiet.
              if (o.continueQuiet === true) world.setWeight(node, 100);
              return outcome;
            },
          };
        },
      }),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(result.report.leftOut).toEqual([
      expect.objectContaining({
        id: 'i-node-1',
        reason: 'drift',
        detail: expect.stringContaining('reboot not sent: web-1 (i-node-1) is back in service'),
      }),
    ]);
    expect(world.hosts.get('i-node-1')?.rebooted).toBe(false);
    expect(world.endState().weights['i-node-1']).toBe(100);
  });

  it("keeps the drain's probe open through the patch and closes every probe it opened", async () => {
    const world = new InMemoryWorld(fleet(3), noFaults());
    const open = new Set<TrafficProbe>();
    let openDuringPatch = 0;
    const result = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
      wrap: (ports) => ({
        ...ports,
        trafficProbes: async (node, config) => {
          const probe = await ports.trafficProbes(node, config);
          open.add(probe);
          return {
            ...probe,
            waitForDrain: (o) => probe.waitForDrain(o),
            measureErrorRate: (o) => probe.measureErrorRate(o),
            close: async () => {
              open.delete(probe);
              await probe.close();
            },
          };
        },
        host: (target) => {
          const host = ports.host(target);
          return {
            ...host,
            runCommand: async (id, request, signal) => {
              if (request.script.includes('yum'))
                openDuringPatch = Math.max(openDuringPatch, open.size);
              return host.runCommand(id, request, signal);
            },
          };
        },
      }),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('completed');
    expect(openDuringPatch).toBe(1);
    expect(open.size).toBe(0);
  });
});

describe('while the reboot waits for quiet', () => {
  it('a note says so as soon as the wait begins, and status shows it under the node until it moves on', async () => {
    const world = new InMemoryWorld(fleet(3), noFaults());
    let during = '';
    const result = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
      wrap: (ports) => ({
        ...ports,
        trafficProbes: async (node, config) => {
          const probe = await ports.trafficProbes(node, config);
          const wrapped: TrafficProbe = {
            ...probe,
            async waitForDrain(o) {
              if (o.continueQuiet === true && node === 'i-node-1') {
                // Three requests arrived during the patch, the last 2 s ago: not quiet yet.
                o.onProgress?.({
                  elapsedSeconds: 0,
                  realRequests: 3,
                  ignoredRequests: 0,
                  requestsPerSecond: 0.5,
                  quietSeconds: 2,
                });
                await world.clock.sleep(1_000);
                const state = foldJournal(world.journalLines.map((line) => JSON.parse(line)));
                during = formatReport(buildReport(state, true)).join('\n');
              }
              return probe.waitForDrain(o);
            },
          };
          return wrapped;
        },
      }),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('completed');
    const note = entries(world).find((e) => e.type === 'note' && e.node === 'i-node-1');
    expect(note).toMatchObject({
      waiting: true,
      message:
        'waiting for quiet before the reboot: 3 real request(s) since it was judged drained, the last 2s ago; up to 120s',
    });
    // Before the judgement's own entry.
    expect(note?.seq).toBeLessThan(entries(world).find(recheck('i-node-1'))?.seq ?? 0);
    expect(during).toMatch(
      /web-1 \(i-node-1\) batch 0: patching, .*\n(.*\n)* {6}since \d\d:\d\d:\d\d: waiting for quiet before the reboot: 3 real request/,
    );
    expect(formatReport(result.report).join('\n')).not.toContain('waiting for quiet');
  });

  it('no note when the judgement finds it quiet at once', async () => {
    const world = new InMemoryWorld(fleet(3), noFaults());
    const result = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
      wrap: (ports) => ({
        ...ports,
        trafficProbes: async (node, config) => {
          const probe = await ports.trafficProbes(node, config);
          return {
            ...probe,
            async waitForDrain(o) {
              // Quiet since it was judged drained, longer than the quiet period asks.
              o.onProgress?.({
                elapsedSeconds: 0,
                realRequests: 0,
                ignoredRequests: 0,
                requestsPerSecond: 0,
                quietSeconds: 30,
              });
              return probe.waitForDrain(o);
            },
          };
        },
      }),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(entries(world).some((e) => e.type === 'note')).toBe(false);
  });
});

describe('an abort while the reboot waits for quiet', () => {
  /** The operator aborts while the reboot waits for traffic that arrived since the drain. */
  async function abortDuringWait(plan: ReturnType<typeof buildPlan>, world: InMemoryWorld) {
    const controller = new AbortController();
    const result = await runModel(world, plan, {
      signal: controller.signal,
      wrap: (ports) => ({
        ...ports,
        trafficProbes: async (node, config) => {
          const probe = await ports.trafficProbes(node, config);
          const wrapped: TrafficProbe = {
            ...probe,
            async waitForDrain(o) {
              if (o.continueQuiet === true && node === 'i-node-1') {
                controller.abort(new Error('received SIGINT'));
                // Clients still arriving: quiet comes a minute later (unless the wait is cut).
                await world.clock.sleep(60_000, o.signal);
              }
              return probe.waitForDrain(o);
            },
          };
          return wrapped;
        },
      }),
    });
    if (result === 'crashed') throw new Error('crashed');
    return result;
  }

  it('a node no command changed yet (no patch commands): not rebooted, put back to its weight', async () => {
    const world = new InMemoryWorld(fleet(3), noFaults());
    const built = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
    const steps = built.steps.filter((step) => step.action !== 'node.patch');
    const { sha256: _, ...unhashed } = { ...built, steps };
    const result = await abortDuringWait(
      { ...unhashed, sha256: hashPlan(unhashed, sha256Hex) },
      world,
    );
    expect(result.outcome).toBe('halted');
    expect(entries(world).some(rebootIntent('i-node-1'))).toBe(false);
    expect(world.hosts.get('i-node-1')?.rebooted).toBe(false);
    expect(result.report.nodes[0]).toMatchObject({ state: 'rolled-back', weightAfter: 100 });
    expect(world.endState().weights).toEqual({ 'i-node-1': 100, 'i-node-2': 100, 'i-node-3': 100 });
  });

  it('a patched node is carried through: it waits for quiet, reboots and comes back proven', async () => {
    const world = new InMemoryWorld(fleet(3), noFaults());
    const result = await abortDuringWait(
      buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }),
      world,
    );
    expect(result.outcome).toBe('halted');
    expect(world.hosts.get('i-node-1')?.rebooted).toBe(true);
    expect(result.report.nodes.map((n) => n.state)).toEqual(['done', 'pending', 'pending']);
    expect(world.endState().kernels['i-node-1']).toBe(NEW);
  });
});

describe('a crash between the drain and the reboot', () => {
  it('the resumed run opens a fresh probe and waits a whole quiet period before rebooting', async () => {
    const options: PlanOptions = { minHealthy: 1, maxUnavailable: 1 };
    const reference = new InMemoryWorld(fleet(3), noFaults());
    await runModel(reference, buildPlan(reference, options));
    const crashAt = entries(reference).find(patchResult('i-node-1'))?.seq;
    expect(crashAt).toBeDefined();

    const world = new InMemoryWorld(fleet(3), noFaults());
    const first = await runModel(world, buildPlan(world, options), { crashAfterSeq: crashAt });
    expect(first).toBe('crashed');
    const resumed = await resumeModel(world);
    if (resumed === 'crashed') throw new Error('resume crashed');
    expect(resumed.outcome).toBe('completed');
    const journal = entries(world);
    const resumedAt = at(journal.find((e) => e.type === 'resume'));
    expect(journal.find(recheck('i-node-1'))).toMatchObject({
      outcome: 'drained',
      data: { freshProbe: true, waitedSeconds: QUIET_MS / 1000 },
    });
    expect(at(journal.find(rebootIntent('i-node-1'))) - resumedAt).toBeGreaterThanOrEqual(QUIET_MS);
    expect(world.endState().kernels).toEqual(reference.endState().kernels);
  });

  it('and holds the reboot while clients still arrive after the restart', async () => {
    const options: PlanOptions = { minHealthy: 1, maxUnavailable: 1 };
    const faults = () => {
      const f = noFaults();
      f.trafficAfterPatch.set('i-node-1', 25);
      return f;
    };
    const reference = new InMemoryWorld(fleet(3), faults());
    await runModel(reference, buildPlan(reference, options));
    const crashAt = entries(reference).find(patchResult('i-node-1'))?.seq;

    const world = new InMemoryWorld(fleet(3), faults());
    expect(await runModel(world, buildPlan(world, options), { crashAfterSeq: crashAt })).toBe(
      'crashed',
    );
    const resumed = await resumeModel(world);
    if (resumed === 'crashed') throw new Error('resume crashed');
    expect(resumed.outcome).toBe('completed');
    const journal = entries(world);
    const patched = at(journal.find(patchResult('i-node-1')));
    expect(at(journal.find(rebootIntent('i-node-1'))) - patched).toBeGreaterThanOrEqual(
      25_000 + QUIET_MS,
    );
  });
});
