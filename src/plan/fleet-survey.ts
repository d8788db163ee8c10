/**
 * The survey of a fleet workflow: each selected server with every place it is attached in the
 * region — the default server group of each balancer, each vServer group (one attachment per
 * port), each master-slave group — and the weight it has there. Pure: the observation in, the
 * survey out, hashed like a plan. A server in a master-slave group cannot be taken out (the API
 * cannot change such a group, docs/aliyun.md), so the survey refuses it, naming the group.
 */
import type {
  BackendServer,
  BalancerSummary,
  InstanceInfo,
  MasterSlaveGroupInfo,
  VServerGroupInfo,
} from '../ports/index.js';
import type { FleetWorkflowSpec } from '../workflow/index.js';
import { writeCanonicalJson } from './canonical-json.js';
import { hashWorkflowText, type Sha256Hex } from './plan-hash.js';
import { PlanProblems } from './plan-problems.js';
import type { PlanSource } from './plan-rollout.js';

/** One balancer of the region as observed, with every group it has. */
export interface ObservedFleetBalancer extends BalancerSummary {
  backends: BackendServer[];
  vServerGroups: VServerGroupInfo[];
  masterSlaveGroups: MasterSlaveGroupInfo[];
}

/** What fleet discovery observed (read-only). */
export interface ObservedFleet {
  /** ISO time of the observation; not hashed. */
  observedAt: string;
  region: string;
  /** The selected servers, as the cloud describes them, in selection order. */
  instances: InstanceInfo[];
  /** Every balancer any selected server is attached to (or that `balancers` names). */
  balancers: ObservedFleetBalancer[];
}

/** A place a server serves from, with the weight it has there. */
export type Attachment =
  | { kind: 'default'; loadBalancerId: string; weight: number }
  | {
      kind: 'vserver-group';
      loadBalancerId: string;
      vServerGroupId: string;
      name: string;
      port: number;
      weight: number;
    }
  | {
      kind: 'master-slave';
      loadBalancerId: string;
      masterSlaveGroupId: string;
      name: string;
      port: number;
      weight: number;
      role: 'master' | 'slave';
    };

export interface SurveyedServer {
  id: string;
  name: string;
  attachments: Attachment[];
}

export interface FleetSurvey {
  workflow: { name: string; file: string; sha256: string };
  region: string;
  servers: SurveyedServer[];
  balancers: Array<{ id: string; name: string; address: string }>;
  /** Not hashed. */
  observedAt: string;
  /** sha256 of the canonical JSON of everything above but `observedAt`. */
  sha256: string;
}

/**
 * @example renderFleetSurvey(surveyFleet(spec, await observeFleet(spec, ports), source, sha256Hex))
 */
export function surveyFleet(
  spec: FleetWorkflowSpec,
  observed: ObservedFleet,
  source: PlanSource,
  sha256: Sha256Hex,
): FleetSurvey {
  const problems = new PlanProblems();
  if (observed.region !== spec.region) {
    problems.add(['region'], `the region observed (${observed.region})`, spec.region);
  }
  checkSelection(spec, observed, problems);
  const servers = observed.instances.map((instance) => ({
    id: instance.id,
    name: instance.name,
    attachments: attachmentsOf(instance.id, observed.balancers),
  }));
  for (const server of servers) {
    for (const attachment of server.attachments) {
      if (attachment.kind !== 'master-slave') continue;
      problems.add(
        ['backends'],
        `servers that can be taken out of every attachment (SLB cannot change a master-slave group; take the server out of it by hand or leave it out)`,
        `${server.id} (${server.name}) in master-slave group ${attachment.name || attachment.masterSlaveGroupId} (${attachment.masterSlaveGroupId}) of ${attachment.loadBalancerId}, as ${attachment.role}`,
      );
    }
  }
  problems.throwIfAny(source);
  const unhashed = {
    workflow: { name: spec.name, file: source.file, sha256: hashWorkflowText(source.text, sha256) },
    region: spec.region,
    servers,
    balancers: observed.balancers
      .map((lb) => ({ id: lb.id, name: lb.name, address: lb.address }))
      .sort((a, b) => a.id.localeCompare(b.id)),
  };
  return {
    ...unhashed,
    observedAt: observed.observedAt,
    sha256: sha256((write) => writeCanonicalJson(unhashed, write)),
  };
}

