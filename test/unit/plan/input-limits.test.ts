/**
 * Plan-time refusals of meaningless input (invalid input, exit 3, naming the path): a DNS record
 * type that cannot hold the balancer's address, and the drain and rollout settings that would
 * make a rollout pass trivially or not at all.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/errors/index.js';
import { type ObservedInventory, planRollout } from '../../../src/plan/index.js';
import { balancer, emulatorWorld, workflowFrom } from './fixtures.js';

function planOutcome(text: string, world: ObservedInventory): InvalidInputError | 'planned' {
  try {
    const { spec, source } = workflowFrom(text);
    planRollout(spec, world, source);
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
