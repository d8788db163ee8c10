/**
 * Small workflows over an existing balancer, for table and property tests of batching: the
 * fleet is listed by id, the balancer's own listener is used, no DNS, no waits worth modelling.
 */

import type { ObservedInventory, ZeroWeightChoices } from '#src/plan/index.js';
import type { BackendHealth } from '#src/ports/index.js';
import { balancer, emulatorWorld, instance } from './observed-inventory.js';
import { workflowFrom } from './workflows.js';

export interface FleetCase {
  /**
   * Per fleet node (i-emu-web-1…): weight and health on the balancer; for a node at weight 0,
   * `restoreWeight` is the operator's `--restore-weight` (without it the node is left as found).
   */
  nodes: Array<{ weight: number; health: BackendHealth; group?: string; restoreWeight?: number }>;
  /** Backends on the balancer outside the workflow's fleet. */
  others?: Array<{ weight: number; health: BackendHealth }>;
  maxUnavailable: number | string;
  minHealthy: number | string;
  order?: string | string[];
}

export const nodeId = (index: number) => `i-emu-web-${index + 1}`;

export function caseWorld(fleetCase: FleetCase): ObservedInventory {
  const backends = [
    ...fleetCase.nodes.map((node, index) => ({ id: nodeId(index), ...node })),
    ...(fleetCase.others ?? []).map((other, index) => ({ id: `i-other-${index + 1}`, ...other })),
  ];
  return emulatorWorld({
    instances: fleetCase.nodes.map((_, index) => instance(index + 1)),
    loadBalancer: balancer(backends),
  });
}

export function caseWorkflow(fleetCase: FleetCase) {
  const groups: Record<string, string[]> = {};
  fleetCase.nodes.forEach((node, index) => {
    if (node.group !== undefined)
      groups[node.group] = [...(groups[node.group] ?? []), nodeId(index)];
  });
  const document = {
    name: 'batching',
    region: 'cn-hangzhou',
    loadBalancer: { id: 'lb-emu-1' },
    backends: { instances: fleetCase.nodes.map((_, index) => nodeId(index)) },
    rollout: {
      maxUnavailable: fleetCase.maxUnavailable,
      minHealthy: fleetCase.minHealthy,
      groups,
      ...(fleetCase.order === undefined ? {} : { order: fleetCase.order }),
    },
    drain: { probe: { kind: 'none', waitSeconds: 1 }, timeoutSeconds: 60 },
    patch: { commands: ['true'], reboot: false, verify: false },
  };
  // YAML is a superset of JSON.
  return workflowFrom(JSON.stringify(document));
}

/** The `--restore-weight` choices the case's nodes carry. */
export function caseChoices(fleetCase: FleetCase): ZeroWeightChoices {
  const restoreWeight = Object.fromEntries(
    fleetCase.nodes.flatMap((node, index) =>
      node.restoreWeight === undefined ? [] : [[nodeId(index), node.restoreWeight] as const],
    ),
  );
  return Object.keys(restoreWeight).length === 0 ? {} : { restoreWeight };
}
