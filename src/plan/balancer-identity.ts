/**
 * How a balancer this workflow creates is named, tagged and found again. The observation looks
 * it up by exactly these name and tags, and the create request carries a ClientToken derived
 * from the workflow and the request, so neither a re-run nor a retried call creates a second one.
 */
import type { CreateLoadBalancerRequest } from '../ports/index.js';
import type { WorkflowSpec } from '../workflow/index.js';
import { canonicalJson } from './canonical-json.js';
import type { Sha256Hex } from './plan-hash.js';

/** Tag every balancer drainctl creates carries, so people can tell where it came from. */
export const MANAGED_BY_TAG = { key: 'managed-by', value: 'drainctl' } as const;

type CreateSpec = NonNullable<WorkflowSpec['loadBalancer']['create']>;

/** The tags a created balancer carries and is found by: the workflow's, plus managed-by. */
export function balancerTags(create: CreateSpec): Record<string, string> {
  return { [MANAGED_BY_TAG.key]: MANAGED_BY_TAG.value, ...create.tags };
}

/**
 * The create request, with a ClientToken (≤ 64 ASCII characters) that is the same for the same
 * workflow and request, and different when any parameter differs (reusing a token with other
 * parameters is an error on the API's side).
 */
export function createBalancerRequest(
  workflowName: string,
  create: CreateSpec,
  sha256: Sha256Hex,
): CreateLoadBalancerRequest {
  const request: Omit<CreateLoadBalancerRequest, 'clientToken'> = {
    name: create.name,
    addressType: create.addressType,
    tags: balancerTags(create),
    ...(create.spec === undefined ? {} : { spec: create.spec }),
    ...(create.vpcId === undefined ? {} : { vpcId: create.vpcId }),
    ...(create.vSwitchId === undefined ? {} : { vSwitchId: create.vSwitchId }),
    ...(create.masterZoneId === undefined ? {} : { masterZoneId: create.masterZoneId }),
    ...(create.slaveZoneId === undefined ? {} : { slaveZoneId: create.slaveZoneId }),
    ...(create.bandwidth === undefined ? {} : { bandwidth: create.bandwidth }),
    ...(create.internetChargeType === undefined
      ? {}
      : { internetChargeType: create.internetChargeType }),
    ...(create.deleteProtection === undefined ? {} : { deleteProtection: create.deleteProtection }),
  };
  const digest = sha256(canonicalJson({ workflow: workflowName, request }));
  return { ...request, clientToken: `drainctl-${digest.slice(0, 40)}` };
}
