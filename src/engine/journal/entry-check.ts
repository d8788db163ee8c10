/**
 * Whether a parsed journal line is an entry this version can fold: a known `type` with the
 * fields the fold, the report and resume read, each of the right kind. Anything else — an
 * unknown type, a known one missing a field, a time that is not a time — is not an entry, and a
 * journal holding one is corrupt: folding it would make up a state (a run "interrupted, NaNs").
 * Fields are checked, never stripped: entries may carry more than this lists. Pure.
 */
import { NODE_STATES } from '../policy/node-machine.js';
import { type JournalEntry, MUTATION_OPS, type MutationOp, RUN_OUTCOMES } from './entries.js';

type Kind =
  | 'text'
  | 'time'
  | 'count'
  | 'number'
  | 'boolean'
  | 'object'
  | 'list'
  | readonly string[];

interface Shape {
  required?: Record<string, Kind>;
  optional?: Record<string, Kind>;
}

const EVERY_ENTRY: Shape = {
  required: { seq: 'count', ts: 'time', type: 'text' },
  optional: { node: 'text' },
};

/** One shape per entry type: adding a type to `JournalEntry` without one does not compile. */
const SHAPES: Record<JournalEntry['type'], Shape> = {
  plan: {
    required: {
      runId: 'text',
      sha256: 'text',
      plan: 'object',
      redacted: 'boolean',
      pid: 'number',
      host: 'text',
    },
    optional: {
      drainctlVersion: 'text',
      startedBy: 'text',
      drainsEndAt: 'text',
      approvedBy: 'text',
      approval: 'object',
    },
  },
  resume: { required: { pid: 'number', host: 'text' }, optional: { by: 'text' } },
  intent: {
    required: {
      step: 'text',
      opId: 'text',
      op: MUTATION_OPS,
      target: 'object',
      before: 'object',
      to: 'object',
    },
    optional: { compensates: 'object' },
  },
  result: {
    required: { step: 'text', opId: 'text', op: MUTATION_OPS, applied: 'boolean', after: 'object' },
    optional: { reconciled: 'boolean' },
  },
  gate: {
    required: { step: 'text', passed: 'boolean', summary: 'text', checks: 'list' },
    optional: { recheck: 'boolean' },
  },
  probe: {
    required: { step: 'text', kind: 'text', outcome: 'text', detail: 'text' },
    optional: { data: 'object' },
  },
  step: {
    required: { step: 'text', action: 'text', status: ['ok', 'failed'], detail: 'text' },
    optional: { outcome: 'text', data: 'object' },
  },
  'node-state': {
    required: { node: 'text', from: NODE_STATES, state: NODE_STATES },
    optional: { reason: 'text', outcome: 'text', detail: 'text' },
  },
  note: {
    required: { message: 'text' },
    optional: {
      warning: 'boolean',
      step: 'text',
      cloudRetry: 'object',
      compensates: 'object',
      waiting: 'boolean',
      alertGate: 'boolean',
    },
  },
  halt: { required: { reason: 'text' } },
  'abort-requested': { required: { source: 'text' } },
  retry: {
    required: { node: 'text', from: NODE_STATES, weight: 'number', health: 'text' },
    optional: { attachmentWeights: 'object' },
  },
  done: { required: { outcome: RUN_OUTCOMES, summary: 'text' } },
};

/** What the fold reads from the `plan` of a plan entry. */
const PLAN: Shape = {
  required: { nodes: 'list', steps: 'list', loadBalancer: 'object', workflow: 'object' },
};
const PLAN_NODE: Shape = { required: { id: 'text', name: 'text', batch: 'number' } };
const PLAN_STEP: Shape = { required: { id: 'text' } };

/** What the fold reads from the `after` of an applied change, by operation. */
const APPLIED: Partial<Record<MutationOp, Shape>> = {
  'set-weight': { required: { serverId: 'text', weight: 'number' } },
  'lb.create': { required: { loadBalancerId: 'text', address: 'text' } },
  'lb.ensure-listener': { required: { port: 'number', protocol: 'text' } },
  'lb.add-backends': { required: { added: 'list' } },
};
const ADDED_BACKEND: Shape = { required: { serverId: 'text', weight: 'number' } };

/**
 * Why `value` is not a journal entry, or undefined when it is one.
 *
 * @example entryProblem({ seq: 2, ts: '2026-11-21T02:00:00.000Z', type: 'bogus' })
 *   // 'type "bogus" is not an entry type (expected one of plan, resume, …)'
 */
