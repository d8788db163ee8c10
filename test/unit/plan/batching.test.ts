import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { InvalidInputError } from '#src/errors/index.js';
import { cutBatches, planRollout } from '#src/plan/index.js';
import type { BackendHealth } from '#src/ports/index.js';
import {
  caseChoices,
  caseWorkflow,
  caseWorld,
  type FleetCase,
  nodeId,
} from '#support/fleet-cases.js';

const ok = (weight = 100, group?: string) => ({
  weight,
  health: 'normal' as BackendHealth,
  ...(group === undefined ? {} : { group }),
});
const sick = (health: BackendHealth = 'abnormal') => ({ weight: 100, health });

function batchesOf(fleetCase: FleetCase): string[][] {
  const { spec, source } = caseWorkflow(fleetCase);
  return planRollout(
    spec,
    caseWorld(fleetCase),
    source,
    sha256Hex,
    caseChoices(fleetCase),
  ).batches.map((batch) => batch.nodes);
}

const ids = (...numbers: number[]) => numbers.map((n) => nodeId(n - 1));

describe('batches over many inventories', () => {
  it.each<[string, FleetCase, string[][]]>([
    [
      'four healthy, two at a time, two must stay',
      { nodes: [ok(), ok(), ok(), ok()], maxUnavailable: 2, minHealthy: 2 },
      [ids(1, 2), ids(3, 4)],
    ],
    [
      'minHealthy, not maxUnavailable, is the limit',
      { nodes: [ok(), ok(), ok(), ok()], maxUnavailable: 3, minHealthy: 2 },
      [ids(1, 2), ids(3, 4)],
    ],
    [
      'group members never share a batch; order is kept',
      { nodes: [ok(100, 'a'), ok(100, 'a'), ok(), ok()], maxUnavailable: 2, minHealthy: 1 },
      [ids(1), ids(2, 3), ids(4)],
    ],
    [
      'pairs across batches',
      {
        nodes: [ok(100, 'a'), ok(100, 'b'), ok(100, 'a'), ok(100, 'b')],
        maxUnavailable: 2,
        minHealthy: 2,
      },
      [ids(1, 2), ids(3, 4)],
    ],
    [
      'an unhealthy node does not lower the healthy count when it leaves',
      { nodes: [ok(), ok(), sick(), ok()], maxUnavailable: 2, minHealthy: 2 },
      [ids(1), ids(2, 3), ids(4)],
    ],
    [
      '"unavailable" (not checked) is not healthy',
      { nodes: [ok(), sick('unavailable'), ok(), ok()], maxUnavailable: 3, minHealthy: 2 },
      [ids(1, 2), ids(3), ids(4)],
    ],
    [
      'a node at weight 0 takes no capacity away',
      {
        nodes: [ok(), { ...ok(0), restoreWeight: 100 }, ok()],
        maxUnavailable: 2,
        minHealthy: 1,
      },
      [ids(1, 2), ids(3)],
    ],
    [
      'a node at weight 0 that nobody gave a weight for is left as found, in no batch',
      { nodes: [ok(), ok(0), ok()], maxUnavailable: 2, minHealthy: 1 },
      [ids(1), ids(3)],
    ],
    [
      'backends outside the fleet count for minHealthy',
      { nodes: [ok(), ok()], others: [ok(), ok()], maxUnavailable: 2, minHealthy: 2 },
      [ids(1, 2)],
    ],
    [
      'unhealthy or unweighted backends outside the fleet do not',
      {
        nodes: [ok(), ok(), ok()],
        others: [sick(), ok(0)],
        maxUnavailable: 3,
        minHealthy: 2,
      },
      [ids(1), ids(2), ids(3)],
    ],
    [
      'percents: half of four may go, half of the serving four must stay',
      { nodes: [ok(), ok(), ok(), ok()], maxUnavailable: '50%', minHealthy: '50%' },
      [ids(1, 2), ids(3, 4)],
    ],
    [
      'a percent of maxUnavailable never rounds to zero',
      { nodes: [ok(), ok(), ok()], maxUnavailable: '10%', minHealthy: 0 },
      [ids(1), ids(2), ids(3)],
    ],
    [
      'minHealthy 0 and a large maxUnavailable: one batch',
      { nodes: [ok(), ok(), ok()], maxUnavailable: 5, minHealthy: 0 },
      [ids(1, 2, 3)],
    ],
    [
      'explicit order first, the rest as listed',
      { nodes: [ok(), ok(), ok(), ok()], maxUnavailable: 1, minHealthy: 1, order: ids(3, 1) },
      [ids(3), ids(1), ids(2), ids(4)],
    ],
  ])('%s', (_name, fleetCase, expected) => {
    expect(batchesOf(fleetCase)).toEqual(expected);
  });

  it.each<[string, FleetCase, string]>([
    [
      'two healthy and two required: nobody may ever leave',
      { nodes: [ok(), ok()], maxUnavailable: 1, minHealthy: 2 },
      'only 1 remain',
    ],
    [
      'the balancer sees nothing healthy (health checks off): fail closed',
      { nodes: [sick('unavailable'), sick('unavailable')], maxUnavailable: 1, minHealthy: 1 },
      'has 0 healthy, weighted backend(s)',
    ],
    [
      'a percent that asks for everyone',
      { nodes: [ok(), ok(), ok()], maxUnavailable: 1, minHealthy: '90%' },
      'only 2 remain',
    ],
  ])('an impossible budget is an error naming rollout.minHealthy: %s', (_name, fleetCase, why) => {
    const { spec, source } = caseWorkflow(fleetCase);
    let error: unknown;
    try {
      planRollout(spec, caseWorld(fleetCase), source, sha256Hex);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    const invalid = error as InvalidInputError;
    expect(invalid.path).toBe('rollout.minHealthy');
    expect(invalid.message).toContain(why);
    expect(invalid.message).toContain('test.yaml');
  });
});

const healthArb = fc.constantFrom<BackendHealth>(
  'normal',
  'normal',
  'normal',
  'abnormal',
  'unavailable',
);
const weightArb = fc.oneof(fc.constant(100), fc.constant(0), fc.integer({ min: 1, max: 100 }));
const fleetCaseArb: fc.Arbitrary<FleetCase> = fc.record({
  nodes: fc.array(
    fc.record({
      weight: weightArb,
      health: healthArb,
      group: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
      // Used for nodes at weight 0 only: without it they are left as found.
      restoreWeight: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 8 },
  ),
  others: fc.array(fc.record({ weight: weightArb, health: healthArb }), { maxLength: 3 }),
  maxUnavailable: fc.integer({ min: 1, max: 5 }),
  minHealthy: fc.integer({ min: 0, max: 6 }),
});

describe('batching, as a property over random fleets, health and groups', () => {
  it('never breaks maxUnavailable, groups or minHealthy, keeps the order, and refuses only the impossible', () => {
    fc.assert(
      fc.property(fleetCaseArb, (fleetCase) => {
        const backends = [...fleetCase.nodes, ...(fleetCase.others ?? [])];
        // Independent of the planner: healthy means weight > 0 and seen normal.
        const healthy = new Set(
          backends.flatMap((backend, index) =>
            backend.weight > 0 && backend.health === 'normal'
              ? [
                  index < fleetCase.nodes.length
                    ? nodeId(index)
                    : `i-other-${index - fleetCase.nodes.length + 1}`,
                ]
              : [],
          ),
        );
        const minHealthy = fleetCase.minHealthy as number;
        // Impossible when some node, leaving alone, leaves too few (a world that is already
        // below minHealthy blocks every node: gates fail closed).
        // Nodes at weight 0 with no weight to come back to are left as found: they never leave.
        const rolledOver = fleetCase.nodes.flatMap((node, index) =>
          node.weight > 0 || node.restoreWeight !== undefined ? [nodeId(index)] : [],
        );
        const impossible = rolledOver.some(
          (id) => healthy.size - (healthy.has(id) ? 1 : 0) < minHealthy,
        );
        const { spec, source } = caseWorkflow(fleetCase);
        // The operator's word only goes with a node at weight 0 (else it is invalid input).
        const choices = caseChoices({
          ...fleetCase,
          nodes: fleetCase.nodes.map(({ restoreWeight, ...node }) =>
            node.weight === 0 && restoreWeight !== undefined ? { ...node, restoreWeight } : node,
          ),
        });
        let batches: string[][];
        try {
          batches = planRollout(spec, caseWorld(fleetCase), source, sha256Hex, choices).batches.map(
            (b) => b.nodes,
          );
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidInputError);
          expect(impossible).toBe(true);
          return;
        }
        expect(impossible).toBe(false);
        expect(batches.flat()).toEqual(rolledOver);
        const groupOf = new Map(
          fleetCase.nodes.map((node, index) => [nodeId(index), node.group] as const),
        );
        for (const batch of batches) {
          expect(batch.length).toBeGreaterThan(0);
          expect(batch.length).toBeLessThanOrEqual(fleetCase.maxUnavailable as number);
          const groups = batch.map((id) => groupOf.get(id)).filter((g) => g !== undefined);
          expect(new Set(groups).size).toBe(groups.length);
          const out = batch.filter((id) => healthy.has(id)).length;
          expect(healthy.size - out).toBeGreaterThanOrEqual(minHealthy);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('cutBatches alone keeps every limit for any candidates', () => {
    const candidates = fc.array(
      fc.record({
        id: fc.uuid(),
        group: fc.option(fc.constantFrom('x', 'y'), { nil: undefined }),
        countsAsHealthy: fc.boolean(),
      }),
      { maxLength: 20 },
    );
    fc.assert(
      fc.property(
        candidates,
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 10 }),
        (list, maxUnavailable, minHealthy, extraHealthy) => {
          const unique = list.filter((c, i) => list.findIndex((d) => d.id === c.id) === i);
          const normalized = unique.map(({ group, ...rest }) => ({
            ...rest,
            ...(group === undefined ? {} : { group }),
          }));
          const healthyWeighted = normalized.filter((c) => c.countsAsHealthy).length + extraHealthy;
          const result = cutBatches(normalized, { maxUnavailable, minHealthy, healthyWeighted });
          if (!result.ok) {
            const blocked = normalized.find((c) => c.id === result.blocked);
            expect(healthyWeighted - (blocked?.countsAsHealthy ? 1 : 0)).toBeLessThan(minHealthy);
            return;
          }
          expect(result.batches.flat()).toEqual(normalized.map((c) => c.id));
          for (const batch of result.batches) {
            const members = batch.map((id) => normalized.find((c) => c.id === id));
            expect(batch.length).toBeLessThanOrEqual(maxUnavailable);
            const groups = members.map((m) => m?.group).filter((g) => g !== undefined);
            expect(new Set(groups).size).toBe(groups.length);
            const out = members.filter((m) => m?.countsAsHealthy).length;
            expect(healthyWeighted - out).toBeGreaterThanOrEqual(minHealthy);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
