/**
 * The DNS cutover and its aftermath: lower the record's TTL, wait out the old TTL so no resolver
 * still holds a long-lived answer, point the record at the balancer, confirm it through the API
 * and at the zone's name servers; after the rollout, raise the TTL again. A record that already
 * points at the balancer is left alone (a re-run).
 */
import type { DnsRecord } from '../ports/index.js';
import { isIpv6 } from '../workflow/cidr.js';
import type { DnsSpec } from '../workflow/index.js';
import { formatDuration } from './describe.js';
import { DNS_UPDATE_SECONDS, DNS_VERIFY_SECONDS } from './estimates.js';
import type { FleetNode } from './fleet.js';
import { type PlanContext, showRef } from './plan-context.js';
import type { PhaseSteps } from './prepare-steps.js';
import { irreversible, READ_ONLY, type StepDraft } from './step-draft.js';
import { undoOf } from './undo.js';

/** Alidns's default TTL, used when a new record is added and the workflow names none. */
export const DEFAULT_DNS_TTL = 600;

export interface DnsPhases {
  needsCutover: boolean;
  cutover: PhaseSteps;
  finish: PhaseSteps;
}

export function planDns(ctx: PlanContext, nodes: readonly FleetNode[]): DnsPhases {
  const empty: DnsPhases = {
    needsCutover: false,
    cutover: { steps: [], notes: [] },
    finish: { steps: [], notes: [] },
  };
  const dns = ctx.spec.dns;
  if (dns === undefined) return empty;
  const observed = ctx.inventory.dns;
  if (observed === undefined) {
    ctx.problems.add(['dns'], `the zone ${dns.domain} to be observed`, 'no DNS observation');
    return empty;
  }
  const record = observed.record;
  const name = fqdn(dns);
  const target = ctx.balancer.address;
  const holds = recordTypeFor(target);
  if (dns.type !== holds) {
    ctx.problems.add(
      ['dns', 'type'],
      `${holds}: the record must hold ${ctx.balancer.label}'s address, ${typeof target === 'string' ? `${target}, an ${holds === 'A' ? 'IPv4' : 'IPv6'} address` : 'an IPv4 address (a Classic Load Balancer drainctl creates is IPv4)'}`,
      dns.type,
    );
  }
  if (record?.locked) {
    ctx.problems.add(['dns', 'record'], 'an unlocked record', `${name} is locked in Alidns`);
  }
  const ttl = dns.ttl;
  if (ttl.lowerTo !== undefined && ttl.lowerTo < observed.minimumTtl) {
    ctx.problems.add(
      ['dns', 'ttl', 'lowerTo'],
      `a TTL ≥ ${observed.minimumTtl} s (the minimum of ${dns.domain}'s Alidns edition)`,
      String(ttl.lowerTo),
    );
  }
  if (typeof ttl.raiseTo === 'number' && ttl.raiseTo < observed.minimumTtl) {
    ctx.problems.add(
      ['dns', 'ttl', 'raiseTo'],
      `a TTL ≥ ${observed.minimumTtl} s (the minimum of ${dns.domain}'s Alidns edition)`,
      String(ttl.raiseTo),
    );
  }

  const alreadyPoints =
    record !== undefined && typeof target === 'string' && record.value === target;
  const cutover: PhaseSteps = { steps: [], notes: [] };
  let ttlAtCutover: number;
  if (alreadyPoints) {
    cutover.notes.push(
      `${name} already points at ${ctx.balancer.label} (${target}, TTL ${record.ttl} s): no cutover.`,
    );
    ttlAtCutover = record.ttl;
  } else {
    // Never raise the TTL on the way in: a record already shorter than lowerTo keeps its TTL.
    ttlAtCutover =
      record === undefined
        ? (ttl.lowerTo ?? Math.max(DEFAULT_DNS_TTL, observed.minimumTtl))
        : Math.min(ttl.lowerTo ?? record.ttl, record.ttl);
    cutover.steps.push(
      ...cutoverSteps(ctx, dns, record, ttlAtCutover, nodes, observed.nameServers),
    );
  }

  const finish: PhaseSteps = { steps: [], notes: [] };
  const original = alreadyPoints ? undefined : record?.ttl;
  const raiseTo = ttl.raiseTo === 'original' ? original : ttl.raiseTo;
  if (
    ttl.raiseTo === 'original' &&
    raiseTo === undefined &&
    alreadyPoints &&
    ttl.lowerTo === record.ttl
  ) {
    finish.notes.push(
      `${name} still has the lowered TTL (${record.ttl} s) and its original TTL is not known on this re-run: set dns.ttl.raiseTo to a number to raise it.`,
    );
  }
  if (raiseTo !== undefined && raiseTo !== ttlAtCutover) {
    finish.steps.push({
      action: 'dns.point',
      params: {
        domain: dns.domain,
        rr: dns.record,
        type: dns.type,
        ...(record === undefined ? {} : { recordId: record.recordId }),
        ...(typeof target === 'string' ? { from: { value: target, ttl: ttlAtCutover } } : {}),
        to: { value: target, ttl: raiseTo },
      },
      phase: 'finish',
      description: `Raise the TTL of ${name} from ${ttlAtCutover} s to ${raiseTo} s${ttl.raiseTo === 'original' ? ' (its original)' : ''}, still pointing at ${showRef(target)}`,
      mutates: true,
      inverse: undoOf('dns.point', { name, ttl: ttlAtCutover }),
      expectedSeconds: DNS_UPDATE_SECONDS,
    });
  }
  return { needsCutover: !alreadyPoints, cutover, finish };
}

