/**
 * A workflow gate of a stateful system (`gates`), asked every `intervalSeconds` until it passes,
 * for at most `timeoutSeconds`. Fails closed: a command that cannot run, an HTTP request that
 * gets no answer, or a check that throws counts as not passing. A wait is journaled as a note
 * whenever the answer changes (status shows it), the last answer as a gate entry (output redacted
 * and cut); a stop request ends the wait without passing.
 *
 * Read-only, so resume simply asks it again.
 */
import type { StateGateCheck, Step } from '../../plan/types.js';
import type { RunContext, StepOutcome } from '../execution/run-context.js';
import { failed, ok, stopped } from '../execution/run-context.js';
import { isStop } from '../execution/run-control.js';
import { judgeStateGate, type StateGateAnswer } from '../policy/state-gate.js';
import { describeSpec } from './health-step.js';
import { keptOutput, readOnlyCommand } from './host-steps.js';

type StateGateStep = Extract<Step, { action: 'node.state-gate' }>;

export async function runStateGate(ctx: RunContext, step: StateGateStep): Promise<StepOutcome> {
  const node = step.node ?? '';
  const { when, name, check, intervalSeconds, timeoutSeconds } = step.params;
  const { clock } = ctx.ports;
  const started = clock.monotonic();
  const deadline = started + timeoutSeconds * 1000;
  let asked = 0;
  let told: string | undefined;
  for (;;) {
    if (ctx.control.stopRequested) return stopped(`stop requested while gate ${name} was asked`);
    asked += 1;
    const answer = await ask(ctx, step, check);
    const waitedOut = clock.monotonic() + intervalSeconds * 1000 > deadline;
    if (answer.passed || waitedOut) {
      const seconds = Math.round((clock.monotonic() - started) / 1000);
      const summary = answer.passed
        ? `${when}-gate ${name} passed after ${seconds}s (${asked} asking(s)): ${answer.detail}`
        : `${when}-gate ${name} did not pass within ${timeoutSeconds}s (${asked} asking(s)): ${answer.detail}`;
      await ctx.record({
        type: 'gate',
        step: step.id,
        node,
        passed: answer.passed,
        summary,
        checks: [{ name, passed: answer.passed, detail: answer.detail }],
      });
      if (answer.passed) return ok(summary);
      const consequence =
        when === 'before'
          ? `the rollout halts before ${node} leaves service`
          : `${node} stays at weight 0 and the rollout halts`;
      return failed('gate-blocked', `${summary}; ${consequence}`);
    }
    // Status shows why the node waits; journaled again only when the answer changes.
    if (answer.detail !== told) {
      told = answer.detail;
      await ctx.record({
        type: 'note',
        node,
        step: step.id,
        waiting: true,
        message: `waiting for ${when}-gate ${name}: ${answer.detail}; asked again every ${intervalSeconds}s, the rollout halts if it has not passed ${timeoutSeconds}s after the wait began`,
      });
    }
    try {
      await clock.sleep(intervalSeconds * 1000, ctx.control.signal);
    } catch (error) {
      if (isStop(error)) return stopped(`stop requested while gate ${name} was asked`);
      throw error;
    }
  }
}

async function ask(
  ctx: RunContext,
  step: StateGateStep,
  check: StateGateCheck,
): Promise<StateGateAnswer> {
  try {
    if (check.kind === 'http') {
      const result = await ctx.ports.health.check(check, ctx.control.signal);
      return { passed: result.ok, detail: `${describeSpec(check)}: ${result.detail}` };
    }
    const result = await readOnlyCommand(
      ctx,
      step,
      check.host,
      check.command,
      check.timeoutSeconds,
    );
    const answer = judgeStateGate(check, result);
    return { passed: answer.passed, detail: keptOutput(answer.detail) };
  } catch (error) {
    return {
      passed: false,
      detail: `cannot be asked: ${keptOutput(error instanceof Error ? error.message : String(error))}`,
    };
  }
}
