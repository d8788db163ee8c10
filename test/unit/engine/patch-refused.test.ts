/**
 * The cloud API refuses the patch command outright (RunCommand answered 4xx, not retryable):
 * nothing ran on the host, so the node is put back at its weight and reported as rolled back
 * with the API's error — not left out of service. Anything that may have reached the host (a
 * 5xx, retries given up on, a refusal of a later command, a refusal of a resend whose first
 * attempt timed out) still leaves it out, unpatched.
 */
import { describe, expect, it } from 'vitest';
import { dispositionFor } from '#src/engine/policy/failure-policy.js';
import { canTransition } from '#src/engine/policy/node-machine.js';
import { CloudApiError } from '#src/errors/index.js';
import type { CommandRequest, CommandResult } from '#src/ports/index.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld } from '#support/in-memory-world.js';

const OLD = '3.10.0-1160.el7.x86_64';

function refusal(
  httpStatus: number,
  retryable: boolean,
  action = 'RunCommand',
  attempts: number | 'not counted' = 1,
) {
  return new CloudApiError({
    ...(attempts === 'not counted' ? {} : { attempts }),
    provider: 'aliyun ecs',
    action,
    cloudCode: httpStatus === 403 ? 'Forbidden.RAM' : 'ServiceUnavailable',
    message: 'User not authorized to operate on the specified resource.',
    httpStatus,
    requestId: 'REQ-1',
    retryable,
  });
}

async function runWithPatchError(error: Error) {
  const world = new InMemoryWorld(fleet(3));
  const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
  const result = await runModel(world, plan, {
    wrap: (ports) => ({
      ...ports,
      host: (target) => {
        const host = ports.host(target);
        return {
          ...host,
          async runCommand(
            id: string,
            request: CommandRequest,
            signal?: AbortSignal,
          ): Promise<CommandResult> {
            if (id === 'i-node-1' && request.script.startsWith('yum update')) throw error;
            return host.runCommand(id, request, signal);
          },
        };
      },
    }),
  });
  if (result === 'crashed') throw new Error('crashed');
  return { world, result };
}

describe('the cloud API refuses the patch command', () => {
  it('403 on RunCommand: weight restored, reported rolled back with the API error, run halts', async () => {
    const { world, result } = await runWithPatchError(refusal(403, false));
    expect(world.endState().weights).toEqual({ 'i-node-1': 100, 'i-node-2': 100, 'i-node-3': 100 });
    expect(world.endState().kernels['i-node-1']).toBe(OLD);
    const node1 = result.report.nodes.find((n) => n.id === 'i-node-1');
    expect(node1).toMatchObject({ state: 'rolled-back', outcome: 'patch-refused' });
    expect(node1?.detail).toContain('refused by the cloud API before anything ran on i-node-1');
    expect(node1?.detail).toContain('Forbidden.RAM HTTP 403');
    expect(node1?.detail).toContain('weight back to 100, host untouched');
    expect(result.report.leftOut).toEqual([]);
    expect(result.outcome).toBe('halted');
    // The next node never leaves service: the same refusal would meet it.
    expect(world.weightEvents.some((e) => e.serverId !== 'i-node-1')).toBe(false);
  });

  it.each([
    ['a 5xx (it may have started)', refusal(503, false)],
    ['retries given up on', refusal(403, true)],
    [
      'another action failing while the command ran',
      refusal(403, false, 'DescribeInvocationResults'),
    ],
    // RunCommand is resent after a timeout: the first send may be running the patch.
    ['a 403 to the second attempt (the first timed out)', refusal(403, false, 'RunCommand', 2)],
    [
      'a 403 that does not say how many attempts were made',
      refusal(403, false, 'RunCommand', 'not counted'),
    ],
  ])('%s: left out, unpatched, at weight 0', async (_name, error) => {
    const { world, result } = await runWithPatchError(error);
    expect(world.endState().weights['i-node-1']).toBe(0);
    expect(result.report.leftOut).toEqual([
      expect.objectContaining({ id: 'i-node-1', reason: 'unpatched' }),
    ]);
  });
});

describe('the state machine and the policy for a refused patch', () => {
  it('only a refused patch may roll a patching node back', () => {
    expect(canTransition('patching', 'rolled-back', 'patch-refused')).toBe(true);
    expect(canTransition('patching', 'rolled-back', 'patch-failed')).toBe(false);
    expect(canTransition('patching', 'rolled-back')).toBe(false);
    expect(canTransition('rebooting', 'rolled-back', 'patch-refused')).toBe(false);
    expect(dispositionFor('patching', 'patch-refused', false)).toEqual({ kind: 'roll-back' });
  });
});
