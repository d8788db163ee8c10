import { describe, expect, it } from 'vitest';
import {
  type AttachmentGateInput,
  evaluateAttachmentGate,
  type ServerGroupObservation,
} from '#src/engine/policy/attachment-gates.js';

type Member = { serverId: string; port?: number; weight: number; healthy: boolean };
const serving = (serverId: string, port?: number): Member => ({
  serverId,
  weight: 100,
  healthy: true,
  ...(port === undefined ? {} : { port }),
});

const group = (key: string, members: Member[]): ServerGroupObservation => ({
  ok: true,
  key,
  loadBalancerId: key.split('/')[0] ?? key,
  label: key,
  members,
});

/** web-1 in the default groups of two balancers and in a vServer group of the second. */
function input(over: Partial<AttachmentGateInput> = {}): AttachmentGateInput {
  return {
    node: 'web-1',
    groups: [
      group('lb-edge', [serving('web-1'), serving('web-2'), serving('web-3')]),
      group('lb-core', [serving('web-1'), serving('web-2')]),
      group('lb-core/rsp-api', [serving('web-1', 8080), serving('web-3', 8080)]),
    ],
    minHealthy: 1,
    maxUnavailable: 2,
    maxUnavailablePerBalancer: 1,
    groupPeers: [],
    outOfService: [],
    ...over,
  };
}

describe('evaluateAttachmentGate', () => {
  it('passes when every group the server leaves keeps its minimum', () => {
    const decision = evaluateAttachmentGate(input());
    expect(decision.passed, decision.summary).toBe(true);
    expect(decision.checks.filter((c) => c.name === 'min-healthy')).toHaveLength(3);
  });

  it('a minHealthy breach on one vServer group alone blocks the server', () => {
    const decision = evaluateAttachmentGate(
      input({
        groups: [
          group('lb-edge', [serving('web-1'), serving('web-2'), serving('web-3')]),
          group('lb-core', [serving('web-1'), serving('web-2')]),
          // web-3 is in the group but unhealthy: web-1 is its last healthy member.
          group('lb-core/rsp-api', [
            serving('web-1', 8080),
            { serverId: 'web-3', port: 8080, weight: 100, healthy: false },
          ]),
        ],
      }),
    );
    expect(decision.passed).toBe(false);
    expect(decision.summary).toBe(
      'gate blocked: 0 healthy weighted server(s) would remain in lb-core/rsp-api without web-1, at least 1 required',
    );
    const byGroup = decision.checks.filter((c) => c.name === 'min-healthy').map((c) => c.passed);
    expect(byGroup).toEqual([true, true, false]);
  });

  it('counts a server on two ports of one group once, and a member at weight 0 as gone', () => {
    const decision = evaluateAttachmentGate(
      input({
        minHealthy: 2,
        groups: [
          group('lb-core/rsp-api', [
            serving('web-1', 8080),
            serving('web-2', 8080),
            serving('web-2', 8081),
            { serverId: 'web-3', port: 8080, weight: 0, healthy: true },
          ]),
        ],
      }),
    );
    expect(decision.summary).toContain('1 healthy weighted server(s) would remain');
  });

  it('holds maxUnavailable for the run and for each balancer', () => {
    const perBalancer = evaluateAttachmentGate(
      input({ outOfService: [{ node: 'web-9', loadBalancerIds: ['lb-core'] }] }),
    );
    expect(perBalancer.passed).toBe(false);
    expect(perBalancer.summary).toContain('1 node(s) of this run out of service on lb-core');
    const elsewhere = evaluateAttachmentGate(
      input({ outOfService: [{ node: 'web-9', loadBalancerIds: ['lb-other'] }] }),
    );
    expect(elsewhere.passed, elsewhere.summary).toBe(true);
    const global = evaluateAttachmentGate(
      input({
        maxUnavailablePerBalancer: 5,
        outOfService: [
          { node: 'web-8', loadBalancerIds: ['lb-x'] },
          { node: 'web-9', loadBalancerIds: ['lb-y'] },
        ],
      }),
    );
    expect(global.summary).toContain('2 node(s) of this run out of service, at most 2');
  });

  it('never takes group peers out together, and fails closed on a group it could not read', () => {
    const peer = evaluateAttachmentGate(
      input({ groupPeers: ['web-9'], outOfService: [{ node: 'web-9', loadBalancerIds: [] }] }),
    );
    expect(peer.summary).toBe('gate blocked: group peer(s) out of service or unhealthy: web-9');
    const unread = evaluateAttachmentGate(
      input({
        groups: [
          {
            ok: false,
            key: 'lb-core/rsp-api',
            loadBalancerId: 'lb-core',
            label: 'vServer group api',
            error: 'Throttling.User',
          },
        ],
      }),
    );
    expect(unread.passed).toBe(false);
    expect(unread.summary).toContain('vServer group api (fails closed): Throttling.User');
  });
  it('counts a peer as out unless it is seen healthy and weighted on its own attachments', () => {
    // i-a only on lb-1, its peer i-b only on lb-2 and unhealthy there.
    const pair = (peerGroups: AttachmentGateInput['peerGroups']) =>
      evaluateAttachmentGate({
        ...input({ node: 'i-a', groupPeers: ['i-b'], maxUnavailablePerBalancer: 2 }),
        groups: [group('lb-1', [serving('i-a'), serving('i-c')])],
        ...(peerGroups === undefined ? {} : { peerGroups }),
      });
    const unhealthy = pair({
      'i-b': [group('lb-2', [{ serverId: 'i-b', weight: 100, healthy: false }, serving('i-d')])],
    });
    expect(unhealthy.summary).toBe('gate blocked: group peer(s) out of service or unhealthy: i-b');
    // Not seen anywhere (no attachment of it observed): out, fails closed.
    expect(pair(undefined).passed).toBe(false);
    const unread = pair({
      'i-b': [
        { ok: false, key: 'lb-2', loadBalancerId: 'lb-2', label: 'lb-2', error: 'Throttling' },
      ],
    });
    expect(unread.passed).toBe(false);
    const fine = pair({ 'i-b': [group('lb-2', [serving('i-b'), serving('i-d')])] });
    expect(fine.passed, fine.summary).toBe(true);
  });
});
