/**
 * Building the balancer in front of a service (the seed's first half): create it (or find it
 * again by name), ensure listeners, attach backends at their initial weights, prove the path
 * through it, start listeners. Each mutation is idempotent and journaled as intent + result.
 */
import type { Step } from '../../plan/types.js';
import type { HealthCheckSpec } from '../../ports/index.js';
import { resolveRef } from '../execution/refs.js';
import type { RunContext, StepOutcome } from '../execution/run-context.js';
import { failed, ok } from '../execution/run-context.js';
import { pollUntil } from './poll-in-run.js';

type CreateStep = Extract<Step, { action: 'lb.create' }>;
type ListenerStep = Extract<Step, { action: 'lb.ensure-listener' }>;
type AddBackendsStep = Extract<Step, { action: 'lb.add-backends' }>;
type StartListenerStep = Extract<Step, { action: 'lb.start-listener' }>;
type VerifyPathStep = Extract<Step, { action: 'lb.verify-path' }>;

/** How often the path through the balancer is retried while it comes up. */
export const VERIFY_PATH_INTERVAL_SECONDS = 2;

export async function runCreate(ctx: RunContext, step: CreateStep): Promise<StepOutcome> {
  const { request } = step.params;
  const lb = ctx.ports.loadBalancer;
  if (!ctx.state.completedOps.has(step.id)) {
    const found = await lb.findByName(request.name, request.tags);
    if (found.length > 1) {
      return failed(
        'error',
        `${found.length} balancers are named ${request.name} with these tags (${found.map((b) => b.id).join(', ')}); cannot tell which is ours`,
      );
    }
    const existing = found[0];
    if (existing === undefined) {
      await ctx.record({
        type: 'intent',
        step: step.id,
        opId: step.id,
        op: 'lb.create',
        target: { name: request.name },
        before: { exists: false },
        to: { request },
      });
    }
    const info = existing ?? (await lb.create(request));
    await ctx.record({
      type: 'result',
      step: step.id,
      opId: step.id,
      op: 'lb.create',
      applied: true,
      after: { loadBalancerId: info.id, address: info.address, adopted: existing !== undefined },
    });
  }
  const id = ctx.state.refs.loadBalancerId ?? '';
  await ctx.onLoadBalancerKnown?.(id);
  return ok(`balancer ${request.name} is ${id} at ${ctx.state.refs.loadBalancerAddress}`);
}

export async function runEnsureListener(ctx: RunContext, step: ListenerStep): Promise<StepOutcome> {
  const id = String(resolveRef(step.params.loadBalancerId, ctx.state));
  const { listener } = step.params;
  const lb = ctx.ports.loadBalancer;
  const existing = await lb.describeListener(id, listener.port, listener.protocol);
  await ctx.record({
    type: 'intent',
    step: step.id,
    opId: step.id,
    op: 'lb.ensure-listener',
    target: { loadBalancerId: id, port: listener.port, protocol: listener.protocol },
    before: { exists: existing !== undefined, ...(existing ? { status: existing.status } : {}) },
    to: { listener },
  });
  const result = await lb.ensureListener(id, listener);
  await ctx.record({
    type: 'result',
    step: step.id,
    opId: step.id,
    op: 'lb.ensure-listener',
    applied: true,
    after: { port: result.port, protocol: result.protocol, status: result.status },
  });
  return ok(
    `listener ${listener.port}/${listener.protocol} ${existing ? 'already there' : 'created'} (${result.status})`,
  );
}

