/**
 * The DNS cutover: lower the TTL ahead of time, point the record at the balancer (keeping the
 * old value in the intent for the way back, dns-compensations.ts), and confirm through the API
 * and by asking the zone's own name servers.
 */
import type { Step } from '../../plan/types.js';
import type { DnsRecord } from '../../ports/index.js';
import { resolveRef } from '../execution/refs.js';
import type { RunContext, StepOutcome } from '../execution/run-context.js';
import { failed, ok } from '../execution/run-context.js';
import type { Compensates } from '../journal/entries.js';
import { pollUntil } from './poll-in-run.js';

export type SetTtlStep = Extract<Step, { action: 'dns.set-ttl' }>;
export type PointStep = Extract<Step, { action: 'dns.point' }>;
type VerifyStep = Extract<Step, { action: 'dns.verify' }>;

export const DNS_VERIFY_INTERVAL_SECONDS = 2;

export function fqdn(rr: string, domain: string): string {
  return rr === '@' || rr === '' ? domain : `${rr}.${domain}`;
}

/** The record as it is now: by its id when the plan knows it, else the first of its name. */
export async function currentRecord(
  ctx: RunContext,
  p: { domain: string; rr: string; type: string; recordId?: string },
): Promise<DnsRecord | undefined> {
  if (p.recordId !== undefined) return ctx.ports.dns.getRecord(p.recordId);
  const records = await ctx.ports.dns.findRecords(p.domain, p.rr, p.type);
  return records[0];
}

export async function runSetTtl(ctx: RunContext, step: SetTtlStep): Promise<StepOutcome> {
  const p = step.params;
  const name = fqdn(p.rr, p.domain);
  const record = await ctx.ports.dns.getRecord(p.recordId);
  if (record.value !== p.value) {
    return failed(
      'drift',
      `${name} ${p.type} is ${record.value}, the plan expected ${p.value}: the record changed since the plan`,
    );
  }
  if (record.ttl === p.toTtl) return ok(`${name} TTL already ${p.toTtl}s`);
  await pointRecord(ctx, step, record, {
    domain: p.domain,
    rr: p.rr,
    type: p.type,
    recordId: p.recordId,
    value: p.value,
    ttl: p.toTtl,
  });
  return ok(`${name} TTL ${record.ttl}s → ${p.toTtl}s`);
}

export async function runPoint(ctx: RunContext, step: PointStep): Promise<StepOutcome> {
  const p = step.params;
  const name = fqdn(p.rr, p.domain);
  const value = String(resolveRef(p.to.value, ctx.state));
  const record = await currentRecord(ctx, p);
  if (record?.value === value && record.ttl === p.to.ttl)
    return ok(`${name} already points at ${value}`);
  const ours = ctx.state.completedOps.has(step.id) || ctx.state.pendingIntents.has(step.id);
  if (p.from !== undefined && record !== undefined && record.value !== p.from.value && !ours) {
    return failed(
      'drift',
      `${name} ${p.type} is ${record.value}, the plan expected ${p.from.value}: the record changed since the plan`,
    );
  }
  await pointRecord(ctx, step, record, {
    domain: p.domain,
    rr: p.rr,
    type: p.type,
    value,
    ttl: p.to.ttl,
    ...((p.recordId ?? record?.recordId) ? { recordId: p.recordId ?? record?.recordId } : {}),
  });
  return ok(`${name} ${p.type} ${record?.value ?? '(none)'} → ${value} (TTL ${p.to.ttl}s)`);
}

/**
 * Point a record as a journaled mutation; the intent keeps the old value for the way back (and
 * says which step it undoes when a compensation points it back).
 */
export async function pointRecord(
  ctx: RunContext,
  step: Step,
  before: DnsRecord | undefined,
  to: { domain: string; rr: string; type: string; value: string; ttl: number; recordId?: string },
  opId = step.id,
  compensates?: Compensates,
): Promise<void> {
  await ctx.record({
    type: 'intent',
    step: step.id,
    opId,
    op: 'dns.point',
    target: { domain: to.domain, rr: to.rr, type: to.type },
    before: before
      ? { recordId: before.recordId, value: before.value, ttl: before.ttl }
      : { exists: false },
    to: { value: to.value, ttl: to.ttl },
    ...(compensates === undefined ? {} : { compensates }),
  });
  const after = await ctx.ports.dns.pointRecord(to);
  await ctx.record({
    type: 'result',
    step: step.id,
    opId,
    op: 'dns.point',
    applied: true,
    after: { recordId: after.recordId, value: after.value, ttl: after.ttl },
  });
}

export async function runDnsVerify(ctx: RunContext, step: VerifyStep): Promise<StepOutcome> {
  const p = step.params;
  const name = fqdn(p.rr, p.domain);
  const expect = String(resolveRef(p.expect, ctx.state));
  const type = (p.type === 'AAAA' || p.type === 'CNAME' ? p.type : 'A') as 'A' | 'AAAA' | 'CNAME';
  const result = await pollUntil(ctx, p.timeoutSeconds, DNS_VERIFY_INTERVAL_SECONDS, async () => {
    const records = await ctx.ports.dns.findRecords(p.domain, p.rr, p.type);
    const problems: string[] = [];
    if (!records.some((r) => r.value === expect)) {
      problems.push(`API: ${records.map((r) => r.value).join(', ') || 'no record'}`);
    }
    for (const server of p.nameServers) {
      const answers = await ctx.ports.dnsResolver
        .resolve(name, type, server)
        .catch((e: unknown) => [`error: ${e instanceof Error ? e.message : String(e)}`]);
      if (!answers.includes(expect))
        problems.push(`${server}: ${answers.join(', ') || 'no answer'}`);
    }
    return problems.length === 0
      ? {
          done: true,
          detail: `${name} ${p.type} ${expect} confirmed by the API and ${p.nameServers.length} name server(s)`,
        }
      : {
          done: false,
          detail: `${name} does not yet resolve to ${expect}: ${problems.join('; ')}`,
        };
  });
  return result.done ? ok(result.detail) : failed('error', result.detail);
}
