/**
 * Undoing the DNS cutover (the compensations of `dns.point` and `dns.set-ttl`): the record goes
 * back to what it held, and a TTL lowered for the cutover to what it was — each only while the
 * record still holds what this run left there. Compare before overwriting: a record someone
 * else changed meanwhile is left as it is, and a person is told exactly what stays changed (a
 * warning note: the report's WARNING lines). The note says the same when it cannot be set back.
 */
import type { DnsRecord } from '../../ports/index.js';
import { FatalRunError, message } from '../engine-errors.js';
import { resolveRef } from '../execution/refs.js';
import type { Compensated, RunContext } from '../execution/run-context.js';
import type { Compensates } from '../journal/entries.js';
import {
  currentRecord,
  fqdn,
  type PointStep,
  pointRecord,
  type SetTtlStep,
} from './dns-handlers.js';

/** The undo of `dns.point`: the record's value and TTL from before the change. */
export async function pointBack(
  ctx: RunContext,
  step: PointStep,
  mark: Compensates,
): Promise<Compensated> {
  const p = step.params;
  const from = p.from;
  // A record this run added has nothing to go back to; its runbook line says it stays.
  if (from === undefined) return { kind: 'left', detail: `${fqdn(p.rr, p.domain)} stays` };
  if (ctx.state.completedOps.has(`${step.id}#rollback`)) {
    return { kind: 'undone', detail: `pointed back to ${from.value}` };
  }
  const name = `${p.rr}.${p.domain}`;
  const current = await currentRecord(ctx, p);
  const set = String(resolveRef(p.to.value, ctx.state));
  // A change of the TTL alone (the raise after the rollout) is told apart by the TTL.
  const ttlOnly = from.value === set;
  const back = current?.value === from.value && (!ttlOnly || current.ttl === from.ttl);
  const ours = current?.value === set && (!ttlOnly || current.ttl === p.to.ttl);
  if (back) {
    await ctx.record({
      type: 'note',
      message: `DNS ${name} is back at ${from.value} already: nothing to point back`,
      compensates: mark,
    });
    return { kind: 'undone', detail: `${name} is back at ${from.value}` };
  }
  if (!ours) {
    await ctx.record({
      type: 'note',
      warning: true,
      message: ttlOnly
        ? `DNS ${name} not set back to TTL ${from.ttl}s: it is ${current === undefined ? 'gone' : `now ${current.value} with TTL ${current.ttl}s`}, not TTL ${p.to.ttl}s as this run set it — someone else changed it meanwhile; left as it is, check it`
        : dnsNotRestored(name, from.value, current, set),
      compensates: mark,
    });
    return { kind: 'left', detail: `${name} changed by someone else, left as it is` };
  }
  await pointRecord(
    ctx,
    step,
    current,
    {
      domain: p.domain,
      rr: p.rr,
      type: p.type,
      value: from.value,
      ttl: from.ttl,
      ...(current ? { recordId: current.recordId } : {}),
    },
    `${step.id}#rollback`,
    mark,
  );
  await ctx.record({
    type: 'note',
    message: `DNS ${name} pointed back to ${from.value} because the preparation failed`,
  });
  return { kind: 'undone', detail: `${name} pointed back to ${from.value}` };
}

function dnsNotRestored(
  name: string,
  from: string,
  current: { value: string } | undefined,
  set: string,
): string {
  const now = current === undefined ? 'gone' : `now ${current.value}`;
  return `DNS ${name} not pointed back to ${from}: it is ${now}, not ${set} as this run set it — someone else changed it meanwhile; left as it is, check it`;
}

/**
 * The undo of `dns.set-ttl`: the TTL goes back to what it was, while the record still holds
 * what this run left there (its value, the lowered TTL). After the record was pointed back it
 * usually is already: pointing back restores the TTL too.
 */
export async function setTtlBack(
  ctx: RunContext,
  step: SetTtlStep,
  mark: Compensates,
): Promise<Compensated> {
  const p = step.params;
  const opId = `${step.id}#rollback`;
  const name = fqdn(p.rr, p.domain);
  if (ctx.state.completedOps.has(opId)) {
    return { kind: 'undone', detail: `TTL of ${name} set back to ${p.fromTtl}s` };
  }
  const left = `the TTL of ${name} was lowered by this run from ${p.fromTtl}s to ${p.toTtl}s and is not set back`;
  const warn = async (message: string, marked: boolean): Promise<Compensated> => {
    await ctx.record({
      type: 'note',
      warning: true,
      message,
      ...(marked ? { compensates: mark } : {}),
    });
    return { kind: 'left', detail: message };
  };
  let current: DnsRecord;
  try {
    current = await ctx.ports.dns.getRecord(p.recordId);
  } catch (error) {
    return warn(
      `${left}: the record cannot be read (${message(error)}); set it to ${p.fromTtl}s by hand`,
      true,
    );
  }
  if (current.value === p.value && current.ttl === p.fromTtl) {
    await ctx.record({
      type: 'note',
      message: `TTL of ${name} is back at ${p.fromTtl}s already: nothing to set back`,
      compensates: mark,
    });
    return { kind: 'undone', detail: `TTL of ${name} is back at ${p.fromTtl}s` };
  }
  if (current.value !== p.value || current.ttl !== p.toTtl) {
    return warn(
      `${left}: it is now ${current.value} with TTL ${current.ttl}s, not ${p.value} with TTL ${p.toTtl}s as this run left it — someone else changed it meanwhile; left as it is, check it`,
      true,
    );
  }
  try {
    await pointRecord(
      ctx,
      step,
      current,
      {
        domain: p.domain,
        rr: p.rr,
        type: p.type,
        recordId: p.recordId,
        value: p.value,
        ttl: p.fromTtl,
      },
      opId,
      mark,
    );
  } catch (error) {
    if (error instanceof FatalRunError) throw error;
    // Its intent already names the compensation.
    return warn(
      `${left}: setting it back failed (${message(error)}); set it to ${p.fromTtl}s by hand`,
      false,
    );
  }
  await ctx.record({
    type: 'note',
    message: `TTL of ${name} set back to ${p.fromTtl}s (from ${p.toTtl}s) because the preparation failed`,
  });
  return { kind: 'undone', detail: `TTL of ${name} set back to ${p.fromTtl}s` };
}
