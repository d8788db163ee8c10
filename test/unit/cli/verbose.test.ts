/**
 * `--verbose` (`-v`) is a program option that is accepted before or after the command, and
 * every command's --help lists it. Runs the real program in this process; nothing reaches a
 * cloud (a missing workflow fails before any call).
 */
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '#support/cli-in-process.js';

const STACK = /^\s+at readWorkflowText /m;

describe('--verbose', () => {
  it.each([
    [['--verbose', 'plan', 'no-such-workflow.yaml']],
    [['plan', 'no-such-workflow.yaml', '--verbose']],
    [['plan', '--verbose', 'no-such-workflow.yaml']],
    [['-v', 'plan', 'no-such-workflow.yaml']],
    [['plan', 'no-such-workflow.yaml', '-v']],
  ])('%j: the error line, then its stack trace', async (args) => {
    const run = await runCliInProcess(args, {});
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('drainctl: INVALID_INPUT: no-such-workflow.yaml: no such file');
    expect(run.stderr).toMatch(STACK);
  });

  it('without it: the error line alone', async () => {
    const run = await runCliInProcess(['plan', 'no-such-workflow.yaml'], {});
    expect(run.code).toBe(3);
    expect(run.stderr).not.toMatch(STACK);
  });

  it.each(['plan', 'run', 'resume', 'status', 'abort', 'inspect', 'watch', 'demo'])(
    '`%s --help` lists it',
    async (command) => {
      const run = await runCliInProcess([command, '--help'], {});
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^ {2}-v, --verbose {2,}debug logs/m);
    },
  );
});
