/**
 * Gates: may this node leave service now? Pure decisions over a live observation, evaluated
 * right before a node's weight goes to 0 (and again inside the drain, under the run's gate
 * mutex, so two nodes of one batch can never both pass on the same headroom). Gates fail
 * closed: a gate that cannot be evaluated (the balancer did not answer, a window end that is
 * not a date, a health view without the node) blocks, and says why.
 */
import {
  describeJudged,
  healthyOnBalancer,
  type JudgedHealth,
  judgedHealth,
} from '../../listener/index.js';
import type { BackendHealthStatus, BackendServer, Listener } from '../../ports/index.js';

export interface GateParams {
  minHealthy: number;
  maxUnavailable: number;
  groupPeers: string[];
  windowEnd?: string;
  expectedNodeSeconds: number;
}

/** What the balancer said at this moment, or why it could not be asked. */
export type GateObservation =
  | {
      ok: true;
      backends: BackendServer[];
      health: BackendHealthStatus[];
      /** The balancer's listeners: stopped ones and those without health checks do not judge. */
      listeners?: Listener[];
    }
  | { ok: false; error: string };

export interface GateInput {
  node: string;
  params: GateParams;
  observation: GateObservation;
  /** Nodes of this run out of service right now (taken out or left out), this node excluded. */
  outOfService: string[];
  /** Wall-clock ms. */
  now: number;
}

export type GateCheckName =
  | 'observe'
  | 'min-healthy'
  | 'max-unavailable'
  | 'group'
  | 'window'
  /** The alert gate (Prometheus), asked before the others (steps/alert-gate-wait.ts). */
  | 'alerts';

export interface GateCheck {
  name: GateCheckName;
  passed: boolean;
  detail: string;
}

export interface GateDecision {
  passed: boolean;
  checks: GateCheck[];
  /** One line: the first blocking reason, or what passed. */
  summary: string;
}

/** Healthy in the sense of the invariants: weight > 0 now, and healthy in the balancer's view. */
export function isHealthyWeighted(
  serverId: string,
  backends: readonly BackendServer[],
  judged: JudgedHealth,
): boolean {
  const backend = backends.find((b) => b.serverId === serverId);
  if (backend === undefined || backend.weight <= 0) return false;
  return healthyOnBalancer(judged, serverId);
}

/** Healthy, weighted backends of the balancer other than `except`. */
export function healthyOthers(
  except: string,
  backends: readonly BackendServer[],
  judged: JudgedHealth,
): string[] {
  return backends
    .filter((b) => b.serverId !== except && isHealthyWeighted(b.serverId, backends, judged))
    .map((b) => b.serverId);
}

export function evaluateGate(input: GateInput): GateDecision {
  const { node, params, observation } = input;
  const checks: GateCheck[] = [];
  if (!observation.ok) {
    checks.push({
      name: 'observe',
      passed: false,
      detail: `cannot evaluate the gate (fails closed): ${observation.error}`,
    });
  } else {
    const { backends } = observation;
    const judged = judgedHealth(observation.health, observation.listeners ?? []);
    const remaining = healthyOthers(node, backends, judged);
    checks.push({
      name: 'min-healthy',
      passed: remaining.length >= params.minHealthy,
      detail: `${remaining.length} healthy weighted backend(s) would remain without ${node}, at least ${params.minHealthy} required (${describeJudged(judged)})`,
    });
    const peersOut = params.groupPeers.filter(
      (peer) => input.outOfService.includes(peer) || !isHealthyWeighted(peer, backends, judged),
    );
    if (params.groupPeers.length > 0) {
      checks.push({
        name: 'group',
        passed: peersOut.length === 0,
        detail:
          peersOut.length === 0
            ? `every group peer is serving (${params.groupPeers.join(', ')})`
            : `group peer(s) out of service or unhealthy: ${peersOut.join(', ')}`,
      });
    }
  }
  const out = input.outOfService.filter((n) => n !== node);
  checks.push({
    name: 'max-unavailable',
    passed: out.length + 1 <= params.maxUnavailable,
    detail: `${out.length} node(s) of this run out of service${out.length > 0 ? ` (${out.join(', ')})` : ''}, at most ${params.maxUnavailable} with ${node}`,
  });
  if (params.windowEnd !== undefined) checks.push(windowCheck(params, input.now));
  const blocking = checks.find((c) => !c.passed);
  return {
    passed: blocking === undefined,
    checks,
    summary: blocking === undefined ? 'gate passed' : `gate blocked: ${blocking.detail}`,
  };
}

export function windowCheck(params: GateParams, now: number): GateCheck {
  const end = Date.parse(params.windowEnd ?? '');
  if (Number.isNaN(end)) {
    return {
      name: 'window',
      passed: false,
      detail: `cannot evaluate the maintenance window (fails closed): end "${params.windowEnd}" is not a date`,
    };
  }
  const left = Math.floor((end - now) / 1000);
  return {
    name: 'window',
    passed: left >= params.expectedNodeSeconds,
    detail: `${left}s left in the maintenance window (ends ${params.windowEnd}), this node needs about ${params.expectedNodeSeconds}s`,
  };
}