/**
 * The record type that can hold the balancer's address: AAAA for an IPv6 address, A otherwise
 * (a balancer this run creates is a Classic Load Balancer with the default, IPv4, address).
 */
export function recordTypeFor(address: string | { ref: string }): 'A' | 'AAAA' {
  return typeof address === 'string' && isIpv6(address) ? 'AAAA' : 'A';
}

function cutoverSteps(
  ctx: PlanContext,
  dns: DnsSpec,
  record: DnsRecord | undefined,
  ttlAtCutover: number,
  nodes: readonly FleetNode[],
  nameServers: string[],
): StepDraft[] {
  const steps: StepDraft[] = [];
  const name = fqdn(dns);
  const target = ctx.balancer.address;
  const base = { domain: dns.domain, rr: dns.record, type: dns.type };
  if (record !== undefined && dns.ttl.lowerTo !== undefined && record.ttl > dns.ttl.lowerTo) {
    steps.push({
      action: 'dns.set-ttl',
      params: {
        ...base,
        recordId: record.recordId,
        value: record.value,
        fromTtl: record.ttl,
        toTtl: dns.ttl.lowerTo,
      },
      phase: 'prepare',
      description: `Lower the TTL of ${name} (${dns.type} ${record.value}) from ${record.ttl} s to ${dns.ttl.lowerTo} s ahead of the cutover`,
      mutates: true,
      inverse: undoOf('dns.set-ttl', { name, ttl: record.ttl }),
      expectedSeconds: DNS_UPDATE_SECONDS,
    });
    if (dns.ttl.waitOldTtl) {
      steps.push({
        action: 'wait',
        params: {
          seconds: record.ttl,
          reason: `resolvers may keep the answer with the old TTL for up to ${record.ttl} s`,
        },
        phase: 'prepare',
        description: `Wait ${formatDuration(record.ttl)} (the old TTL) so no resolver still holds a long-lived answer for ${name}`,
        mutates: false,
        inverse: READ_ONLY,
        expectedSeconds: record.ttl,
      });
    }
  }
  const oldServer = nodes.find(
    (node) => record !== undefined && node.instance.privateIp === record.value,
  );
  const stragglers =
    oldServer === undefined
      ? ''
      : `; clients that cached the old answer still reach ${oldServer.name || oldServer.id} directly until its drain sees them gone`;
  steps.push({
    action: 'dns.point',
    params: {
      ...base,
      ...(record === undefined
        ? {}
        : { recordId: record.recordId, from: { value: record.value, ttl: record.ttl } }),
      to: { value: target, ttl: ttlAtCutover },
    },
    phase: 'prepare',
    description:
      record === undefined
        ? `Add ${name} ${dns.type} → ${showRef(target)} (${ctx.balancer.label}) with TTL ${ttlAtCutover} s`
        : `Point ${name} ${dns.type} from ${record.value} to ${showRef(target)} (${ctx.balancer.label}) with TTL ${ttlAtCutover} s${stragglers}`,
    mutates: true,
    inverse:
      record === undefined
        ? irreversible(
            `${name} did not exist before; drainctl does not delete records (delete it by hand to roll back)`,
          )
        : undoOf('dns.point', { name, value: record.value, ttl: record.ttl }),
    expectedSeconds: DNS_UPDATE_SECONDS,
  });
  const timeoutSeconds = dns.verify.timeoutSeconds;
  steps.push({
    action: 'dns.verify',
    params: { ...base, expect: target, nameServers, timeoutSeconds },
    phase: 'prepare',
    description: `Confirm ${name} is ${showRef(target)} through the API and by asking ${nameServers.length > 0 ? nameServers.join(', ') : "the zone's name servers"} (within ${formatDuration(timeoutSeconds)})`,
    mutates: false,
    inverse: READ_ONLY,
    expectedSeconds: Math.min(timeoutSeconds, DNS_VERIFY_SECONDS),
  });
  return steps;
}

/** `www.example.com`, or `example.com` for `@`. */
export function fqdn(dns: { domain: string; record: string }): string {
  return dns.record === '@' ? dns.domain : `${dns.record}.${dns.domain}`;
}