export async function runAddBackends(ctx: RunContext, step: AddBackendsStep): Promise<StepOutcome> {
  const id = String(resolveRef(step.params.loadBalancerId, ctx.state));
  const lb = ctx.ports.loadBalancer;
  const attached = await lb.listBackends(id);
  const conflicts = step.params.backends.filter((want) => {
    const have = attached.find((b) => b.serverId === want.serverId);
    return (
      have !== undefined &&
      have.weight !== want.weight &&
      !ctx.state.addedBackends.has(want.serverId)
    );
  });
  if (conflicts.length > 0) {
    return failed(
      'drift',
      `already attached with another weight: ${conflicts
        .map(
          (c) =>
            `${c.serverId} has ${attached.find((b) => b.serverId === c.serverId)?.weight}, plan adds it at ${c.weight}`,
        )
        .join('; ')}`,
    );
  }
  const missing = step.params.backends.filter(
    (want) => !attached.some((b) => b.serverId === want.serverId),
  );
  await ctx.record({
    type: 'intent',
    step: step.id,
    opId: step.id,
    op: 'lb.add-backends',
    target: { loadBalancerId: id },
    before: { attached: attached.map((b) => ({ serverId: b.serverId, weight: b.weight })) },
    to: { backends: missing },
  });
  if (missing.length > 0) await lb.addBackends(id, missing);
  const added = step.params.backends.map((b) => ({ serverId: b.serverId, weight: b.weight }));
  await ctx.record({
    type: 'result',
    step: step.id,
    opId: step.id,
    op: 'lb.add-backends',
    applied: true,
    after: { added },
  });
  return ok(
    `${missing.length} backend(s) attached, ${added.length - missing.length} already there`,
  );
}

export async function runStartListener(
  ctx: RunContext,
  step: StartListenerStep,
): Promise<StepOutcome> {
  const id = String(resolveRef(step.params.loadBalancerId, ctx.state));
  const { port, protocol } = step.params;
  const lb = ctx.ports.loadBalancer;
  const listener = await lb.describeListener(id, port, protocol);
  if (listener === undefined)
    return failed('drift', `listener ${port}/${protocol} does not exist on ${id}`);
  if (listener.status === 'running') return ok(`listener ${port}/${protocol} already running`);
  await ctx.record({
    type: 'intent',
    step: step.id,
    opId: step.id,
    op: 'lb.start-listener',
    target: { loadBalancerId: id, port, protocol },
    before: { status: listener.status },
    to: { status: 'running' },
  });
  await lb.startListener(id, port, protocol);
  await ctx.record({
    type: 'result',
    step: step.id,
    opId: step.id,
    op: 'lb.start-listener',
    applied: true,
    after: { status: 'running' },
  });
  return ok(`listener ${port}/${protocol} started`);
}

/**
 * `curl --resolve` through the balancer plus its own health view of each backend. The plan says
 * whether that is an HTTP request or a bare connect (a tcp listener may front an HTTP service);
 * plans journaled before it said so fall back to the listener's protocol.
 */
export async function runVerifyPath(ctx: RunContext, step: VerifyPathStep): Promise<StepOutcome> {
  const p = step.params;
  const id = String(resolveRef(p.loadBalancerId, ctx.state));
  const address = String(resolveRef(p.address, ctx.state));
  const check = p.check ?? (p.protocol === 'http' || p.protocol === 'https' ? 'http' : 'tcp');
  const spec: HealthCheckSpec =
    check === 'http'
      ? {
          kind: 'http',
          host: address,
          port: p.port,
          path: p.path,
          expectStatus: p.expectStatus,
          timeoutMs: 5000,
          ...(p.hostHeader === undefined ? {} : { hostHeader: p.hostHeader }),
        }
      : { kind: 'tcp', host: address, port: p.port, timeoutMs: 5000 };
  const result = await pollUntil(ctx, p.timeoutSeconds, VERIFY_PATH_INTERVAL_SECONDS, async () => {
    const through = await ctx.ports.health
      .check(spec)
      .catch((e: unknown) => ({ ok: false, detail: String(e) }));
    const health = await ctx.ports.loadBalancer.healthStatus(id, p.port);
    const notNormal = p.serverIds.filter((s) => {
      const entries = health.filter((h) => h.serverId === s);
      return entries.length === 0 || entries.some((h) => h.health !== 'normal');
    });
    const problems = [
      ...(through.ok ? [] : [`through ${address}:${p.port}: ${through.detail}`]),
      ...(notNormal.length ? [`balancer health not normal for ${notNormal.join(', ')}`] : []),
    ];
    return problems.length === 0
      ? {
          done: true,
          detail: `${address}:${p.port} answers (${through.detail}); ${p.serverIds.length} backend(s) normal`,
        }
      : { done: false, detail: problems.join('; ') };
  });
  return result.done
    ? ok(result.detail)
    : failed(
        'error',
        `path through ${id} not proven within ${p.timeoutSeconds}s: ${result.detail}`,
      );
}
