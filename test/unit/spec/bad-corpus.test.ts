/**
 * The bad-input corpus, in process: every file in test/fixtures/workflows/bad/ names the path its
 * problem is at (`# expect-path:`). Validation, then planning against the emulator's default
 * topology, must refuse it as invalid input (exit 3) naming the file and that path. The same
 * files go through the real CLI against a live emulator in test/integration/plan/.
 */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { InvalidInputError } from '#src/errors/index.js';
import { planRollout } from '#src/plan/index.js';
import { parseWorkflow } from '#src/workflow/index.js';
import { badCases } from '#support/bad-workflows.js';
import { emulatorWorld } from '#support/observed-inventory.js';

describe('bad-input corpus (in process)', () => {
  const cases = badCases();

  it('has at least 30 malformed workflows', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases.map((badCase) => [badCase.file, badCase] as const))('%s', (_file, badCase) => {
    let error: unknown;
    try {
      const { spec, source } = parseWorkflow({ file: badCase.file, text: badCase.text }, {});
      planRollout(spec, emulatorWorld(), source, sha256Hex);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    const invalid = error as InvalidInputError;
    expect(invalid.exitCode).toBe(3);
    expect(invalid.file).toBe(badCase.file);
    expect(invalid.message.startsWith(badCase.file)).toBe(true);
    expect(invalid.issues.map((issue) => issue.path)).toContain(badCase.expectPath);
    for (const issue of invalid.issues) {
      expect(issue.expected.length, issue.path).toBeGreaterThan(2);
      expect(issue.found, issue.path).toBeDefined();
    }
  });
});
