/**
 * One handler per plan action. Adding an action to the plan contract without a handler here is
 * a type error, so the engine can always execute every plan the planner can produce.
 */
import type { Step, StepActionName } from '../../plan/types.js';
import type { RunContext, StepOutcome } from '../execution/run-context.js';
import { ok, stopped } from '../execution/run-context.js';
import { isStop } from '../execution/run-control.js';
import { runBake } from './bake-step.js';
import { runBaselineOrSkip } from './compliance.js';
import { runDnsVerify, runPoint, runSetTtl } from './dns-handlers.js';
import { runDrain, runWaitDrained } from './drain-steps.js';
import { runGate } from './gate-step.js';
import { runWaitHealthy } from './health-step.js';
import { runHook, runPatch, runReboot } from './host-steps.js';
import {
  runAddBackends,
  runCreate,
  runEnsureListener,
  runStartListener,
  runVerifyPath,
} from './lb-steps.js';
import { runNginxUpgrade } from './nginx-upgrade-step.js';
import { runRedisBackup } from './redis-backup-step.js';
import { runRedisFailover } from './redis-failover-step.js';
import { runRedisRejoin } from './redis-rejoin-step.js';
import { runReleaseConnections } from './release-connections.js';
import { runRestore } from './restore-step.js';
import { runRollbackPatch, runRollbackPoint } from './rollback-steps.js';
import { runStateGate } from './state-gate-step.js';
import { runVerify } from './verify-step.js';

type Handlers = {
  [A in StepActionName]: (
    ctx: RunContext,
    step: Extract<Step, { action: A }>,
  ) => Promise<StepOutcome>;
};

const handlers: Handlers = {
  'lb.create': runCreate,
  'lb.ensure-listener': runEnsureListener,
  'lb.add-backends': runAddBackends,
  'lb.start-listener': runStartListener,
  'lb.verify-path': runVerifyPath,
  'dns.set-ttl': runSetTtl,
  'dns.point': runPoint,
  'dns.verify': runDnsVerify,
  wait: runWait,
  'canary.bake': runBake,
  gate: runGate,
  hook: runHook,
  'node.capture-baseline': runBaselineOrSkip,
  'node.drain': runDrain,
  'node.release-connections': runReleaseConnections,
  'node.wait-drained': runWaitDrained,
  'node.rollback-point': runRollbackPoint,
  'node.patch': runPatch,
  'node.nginx-upgrade': runNginxUpgrade,
  'node.rollback-patch': runRollbackPatch,
  'node.reboot': runReboot,
  'node.wait-healthy': runWaitHealthy,
  'node.state-gate': runStateGate,
  'redis.backup': runRedisBackup,
  'redis.failover': runRedisFailover,
  'redis.rejoin': runRedisRejoin,
  'node.verify': runVerify,
  'node.restore': runRestore,
};

export function handlerFor<S extends Step>(
  step: S,
): (ctx: RunContext, step: S) => Promise<StepOutcome> {
  return handlers[step.action] as unknown as (ctx: RunContext, step: S) => Promise<StepOutcome>;
}

async function runWait(
  ctx: RunContext,
  step: Extract<Step, { action: 'wait' }>,
): Promise<StepOutcome> {
  try {
    await ctx.ports.clock.sleep(step.params.seconds * 1000, ctx.control.signal);
  } catch (error) {
    if (isStop(error)) return stopped('stop requested during a wait');
    throw error;
  }
  return ok(`waited ${step.params.seconds}s: ${step.params.reason}`);
}
