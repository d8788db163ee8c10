/**
 * The prepare phase (the seed story's first half): create the balancer, ensure and start its
 * listeners, add the servers at their initial weights, prove the path through the balancer, then
 * bring servers that joined below their serving weight into service. What is already true is
 * left out and noted, so a re-run never creates anything twice.
 */
import { formatListenerDifference, listenerDifferences } from '../listener/index.js';
import type { ListenerConfig } from '../ports/index.js';
import { createBalancerRequest } from './balancer-identity.js';
import {
  formatDuration,
  formatRate,
  formatTags,
  inconclusiveHold,
  rampWeights,
} from './describe.js';
import {
  BACKEND_CALL_SECONDS,
  CREATE_BALANCER_SECONDS,
  CREATE_LISTENER_SECONDS,
  firstHealthySeconds,
  rampSeconds,
  START_LISTENER_SECONDS,
} from './estimates.js';
import type { FleetNode } from './fleet.js';
import { nodeLabel } from './host-target.js';
import { describeListener, listenerConfig } from './listener-config.js';
import { type PlanContext, showRef } from './plan-context.js';
import { restoreProbe } from './probe-config.js';
import { irreversible, READ_ONLY, type StepDraft } from './step-draft.js';
import { undoOf } from './undo.js';

export interface PhaseSteps {
  steps: StepDraft[];
  notes: string[];
}

export interface PrepareSteps extends PhaseSteps {
  /**
   * The path check requires every fleet server healthy on the balancer before anything else
   * happens, so the rollout starts with all of them healthy (or does not start).
   */
  provesFleetHealthy: boolean;
}

const KEEP_BALANCER =
  'drainctl never deletes a load balancer: once DNS points at it, it is the service. A re-run finds it by name and tags; delete it by hand if the migration is abandoned';
const KEEP_LISTENER =
  'the listener stays: before DNS moves no client uses it, and a re-run reuses it';
const KEEP_BACKENDS =
  'attached servers stay: a server leaves service by weight 0 (drain), it is never removed';
const KEEP_STARTED =
  'stopping a listener once DNS points at the balancer would cut every client; before, nobody uses it';

export function prepareSteps(
  ctx: PlanContext,
  nodes: readonly FleetNode[],
  dnsCutover: boolean,
): PrepareSteps {
  const { spec, balancer } = ctx;
  const steps: StepDraft[] = [];
  const notes: string[] = [];
  const lbId = balancer.id;
  const create = spec.loadBalancer.create;
  if (create !== undefined && !balancer.exists) {
    const request = createBalancerRequest(spec.name, create, ctx.sha256);
    steps.push({
      action: 'lb.create',
      params: { request },
      phase: 'prepare',
      description: `Create load balancer ${request.name} (${request.addressType}${request.spec ? `, ${request.spec}` : ''}, tags ${formatTags(request.tags)}); idempotent by ClientToken ${request.clientToken}`,
      mutates: true,
      inverse: irreversible(KEEP_BALANCER),
      expectedSeconds: CREATE_BALANCER_SECONDS,
    });
  } else if (create !== undefined) {
    notes.push(
      `Load balancer ${balancer.label} already exists (found by name and tags): not created again.`,
    );
  }

  const toStart: ListenerConfig[] = [];
  spec.loadBalancer.listeners.forEach((listenerSpec, index) => {
    const wanted = listenerConfig(listenerSpec);
    const existing = balancer.observedListeners.find((listener) => listener.port === wanted.port);
    if (existing === undefined) {
      steps.push({
        action: 'lb.ensure-listener',
        params: { loadBalancerId: lbId, listener: wanted },
        phase: 'prepare',
        description: `Create listener ${describeListener(wanted)} on ${balancer.label} (created stopped)`,
        mutates: true,
        inverse: irreversible(KEEP_LISTENER),
        expectedSeconds: CREATE_LISTENER_SECONDS,
      });
      toStart.push(wanted);
      return;
    }
    const differences = listenerDifferences(existing, wanted);
    if (differences.length > 0) {
      ctx.problems.add(
        ['loadBalancer', 'listeners', index],
        `a listener matching the existing ${existing.protocol}:${existing.port} on ${balancer.label}, or another port (drainctl never changes a listener silently)`,
        `it differs: ${differences.map(formatListenerDifference).join('; ')}`,
      );
      return;
    }
    if (existing.status === 'running') {
      notes.push(
        `Listener ${existing.protocol}:${existing.port} on ${balancer.label} exists and is running.`,
      );
    } else {
      notes.push(
        `Listener ${existing.protocol}:${existing.port} on ${balancer.label} exists (${existing.status}).`,
      );
      toStart.push(wanted);
    }
  });

  const joining = nodes.filter((node) => !node.attached);
  if (joining.length > 0) {
    steps.push({
      action: 'lb.add-backends',
      params: {
        loadBalancerId: lbId,
        backends: joining.map((node) => ({
          serverId: node.id,
          weight: node.addWeight ?? 0,
          type: 'ecs' as const,
        })),
      },
      phase: 'prepare',
      description: `Add ${joining.map((node) => `${nodeLabel(node)} at weight ${node.addWeight ?? 0}`).join(', ')} to ${balancer.label}`,
      mutates: true,
      inverse: irreversible(KEEP_BACKENDS),
      expectedSeconds: BACKEND_CALL_SECONDS * Math.ceil(joining.length / 20),
    });
  }
  for (const node of nodes.filter((candidate) => candidate.attached)) {
    notes.push(
      `${nodeLabel(node)} is already on ${balancer.label} at weight ${node.observedWeight ?? 0}.`,
    );
  }

  for (const listener of toStart) {
    steps.push({
      action: 'lb.start-listener',
      params: { loadBalancerId: lbId, port: listener.port, protocol: listener.protocol },
      phase: 'prepare',
      description: `Start listener ${listener.protocol}:${listener.port} on ${balancer.label}`,
      mutates: true,
      inverse: irreversible(KEEP_STARTED),
      expectedSeconds: START_LISTENER_SECONDS,
    });
  }

  const bringing = nodes.filter((node) => node.bringIntoService);
  let provesFleetHealthy = false;
  if (steps.length > 0 || bringing.length > 0 || dnsCutover) {
    const verifications = verifyPathSteps(ctx, nodes, dnsCutover);
    steps.push(...verifications);
    provesFleetHealthy = verifications.length > 0;
  }
  for (const node of bringing) steps.push(bringIntoServiceStep(ctx, node));
  return { steps, notes, provesFleetHealthy };
}

