/**
 * Plan-time refusals of meaningless input (invalid input, exit 3, naming the path): a DNS record
 * type that cannot hold the balancer's address, and the drain and rollout settings that would
 * make a rollout pass trivially or not at all.
 */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { InvalidInputError } from '#src/errors/index.js';
import { type ObservedInventory, planRollout } from '#src/plan/index.js';
import {
  balancer,
  emulatorWorld,
  fleet,
  OBSERVED_AT,
  SEED_LISTENER,
} from '#support/observed-inventory.js';
import { workflowFrom } from '#support/workflows.js';

function planOutcome(text: string, world: ObservedInventory): InvalidInputError | 'planned' {
  try {
    const { spec, source } = workflowFrom(text);
    planRollout(spec, world, source, sha256Hex);
    return 'planned';
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
}

const existing = (body: string) => `name: w
region: cn-hangzhou
loadBalancer:
  id: lb-emu-1
backends:
  instances: [i-emu-web-1, i-emu-web-2]
drain:
  probe: { kind: none, waitSeconds: 1 }
  timeoutSeconds: 60
${body}`;

const onBalancer = (address?: string) =>
  emulatorWorld({
    loadBalancer: balancer(
      [1, 2].map((n) => ({ id: `i-emu-web-${n}`, weight: 100 })),
      address === undefined ? {} : { address },
    ),
  });

describe('DNS record type and the balancer address', () => {
  it('refuses an AAAA record for an IPv4 balancer, naming dns.type', () => {
    const outcome = planOutcome(
      existing('dns:\n  domain: example.com\n  record: www\n  type: AAAA\n'),
      onBalancer(),
    );
    expect(outcome).toBeInstanceOf(InvalidInputError);
    const error = outcome as InvalidInputError;
    expect(error.exitCode).toBe(3);
    const issue = error.issues.find((candidate) => candidate.path === 'dns.type');
    expect(issue?.expected).toMatch(/^A: .*IPv4/);
    expect(issue?.found).toBe('AAAA');
  });

  it('refuses an A record for an IPv6 balancer', () => {
    const outcome = planOutcome(
      existing('dns:\n  domain: example.com\n  record: www\n'),
      onBalancer('2001:db8::101'),
    );
    expect((outcome as InvalidInputError).issues.map((issue) => issue.path)).toContain('dns.type');
  });

  it('plans an A record for an IPv4 balancer', () => {
    expect(
      planOutcome(existing('dns:\n  domain: example.com\n  record: www\n'), onBalancer()),
    ).toBe('planned');
  });
});

const paths = (outcome: InvalidInputError | 'planned') =>
  outcome === 'planned' ? [] : outcome.issues.map((issue) => issue.path);

const behindHttp = () =>
  emulatorWorld({
    loadBalancer: balancer(
      [1, 2].map((n) => ({ id: `i-emu-web-${n}`, weight: 100 })),
      { listenerDetails: [{ ...SEED_LISTENER, protocol: 'http' }] },
    ),
  });

const drainWith = (probe: string) => `name: w
region: cn-hangzhou
loadBalancer:
  id: lb-emu-1
backends:
  instances: [i-emu-web-1, i-emu-web-2]
drain:
  probe:
${probe}
`;

describe('meaningless drain and rollout settings', () => {
  const log = '    kind: access-log\n    path: /var/log/{instanceId}.log\n';

  it('refuses remote_addr filtering behind an http listener the balancer has', () => {
    const outcome = planOutcome(
      drainWith(`${log}    filter:\n      clientAddress: remote_addr`),
      behindHttp(),
    );
    expect(paths(outcome)).toContain('drain.probe.filter.clientAddress');
    expect((outcome as InvalidInputError).issues[0]?.expected).toContain('100.64.0.0/10');
  });

  it('plans remote_addr behind http when no ignored range covers the balancer', () => {
    const text = drainWith(
      `${log}    filter:\n      clientAddress: remote_addr\n      ignoreCidrs: [10.9.0.0/16]`,
    );
    expect(planOutcome(text, behindHttp())).toBe('planned');
    expect(planOutcome(drainWith(log), behindHttp())).toBe('planned');
  });

  it('refuses a connection count that ignores the balancer behind an http listener', () => {
    const outcome = planOutcome(drainWith('    kind: connections'), behindHttp());
    expect(paths(outcome)).toContain('drain.probe.ignoreCidrs');
    expect(planOutcome(drainWith('    kind: connections'), onBalancer())).toBe('planned');
  });

  it('refuses a maintenance window whose end has passed when planning', () => {
    const past = new Date(Date.parse(OBSERVED_AT) - 60_000).toISOString();
    const body = (end: string) => existing(`rollout:\n  window:\n    end: "${end}"\n`);
    const outcome = planOutcome(body(past), onBalancer());
    expect(paths(outcome)).toContain('rollout.window.end');
    expect((outcome as InvalidInputError).issues[0]?.found).toContain('already past');
    const ahead = new Date(Date.parse(OBSERVED_AT) + 86_400_000).toISOString();
    expect(planOutcome(body(ahead), onBalancer())).toBe('planned');
  });

  it('refuses more than 1000 servers selected by tag, naming the cap', () => {
    const text = `name: w
region: cn-hangzhou
loadBalancer:
  id: lb-emu-1
backends:
  tags: { app: web }
drain:
  probe: { kind: none, waitSeconds: 1 }
  timeoutSeconds: 60
`;
    const world = (count: number) =>
      emulatorWorld({ instances: fleet(count), loadBalancer: balancer([]) });
    expect(planOutcome(text, world(1000))).toBe('planned');
    const outcome = planOutcome(text, world(1001));
    expect(paths(outcome)).toContain('backends.tags');
    expect((outcome as InvalidInputError).issues[0]?.expected).toContain('at most 1000');
  });
});
