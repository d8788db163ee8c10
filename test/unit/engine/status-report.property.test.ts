/**
 * `drainctl status` never prints NaN: any journal text — a plan followed by entries of every
 * type, some with fields missing, of unknown types or with times that are not times — is either
 * refused as corrupt when read, or folds into a report whose numbers are all finite and whose
 * lines hold no NaN. Through the real read path (`parseJournal`), the fold and the report.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MUTATION_OPS } from '#src/engine/journal/entries.js';
import { foldJournal } from '#src/engine/journal/run-state.js';
import { JournalCorruptError, parseJournal } from '#src/engine/journal/store.js';
import { NODE_STATES } from '#src/engine/policy/node-machine.js';
import { buildReport, formatReport } from '#src/engine/reporting/report.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { InMemoryWorld } from '#support/in-memory-world.js';

const plan = buildPlan(new InMemoryWorld(fleet(3)), { minHealthy: 1, maxUnavailable: 1 });
const nodeIds = plan.nodes.map((n) => n.id);
const stepIds = plan.steps.map((s) => s.id);

/** Mostly what the engine writes; now and then what it never would (a hand edit, a bug). */
function mostly<T, U>(valid: fc.Arbitrary<T>, odd: fc.Arbitrary<U>): fc.Arbitrary<T | U> {
  return fc.oneof({ arbitrary: valid, weight: 30 }, { arbitrary: odd, weight: 1 });
}

const text = fc.string({ maxLength: 6 });
const node = mostly(fc.constantFrom(...nodeIds), text);
const step = mostly(fc.constantFrom(...stepIds), text);
const state = mostly(fc.constantFrom(...NODE_STATES), text);
const weight = mostly(fc.integer({ min: 0, max: 100 }), fc.oneof(fc.constant('100'), text));
const time = mostly(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('yesterday', '', '2026-13-45'),
);

/** Entries of every type, with the fields the engine writes and a few it never would. */
const known = fc.oneof(
  fc.record({ type: fc.constant('resume'), pid: fc.nat(), host: text }),
  fc.record({
    type: fc.constant('intent'),
    step,
    opId: step,
    op: fc.constantFrom(...MUTATION_OPS),
    node,
    target: fc.record({ serverId: node }),
    before: fc.record({ weight }),
    to: fc.record({ weight }),
  }),
  fc.record({
    type: fc.constant('result'),
    step,
    opId: step,
    op: fc.constantFrom(...MUTATION_OPS),
    applied: fc.boolean(),
    after: fc.record(
      {
        serverId: node,
        weight,
        added: fc.array(fc.record({ serverId: node, weight })),
        port: weight,
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({
    type: fc.constant('step'),
    step,
    node,
    action: fc.constantFrom('node.capture-baseline', 'node.verify', 'node.drain'),
    status: mostly(fc.constantFrom('ok', 'failed'), fc.constant('maybe')),
    detail: text,
    outcome: fc.constantFrom('error', 'drift'),
    data: fc.record({ output: text }),
  }),
  fc.record({
    type: fc.constant('probe'),
    step,
    node,
    kind: fc.constantFrom('error-rate', 'drain'),
    outcome: fc.constantFrom('passed', 'failed'),
    detail: text,
    data: fc.record({ weight }),
  }),
  fc.record({ type: fc.constant('node-state'), node, from: state, state, detail: text }),
  fc.record({ type: fc.constant('note'), message: text, warning: fc.boolean() }),
  fc.record({ type: fc.constant('halt'), reason: text }),
  fc.record({ type: fc.constant('abort-requested'), source: text }),
  fc.record({ type: fc.constant('retry'), node, from: state, weight, health: text }),
  fc.record({
    type: fc.constant('done'),
    outcome: mostly(fc.constantFrom('completed', 'halted', 'failed'), fc.constant('exploded')),
    summary: text,
  }),
);

const entry = mostly(known, fc.record({ type: fc.constantFrom('bogus', 'Plan', ''), node }));

/** An entry, stamped, with one of its fields dropped now and then (as a hand edit might). */
const line = fc
  .tuple(entry, time, mostly(fc.constant(null), fc.nat(8)))
  .map(([fields, ts, drop]) => {
    const stamped: Record<string, unknown> = { ts, ...fields };
    const keys = Object.keys(stamped);
    if (drop !== null) delete stamped[keys[drop % keys.length] ?? ''];
    return stamped;
  });

function numbersOf(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.flatMap(numbersOf);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(numbersOf);
  return [];
}

describe('status of any journal', () => {
  it('is refused as corrupt, or reports no NaN', () => {
    const head = {
      seq: 1,
      ts: '2026-11-21T02:00:00.000Z',
      type: 'plan',
      runId: 'r-prop',
      sha256: plan.sha256,
      plan,
      redacted: false,
      pid: 1,
      host: 'h',
    };
    fc.assert(
      fc.property(fc.array(line, { maxLength: 25 }), fc.boolean(), (lines, running) => {
        const journal = [head, ...lines.map((fields, index) => ({ seq: index + 2, ...fields }))]
          .map((e) => `${JSON.stringify(e)}\n`)
          .join('');
        let entries: ReturnType<typeof parseJournal>['entries'];
        try {
          entries = parseJournal(journal, 'j.jsonl').entries;
        } catch (error) {
          expect(error).toBeInstanceOf(JournalCorruptError);
          return;
        }
        const report = buildReport(foldJournal(entries), running);
        expect(numbersOf(report).every(Number.isFinite)).toBe(true);
        const printed = formatReport(report).join('\n');
        expect(printed).not.toMatch(/NaN|Infinity|undefined/);
      }),
      { numRuns: 300 },
    );
  });
});
