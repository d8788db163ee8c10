// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the workflow syntax named in messages
/**
 * `member.redis`: the cluster its nodes belong to must be the one `inventory.redis` describes, so
 * the plan has checked the topology before any node is failed over; one node at a time; the
 * password comes from the environment, as the inventory's does; the address names each node with
 * known placeholders.
 */
import type { RawIssue } from '../issue.js';
import { unknownPlaceholders } from '../path-template.js';
import type { Check } from './check-context.js';

export const checkRedisMember: Check = ({ doc, interpolation }) => {
  const member = doc.member?.redis;
  if (member === undefined) return [];
  const issues: RawIssue[] = [];
  if (doc.loadBalancer === undefined) {
    // A fleet plan reads no inventory, so its nodes could be failed over unchecked.
    issues.push({
      path: ['member'],
      expected: 'a workflow with one loadBalancer (a fleet workflow has no member kinds yet)',
      found: 'a fleet workflow',
    });
  }
  if (doc.inventory?.redis === undefined) {
    issues.push({
      path: ['member', 'redis'],
      expected:
        'inventory.redis beside it (the plan checks the cluster is as expected before any node is failed over)',
      found: 'no inventory.redis',
    });
  }
  if (
    member.password !== undefined &&
    !interpolation.wholeReferences.has('member.redis.password')
  ) {
    issues.push({
      path: ['member', 'redis', 'password'],
      expected:
        'a reference to an environment variable like ${REDIS_PASSWORD} (secrets are never written in workflow files)',
      found: 'a literal value',
    });
  }
  // Two nodes out at once could be a master and its replica: the replica, asked at its turn while
  // the master's failover is still under way, would be judged a replica and restarted just as it
  // became the master. One node at a time keeps every failover whole before the next node is asked.
  if (doc.rollout.maxUnavailable !== 1) {
    issues.push({
      path: ['rollout', 'maxUnavailable'],
      expected: '1 with member.redis (one Redis node out of service at a time)',
      found: String(doc.rollout.maxUnavailable),
    });
  }
  if ((doc.rollout.canary?.servers ?? 1) > 1) {
    issues.push({
      path: ['rollout', 'canary', 'servers'],
      expected: '1 with member.redis (one Redis node out of service at a time)',
      found: String(doc.rollout.canary?.servers),
    });
  }
  const unknown = unknownPlaceholders(member.address);
  if (unknown.length > 0) {
    issues.push({
      path: ['member', 'redis', 'address'],
      expected: 'placeholders among {instanceId}, {name}, {privateIp}',
      found: unknown.map((name) => `{${name}}`).join(', '),
    });
  }
  return issues;
};