export function entryProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return `expected a JSON object, found ${describe(value)}`;
  const common = shapeProblem(value, EVERY_ENTRY, '');
  if (common !== undefined) return common;
  const type = value.type as string;
  const shape = Object.hasOwn(SHAPES, type) ? SHAPES[type as JournalEntry['type']] : undefined;
  if (shape === undefined) {
    return `type ${JSON.stringify(type)} is not an entry type (expected one of ${Object.keys(SHAPES).join(', ')})`;
  }
  const own = shapeProblem(value, shape, '', `a ${type} entry`);
  if (own !== undefined) return own;
  if (type === 'plan') return planProblem(value.plan as Record<string, unknown>);
  if (type === 'result' && value.applied === true) return appliedProblem(value);
  return undefined;
}

/**
 * Why `entry` cannot follow `previous` (undefined: it is the first): one writer numbers its
 * entries 1, 2, 3 … and writes the plan once, first. A gap, a repeat or a second plan is two
 * journals run together (`cat a b`, another run's lines appended), never a crash, and folding
 * it would mix two runs into one story.
 */
export function orderProblem(
  entry: JournalEntry,
  previous: JournalEntry | undefined,
): string | undefined {
  if (previous === undefined && entry.type !== 'plan') {
    return `a journal starts with its plan, found a ${entry.type} entry`;
  }
  if (previous !== undefined && entry.type === 'plan') {
    return `a journal has one plan, on its first line, found another plan entry (run ${entry.runId}): lines of another journal were added to it`;
  }
  const expectedSeq = (previous?.seq ?? 0) + 1;
  if (entry.seq !== expectedSeq) {
    const after = previous === undefined ? 'the first entry' : `after seq ${previous.seq}`;
    return `seq: expected ${expectedSeq} (${after}), found ${entry.seq}`;
  }
  return undefined;
}

function planProblem(plan: Record<string, unknown>): string | undefined {
  return (
    shapeProblem(plan, PLAN, 'plan.', 'a plan') ??
    listProblem(plan.nodes as unknown[], PLAN_NODE, 'plan.nodes') ??
    listProblem(plan.steps as unknown[], PLAN_STEP, 'plan.steps')
  );
}

function appliedProblem(entry: Record<string, unknown>): string | undefined {
  const shape = APPLIED[entry.op as MutationOp];
  if (shape === undefined) return undefined;
  const after = entry.after as Record<string, unknown>;
  const problem = shapeProblem(after, shape, 'after.', `an applied ${String(entry.op)} result`);
  if (problem !== undefined || entry.op !== 'lb.add-backends') return problem;
  return listProblem(after.added as unknown[], ADDED_BACKEND, 'after.added');
}

function listProblem(items: unknown[], shape: Shape, path: string): string | undefined {
  for (const [index, item] of items.entries()) {
    const where = `${path}[${index}]`;
    if (!isRecord(item)) return `${where}: expected an object, found ${describe(item)}`;
    const problem = shapeProblem(item, shape, `${where}.`);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function shapeProblem(
  record: Record<string, unknown>,
  shape: Shape,
  prefix: string,
  what = 'an entry',
): string | undefined {
  for (const [field, kind] of Object.entries(shape.required ?? {})) {
    if (record[field] === undefined) return `${what} without ${prefix}${field} (${expected(kind)})`;
    const problem = fieldProblem(record[field], kind, `${prefix}${field}`);
    if (problem !== undefined) return problem;
  }
  for (const [field, kind] of Object.entries(shape.optional ?? {})) {
    if (record[field] === undefined) continue;
    const problem = fieldProblem(record[field], kind, `${prefix}${field}`);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function fieldProblem(value: unknown, kind: Kind, path: string): string | undefined {
  return fits(value, kind)
    ? undefined
    : `${path}: expected ${expected(kind)}, found ${describe(value)}`;
}

function fits(value: unknown, kind: Kind): boolean {
  if (typeof kind !== 'string') return typeof value === 'string' && kind.includes(value);
  switch (kind) {
    case 'text':
      return typeof value === 'string';
    case 'time':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value));
    case 'count':
      return Number.isSafeInteger(value) && (value as number) >= 1;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isRecord(value);
    case 'list':
      return Array.isArray(value);
  }
}

function expected(kind: Kind): string {
  if (typeof kind !== 'string') return `one of ${kind.join(', ')}`;
  return {
    text: 'text',
    time: 'an ISO time',
    count: 'a whole number from 1',
    number: 'a number',
    boolean: 'true or false',
    object: 'an object',
    list: 'a list',
  }[kind];
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