function verifyPathSteps(
  ctx: PlanContext,
  nodes: readonly FleetNode[],
  dnsCutover: boolean,
): StepDraft[] {
  const { balancer, spec } = ctx;
  const verify = spec.loadBalancer.verify;
  const listeners = ctx.listeners.filter(
    (listener) => listener.protocol === 'tcp' || listener.protocol === 'http',
  );
  if (listeners.length === 0 && dnsCutover) {
    ctx.problems.add(
      ['loadBalancer', 'listeners'],
      'a tcp or http listener to carry the service before DNS moves onto the balancer',
      `${balancer.label} has none`,
    );
  }
  const serverIds = nodes.map((node) => node.id);
  return listeners.map((listener) => {
    const path =
      verify?.path ??
      (listener.healthCheck.type === 'http' ? listener.healthCheck.uri : undefined) ??
      '/';
    const expectStatus = verify?.expectStatus ?? [200];
    const timeoutSeconds = verify?.timeoutSeconds ?? 120;
    const check = verifyPathCheck(listener, verify?.path !== undefined);
    return {
      action: 'lb.verify-path' as const,
      params: {
        loadBalancerId: balancer.id,
        address: balancer.address,
        port: listener.port,
        protocol: listener.protocol,
        ...(verify?.hostHeader === undefined ? {} : { hostHeader: verify.hostHeader }),
        path,
        expectStatus,
        serverIds,
        timeoutSeconds,
        check,
      },
      phase: 'prepare' as const,
      description: `${
        check === 'http'
          ? `Request ${path}${verify?.hostHeader === undefined ? '' : ` (Host: ${verify.hostHeader})`} over HTTP through ${balancer.label} at ${showRef(balancer.address)}:${listener.port} (${listener.protocol} listener; like curl --resolve) until it answers ${expectStatus.join('/')}`
          : `Connect over TCP through ${balancer.label} at ${showRef(balancer.address)}:${listener.port} until it accepts (a connect only: no verify.path and a tcp health check, so no HTTP request)`
      }, and check the balancer sees ${serverIds.join(', ')} healthy (within ${formatDuration(timeoutSeconds)})`,
      mutates: false,
      inverse: READ_ONLY,
      expectedSeconds: Math.min(timeoutSeconds, firstHealthySeconds(listener.healthCheck)),
    };
  });
}

/**
 * How `lb.verify-path` proves the path: an HTTP request whenever the service behind the listener
 * is known to speak HTTP — an http listener, or a tcp listener for which the workflow names a
 * path to request or whose own health check is HTTP (the seed's TCP 8080 with an HTTP check).
 * Only then would a TCP connect prove less than `curl --resolve`; otherwise it is all we know.
 */
export function verifyPathCheck(listener: ListenerConfig, pathGiven: boolean): 'http' | 'tcp' {
  if (listener.protocol === 'http' || listener.protocol === 'https') return 'http';
  if (listener.protocol === 'tcp' && (pathGiven || listener.healthCheck.type === 'http')) {
    return 'http';
  }
  return 'tcp';
}

function bringIntoServiceStep(ctx: PlanContext, node: FleetNode): StepDraft {
  const { restore } = ctx.spec;
  const from = node.observedWeight ?? node.addWeight ?? 0;
  return {
    action: 'node.restore',
    params: {
      loadBalancerId: ctx.balancer.id,
      serverId: node.id,
      targetWeight: node.servingWeight,
      rampPercent: restore.rampPercent,
      holdSeconds: restore.holdSeconds,
      max5xxRate: restore.max5xxRate,
      minRequests: restore.minRequests,
      extendSeconds: restore.extendSeconds,
      onInconclusive: restore.onInconclusive,
      probe: restoreProbe(ctx, node),
    },
    phase: 'prepare',
    node: node.id,
    description: `Bring ${nodeLabel(node)} into service on ${ctx.balancer.label}: weight ${rampWeights(from, node.servingWeight, restore.rampPercent)}, holding ${restore.holdSeconds} s per step${inconclusiveHold(restore, restoreProbe(ctx, node).kind !== 'none')} while its 5xx rate stays ≤ ${formatRate(restore.max5xxRate)}`,
    mutates: true,
    inverse: undoOf('node.restore', { label: nodeLabel(node), broughtInFrom: from }),
    expectedSeconds: rampSeconds(restore),
  };
}
