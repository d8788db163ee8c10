/**
 * Where two plans differ, named by the path inside the plan (`steps[4].params.expectedWeight:
 * 100 → 80`): what a rehearsal reports when the plan made against its mirror is not the plan
 * made against the real account. Compares what the sha256 covers (not the observation).
 */
import type { Plan } from './types.js';

/** At most this many differences are named; the count says how many there were. */
const NAMED = 20;

export interface PlanDifferences {
  count: number;
  /** `path: real → mirror`, in plan order, the first NAMED. */
  named: string[];
}

export function planDifferences(real: Plan, mirror: Plan): PlanDifferences {
  const found: string[] = [];
  const { inventory: _a, sha256: _b, ...left } = real;
  const { inventory: _c, sha256: _d, ...right } = mirror;
  compare(left, right, '', found);
  return { count: found.length, named: found.slice(0, NAMED) };
}

function compare(a: unknown, b: unknown, path: string, found: string[]): void {
  if (a === b) return;
  if (isContainer(a) && isContainer(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = Array.isArray(a)
      ? Array.from({ length: Math.max(a.length, (b as unknown[]).length) }, (_, i) => i)
      : [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const key of keys) {
      const child =
        typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
      compare(
        (a as Record<string | number, unknown>)[key],
        (b as Record<string | number, unknown>)[key],
        child,
        found,
      );
    }
    return;
  }
  found.push(`${path || '(plan)'}: ${show(a)} → ${show(b)}`);
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return value !== null && typeof value === 'object';
}

function show(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
