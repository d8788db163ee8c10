/**
 * Crash at a journal boundary, then `drainctl resume`: for a 3-node rollout against the
 * emulator, the real binary is killed with SIGKILL right after journal entry n
 * (DRAINCTL_TEST_CRASH_AT_SEQ, test-only) and resumed by a second process; the end state
 * (weights, kernels, no node left out, journal `done`) must equal an uninterrupted run's.
 *
 * Every process costs seconds of start-up on a shared box, so by default the boundaries where
 * a change is in doubt are crashed at (each with its own emulator, three at a time): the plan
 * alone, the drain's intent and result, the patch command's intent, the reboot's intent, a ramp
 * step's intent, the last node's end. DRAINCTL_CRASH_KINDS=1 crashes
 * at one boundary of every kind along a node (~30 points, minutes); DRAINCTL_CRASH_EVERY=1 at
 * every boundary of the run in turn (~100 points). The in-memory test
 * (test/unit/engine/resume.test.ts) crashes at every boundary of a run in milliseconds.
 *
 * Drains use `probe: none` (the crash points are about journal boundaries, not traffic) and
 * health the balancer's own view, to keep each run short.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashThenResume } from '#support/crash-resume.js';
import {
  drainctl,
  type EndState,
  endState,
  journal,
  latestRunId,
  type RunEnv,
  startRunEnv,
} from '#support/rollout-on-emulator.js';

type Entry = Awaited<ReturnType<typeof journal>>[number];

const EVERY = process.env.DRAINCTL_CRASH_EVERY === '1';
const KINDS = process.env.DRAINCTL_CRASH_KINDS === '1';
const CONCURRENCY = 3;

function start(): Promise<RunEnv> {
  return startRunEnv({ drainProbe: 'none' });
}

/** Where a change is in doubt, along node 2's sequence, plus the plan and the last node's end. */
function keyBoundaries(entries: Entry[]): number[] {
  const node = 'i-emu-web-2';
  const first = (match: (e: Entry) => boolean) =>
    entries.find((e) => e.node === node && match(e))?.seq;
  const drain = (e: Entry) => String(e.step).includes('node.drain');
  const ramp = (e: Entry) => String(e.step).includes('node.restore');
  const points = [
    1,
    first((e) => e.type === 'intent' && drain(e)),
    first((e) => e.type === 'result' && drain(e)),
    first((e) => e.type === 'intent' && e.op === 'run-command' && String(e.step).includes('patch')),
    first((e) => e.type === 'intent' && e.op === 'reboot'),
    first((e) => e.type === 'intent' && ramp(e)),
    (entries.at(-1)?.seq ?? 0) - 1,
  ];
  return points.filter((p): p is number => p !== undefined);
}

/** One boundary of each kind along node 2's sequence, plus the plan and the last node's end. */
function sampleBoundaries(entries: Entry[]): number[] {
  const node = 'i-emu-web-2';
  const seen = new Set<string>();
  const points = [1];
  for (const e of entries) {
    if (e.node !== node) continue;
    const kind = `${e.type}:${String(e.op ?? e.action ?? e.state ?? e.kind ?? '')}`;
    if (seen.has(kind)) continue;
    seen.add(kind);
    points.push(e.seq);
  }
  const last = entries.at(-1)?.seq ?? 0;
  points.push(last - 1);
  return [...new Set(points)].sort((a, b) => a - b);
}

let expected: EndState;
let points: number[] = [];

beforeAll(async () => {
  const env = await start();
  try {
    const run = await drainctl(env, ['run', env.workflow, '--yes', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expected = endState(env);
    const entries = await journal(env, await latestRunId(env));
    const last = entries.at(-1)?.seq ?? 0;
    points = EVERY
      ? Array.from({ length: last - 1 }, (_, i) => i + 1)
      : KINDS
        ? sampleBoundaries(entries)
        : keyBoundaries(entries);
  } finally {
    await env.close();
  }
}, 120_000);

describe('SIGKILL at a journal boundary, then drainctl resume', () => {
  it(
    'reaches the end state of an uninterrupted run every time',
    async () => {
      expect(points.length).toBeGreaterThanOrEqual(7);
      expect(expected.weights).toEqual({
        'i-emu-web-1': 100,
        'i-emu-web-2': 100,
        'i-emu-web-3': 100,
      });
      const queue = [...points];
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let seq = queue.shift(); seq !== undefined; seq = queue.shift()) {
            await crashThenResume(seq, expected);
          }
        }),
      );
    },
    EVERY || KINDS ? 3_600_000 : 300_000,
  );
});

afterAll(() => {
  // Which boundaries were crashed at, for the record in the test output.
  console.log(`crashed at journal entries: ${points.join(', ')}`);
});