/** Every attachment of one server, balancer by balancer (by id), default group first. */
export function attachmentsOf(
  serverId: string,
  balancers: readonly ObservedFleetBalancer[],
): Attachment[] {
  const sorted = [...balancers].sort((a, b) => a.id.localeCompare(b.id));
  return sorted.flatMap((lb): Attachment[] => {
    const own: Attachment[] = [];
    for (const backend of lb.backends) {
      if (backend.serverId === serverId)
        own.push({ kind: 'default', loadBalancerId: lb.id, weight: backend.weight });
    }
    for (const group of lb.vServerGroups) {
      for (const member of group.members) {
        if (member.serverId !== serverId) continue;
        own.push({
          kind: 'vserver-group',
          loadBalancerId: lb.id,
          vServerGroupId: group.id,
          name: group.name,
          port: member.port,
          weight: member.weight,
        });
      }
    }
    for (const group of lb.masterSlaveGroups) {
      for (const member of group.members) {
        if (member.serverId !== serverId) continue;
        own.push({
          kind: 'master-slave',
          loadBalancerId: lb.id,
          masterSlaveGroupId: group.id,
          name: group.name,
          port: member.port,
          weight: member.weight,
          role: member.role,
        });
      }
    }
    return own;
  });
}

/** Ids the workflow names that the region does not have, and servers not running. */
function checkSelection(
  spec: FleetWorkflowSpec,
  observed: ObservedFleet,
  problems: PlanProblems,
): void {
  const { backends } = spec;
  const found = new Set(observed.instances.map((instance) => instance.id));
  (backends.instances ?? []).forEach((entry, index) => {
    const id = typeof entry === 'string' ? entry : entry.id;
    if (!found.has(id)) {
      problems.add(['backends', 'instances', index], 'an instance of this region', `${id}: none`);
    }
  });
  const balancerIds = new Set(observed.balancers.map((lb) => lb.id));
  (backends.balancers?.ids ?? []).forEach((id, index) => {
    if (!balancerIds.has(id)) {
      problems.add(
        ['backends', 'balancers', 'ids', index],
        'a balancer of this region',
        `${id}: none`,
      );
    }
  });
  if (observed.instances.length === 0) {
    problems.add(['backends'], 'at least one server', 'the selection matched none');
  }
}

/** The survey as `drainctl plan` prints it: per server each attachment and its weight. */
export function renderFleetSurvey(survey: FleetSurvey): string {
  const names = new Map(survey.balancers.map((lb) => [lb.id, lb.name]));
  const balancer = (id: string) => `${names.get(id) || id} (${id})`;
  const lines = [
    `Fleet survey of ${survey.workflow.name} (${survey.workflow.file}) in ${survey.region}: ${survey.servers.length} server(s) on ${survey.balancers.length} balancer(s)`,
    `observed ${survey.observedAt}; sha256 ${survey.sha256}`,
    '',
  ];
  for (const server of survey.servers) {
    const count = server.attachments.length;
    lines.push(
      `${server.id} (${server.name}): ${count === 0 ? 'attached nowhere' : `${count} attachment(s)`}`,
    );
    for (const attachment of server.attachments) {
      lines.push(`  - ${describeAttachment(attachment, balancer)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function describeAttachment(attachment: Attachment, balancer: (id: string) => string): string {
  return `${attachmentPlace(attachment, balancer)}: weight ${attachment.weight}`;
}

/** Where an attachment is, for people: `core (lb-core), vServer group api (rsp-1) port 8080`. */
export function attachmentPlace(attachment: Attachment, balancer: (id: string) => string): string {
  switch (attachment.kind) {
    case 'default':
      return `${balancer(attachment.loadBalancerId)}, default server group`;
    case 'vserver-group':
      return `${balancer(attachment.loadBalancerId)}, vServer group ${attachment.name || attachment.vServerGroupId} (${attachment.vServerGroupId}) port ${attachment.port}`;
    case 'master-slave':
      return `${balancer(attachment.loadBalancerId)}, master-slave group ${attachment.name || attachment.masterSlaveGroupId} (${attachment.masterSlaveGroupId}) port ${attachment.port}, ${attachment.role}`;
  }
}
