/**
 * The workflow's `gates` as plan steps: read-only checks of a stateful system (Kafka, ZooKeeper…)
 * asked before a server leaves service and once it is back, before its weight returns. What the
 * runbook prints is what src/engine/steps/state-gate-step.ts asks.
 */
import type { StatefulGateSpec } from '../workflow/index.js';
import { expandTemplate } from '../workflow/index.js';
import { formatDuration } from './describe.js';
import { SHORT_COMMAND_SECONDS } from './estimates.js';
import type { FleetNode } from './fleet.js';
import { describeHost, hostTarget, nodeLabel, serviceAddress } from './host-target.js';
import type { PlanContext } from './plan-context.js';
import { READ_ONLY, type StepDraft } from './step-draft.js';
import type { StateGateCheck } from './types.js';

type StepPlace = { phase: 'rollout'; batch: number; node: string };

export function stateGateSteps(
  ctx: PlanContext,
  node: FleetNode,
  at: StepPlace,
  when: 'before' | 'after',
): StepDraft[] {
  const steps: StepDraft[] = [];
  ctx.spec.gates[when].forEach((gate, index) => {
    const check = gateCheck(ctx, node, gate, when, index);
    if (check === undefined) return;
    steps.push({
      action: 'node.state-gate',
      params: {
        when,
        name: gate.name,
        check,
        intervalSeconds: gate.intervalSeconds,
        timeoutSeconds: gate.timeoutSeconds,
      },
      ...at,
      description: `${when === 'before' ? 'Before' : 'After'}-gate ${gate.name} for ${nodeLabel(node)}: ${describeCheck(check)}, asked every ${gate.intervalSeconds} s until it passes (within ${formatDuration(gate.timeoutSeconds)}, else ${
        when === 'before'
          ? 'it does not leave service and the rollout halts'
          : 'it stays at weight 0 and the rollout halts'
      })`,
      mutates: false,
      inverse: READ_ONLY,
      expectedSeconds: SHORT_COMMAND_SECONDS,
    });
  });
  return steps;
}

function gateCheck(
  ctx: PlanContext,
  node: FleetNode,
  gate: StatefulGateSpec,
  when: 'before' | 'after',
  index: number,
): StateGateCheck | undefined {
  const values = {
    instanceId: node.id,
    name: node.name,
    ...(node.instance.privateIp === undefined ? {} : { privateIp: node.instance.privateIp }),
  };
  if (gate.type === 'command') {
    return {
      kind: 'command',
      host: gate.on === 'local' ? { kind: 'local' } : hostTarget(ctx, node),
      command: expandTemplate(gate.command, values),
      exitCode: gate.exitCode,
      ...(gate.outputMatches === undefined ? {} : { outputMatches: gate.outputMatches }),
      timeoutSeconds: gate.commandTimeoutSeconds,
    };
  }
  const address =
    gate.host === undefined ? serviceAddress(ctx, node) : expandTemplate(gate.host, values);
  if (address === undefined) {
    ctx.problems.add(
      ['gates', when, index, 'host'],
      `an address to ask gate ${gate.name} of ${node.id} at`,
      'the instance has no IP',
    );
    return undefined;
  }
  return {
    kind: 'http',
    host: address,
    port: gate.port,
    path: gate.path,
    expectStatus: gate.expectStatus,
    ...(gate.bodyMatch === undefined ? {} : { bodyMatch: gate.bodyMatch }),
    timeoutMs: gate.requestTimeoutSeconds * 1000,
  };
}

/** How the runbook names what a state gate asks. */
export function describeCheck(check: StateGateCheck): string {
  if (check.kind === 'http') {
    const body = check.bodyMatch === undefined ? '' : ` and a body matching /${check.bodyMatch}/`;
    return `GET http://${check.host}:${check.port}${check.path} answers ${check.expectStatus.join(' or ')}${body}`;
  }
  const where = check.host.kind === 'local' ? 'on this machine' : `via ${describeHost(check.host)}`;
  const output =
    check.outputMatches === undefined ? '' : ` and its output matches /${check.outputMatches}/`;
  return `\`${check.command}\` ${where} exits ${check.exitCode}${output}`;
}
