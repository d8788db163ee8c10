/**
 * The bad-input corpus through the real CLI against a live emulator: every file gives exit 3, a
 * message naming the file and the expected path, and the emulator's state is the same before
 * and after (docs/design.md §4, invariant 6: invalid input changes nothing in the cloud).
 *
 * Every file runs through the CLI's code in this process (program.ts, the plan command, the
 * cloud adapters over HTTP); a sample also runs as a spawned `drainctl`, in parallel, because a
 * spawn costs seconds of TypeScript loading that fifty files would multiply.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '#mocks/index.js';
import { badCases } from '#support/bad-workflows.js';
import { runCliInProcess } from '#support/cli-in-process.js';
import { runDrainctl } from '#support/cli-runner.js';
import { emulatorEnv, emulatorState, startPlanEmulator } from '#support/plan-emulator.js';

const cases = badCases();
/** Spawned too: a schema error and one found only against the world. */
const SPAWNED = ['wrong-type-max-unavailable.yaml', 'instance-not-in-region.yaml'];

let emu: Emulator;
let before: unknown;

beforeAll(async () => {
  emu = await startPlanEmulator();
  before = await emulatorState(emu);
});
afterAll(async () => {
  await emu?.close();
});

function expectRefused(run: { code: number | null; stderr: string }, file: string, path: string) {
  expect(run.code, run.stderr).toBe(3);
  const first = run.stderr.split('\n')[0] ?? '';
  expect(first).toContain('INVALID_INPUT');
  expect(first).toContain(file);
  expect(run.stderr).toContain(`${path}: expected`);
}

describe('bad-input corpus through the CLI against the emulator', () => {
  it.each(cases.map((badCase) => [badCase.file, badCase] as const))(
    '%s',
    async (_file, badCase) => {
      const run = await runCliInProcess(['plan', badCase.file], emulatorEnv(emu));
      expectRefused(run, badCase.file, badCase.expectPath);
      expect(run.stdout).toBe('');
    },
  );

  it('the same through spawned drainctl processes, with --json on one', async () => {
    const chosen = cases.filter((badCase) => SPAWNED.some((name) => badCase.file.endsWith(name)));
    expect(chosen).toHaveLength(SPAWNED.length);
    const options = { env: emulatorEnv(emu), timeoutMs: 60_000 };
    const [json, ...runs] = await Promise.all([
      runDrainctl(['plan', chosen[0]?.file ?? '', '--json'], options),
      ...chosen.map((badCase) => runDrainctl(['plan', badCase.file], options)),
    ]);
    runs.forEach((run, index) => {
      const badCase = chosen[index];
      if (badCase) expectRefused(run, badCase.file, badCase.expectPath);
    });
    expect(json?.code).toBe(3);
    const document = JSON.parse(json?.stdout ?? '') as { error: { path: string } };
    expect(document.error.path).toBe(chosen[0]?.expectPath);
  }, 120_000);

  it('left the emulator exactly as it was', async () => {
    expect(await emulatorState(emu)).toEqual(before);
  });
});
