/**
 * Resume's first job: every intent without a result is a change that may or may not have
 * happened when the process died. Read the live state and write down what is true, so the
 * executor continues from facts. Changes that cannot be read back (a command, a reboot) are
 * repeated: patch commands must be safe to run twice, and a second reboot of a node that is
 * out of service costs a minute, never a request.
 */
import type { Step } from '../../plan/types.js';
import type { RunContext } from '../execution/run-context.js';
import { attachmentKey, targetAttachment } from '../journal/attachment-key.js';
import type { IntentEntry } from '../journal/entries.js';
import { liveAttachmentWeights } from '../steps/attachment-weights.js';

export async function reconcile(ctx: RunContext): Promise<string[]> {
  const notes: string[] = [];
  for (const intent of [...ctx.state.pendingIntents.values()]) {
    const note = await reconcileOne(ctx, intent);
    notes.push(`${intent.opId}: ${note}`);
  }
  return notes;
}

/** A fleet server's weight on one attachment, read back where it was changed. */
async function reconcileAttachmentWeight(
  ctx: RunContext,
  intent: IntentEntry,
  settle: (applied: boolean, after: Record<string, unknown>) => Promise<void>,
): Promise<string> {
  const t = intent.target;
  const serverId = String(t.serverId);
  const place = targetAttachment(t);
  const where = attachmentKey(place);
  const live = (
    await liveAttachmentWeights(ctx, serverId, [{ ...place, weight: 0, label: where }])
  ).get(where);
  const to = Number(intent.to.weight);
  const before = Number(intent.before.weight);
  if (live === to) {
    await settle(true, { ...t, weight: to });
    return `weight of ${serverId} on ${where} is ${to}: the change was made`;
  }
  if (live === before) {
    await settle(false, { ...t, weight: before });
    return `weight of ${serverId} on ${where} is still ${before}: the change was not made, the step repeats`;
  }
  return `weight of ${serverId} on ${where} is ${live ?? 'gone'}, neither ${before} nor ${to}: drift, the step will halt`;
}

async function reconcileOne(ctx: RunContext, intent: IntentEntry): Promise<string> {
  const lb = ctx.ports.loadBalancer;
  const t = intent.target;
  const settle = async (applied: boolean, after: Record<string, unknown>) => {
    await ctx.record({
      type: 'result',
      step: intent.step,
      opId: intent.opId,
      op: intent.op,
      ...(intent.node === undefined ? {} : { node: intent.node }),
      applied,
      after,
      reconciled: true,
    });
  };
  switch (intent.op) {
    case 'set-weight': {
      const serverId = String(t.serverId);
      if (t.attachment === true) return reconcileAttachmentWeight(ctx, intent, settle);
      const live = (await lb.listBackends(String(t.loadBalancerId))).find(
        (b) => b.serverId === serverId,
      );
      const to = Number(intent.to.weight);
      const before = Number(intent.before.weight);
      if (live?.weight === to) {
        await settle(true, { serverId, weight: to });
        return `weight of ${serverId} is ${to}: the change was made`;
      }
      if (live?.weight === before) {
        await settle(false, { serverId, weight: before });
        return `weight of ${serverId} is still ${before}: the change was not made, the step repeats`;
      }
      return `weight of ${serverId} is ${live?.weight ?? 'gone'}, neither ${before} nor ${to}: drift, the step will halt`;
    }
    case 'lb.create': {
      const request = (intent.to.request ?? {}) as { name: string; tags: Record<string, string> };
      const found = await lb.findByName(request.name, request.tags);
      if (found.length === 1 && found[0]) {
        await settle(true, {
          loadBalancerId: found[0].id,
          address: found[0].address,
          adopted: true,
        });
        return `balancer ${request.name} exists as ${found[0].id}`;
      }
      await settle(false, {});
      return `balancer ${request.name} was not created, the step repeats (same client token)`;
    }
    case 'lb.ensure-listener': {
      const listener = await lb.describeListener(
        String(t.loadBalancerId),
        Number(t.port),
        t.protocol as 'tcp',
      );
      await settle(
        listener !== undefined,
        listener
          ? { port: listener.port, protocol: listener.protocol, status: listener.status }
          : {},
      );
      return listener
        ? `listener ${t.port}/${t.protocol} exists`
        : `listener ${t.port}/${t.protocol} missing, the step repeats`;
    }
    case 'lb.add-backends': {
      const step = ctx.state.stepsById.get(intent.step) as
        | Extract<Step, { action: 'lb.add-backends' }>
        | undefined;
      const wanted = step?.params.backends ?? [];
      const attached = await lb.listBackends(String(t.loadBalancerId));
      const all = wanted.every((w) => attached.some((a) => a.serverId === w.serverId));
      await settle(
        all,
        all ? { added: wanted.map((w) => ({ serverId: w.serverId, weight: w.weight })) } : {},
      );
      return all ? 'every backend is attached' : 'not every backend is attached, the step repeats';
    }
    case 'lb.start-listener': {
      const listener = await lb.describeListener(
        String(t.loadBalancerId),
        Number(t.port),
        t.protocol as 'tcp',
      );
      const running = listener?.status === 'running';
      await settle(running, { status: listener?.status ?? 'missing' });
      return running ? 'listener running' : 'listener not running, the step repeats';
    }
    case 'dns.point': {
      const records = await ctx.ports.dns.findRecords(
        String(t.domain),
        String(t.rr),
        String(t.type),
      );
      const match = records.find((r) => r.value === intent.to.value && r.ttl === intent.to.ttl);
      await settle(
        match !== undefined,
        match ? { recordId: match.recordId, value: match.value, ttl: match.ttl } : {},
      );
      return match ? `record points at ${match.value}` : 'record unchanged, the step repeats';
    }
    case 'run-command':
      await settle(false, { unknown: true });
      return `command on ${String(t.instanceId)} may or may not have finished: it runs again`;
    case 'nginx-upgrade':
      await settle(false, { unknown: true });
      return `nginx upgrade step on ${String(t.instanceId)} may or may not have finished: it is taken again, from what the two pid files show`;
    case 'redis-failover':
      await settle(false, { unknown: true });
      return `failover of Redis ${String(t.address)} may or may not have happened: the step observes its role, and sends again only once the earlier attempt's time is up`;
    case 'redis-backup':
      await settle(false, { unknown: true });
      return `BGSAVE on Redis ${String(t.address)} may or may not have finished: the backup is taken again`;
    case 'reboot':
      // Left open on purpose: the reboot step waits for a reboot in flight, then reboots again.
      return `reboot of ${String(t.instanceId)} may or may not have been sent: wait for it, then reboot again`;
  }
}
