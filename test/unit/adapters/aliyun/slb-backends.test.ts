/**
 * Changes to attached ENI and elastic container instance backends name them as the balancer
 * knows them: their own Type and ServerIp. The emulator attaches ECS instances only, so the
 * client here answers DescribeLoadBalancerAttribute with such backends and records the rest.
 */
import { describe, expect, it } from 'vitest';
import { SlbBackends } from '#src/adapters/aliyun/slb/slb-backends.js';
import type { BackendServerParam, SlbClient } from '#src/adapters/aliyun/slb/slb-client.js';
import { backendServersParam } from '#src/adapters/aliyun/slb/slb-requests.js';
import { modelViolations } from '#support/request-models.js';

const attached = [
  { serverId: 'eni-a', weight: 100, type: 'eni', serverIp: '192.168.0.7' },
  { serverId: 'eci-b', weight: 100, type: 'eci', serverIp: '192.168.0.8' },
  { serverId: 'i-c', weight: 100, type: 'ecs' },
];

function recordingClient() {
  const sent: { action: string; servers: BackendServerParam[] }[] = [];
  const record = (action: string) => async (_lb: string, servers: BackendServerParam[]) => {
    sent.push({ action, servers });
    return { requestId: 'r', backendServers: [] };
  };
  const client = {
    describeLoadBalancerAttribute: async () => ({ backendServers: attached }),
    addBackendServers: record('AddBackendServers'),
    setBackendServers: record('SetBackendServers'),
    removeBackendServers: record('RemoveBackendServers'),
  } as unknown as SlbClient;
  return { client, sent };
}

describe('ENI and ECI backends', () => {
  it('add() re-weighs an attached ENI as an ENI, with its IP', async () => {
    const { client, sent } = recordingClient();
    await new SlbBackends(client).add('lb-1', [{ serverId: 'eni-a', weight: 0 }]);
    expect(sent).toEqual([
      {
        action: 'SetBackendServers',
        servers: [{ serverId: 'eni-a', weight: 0, type: 'eni', serverIp: '192.168.0.7' }],
      },
    ]);
  });

  it('setWeights() and remove() send each server with its own type and IP', async () => {
    const { client, sent } = recordingClient();
    const backends = new SlbBackends(client);
    await backends.setWeights('lb-1', [
      { serverId: 'eci-b', weight: 10 },
      { serverId: 'i-c', weight: 10 },
    ]);
    await backends.remove('lb-1', ['eni-a']);
    expect(sent.map((call) => call.servers)).toEqual([
      [
        { serverId: 'eci-b', weight: 10, type: 'eci', serverIp: '192.168.0.8' },
        { serverId: 'i-c', weight: 10, type: 'ecs' },
      ],
      [{ serverId: 'eni-a', type: 'eni', serverIp: '192.168.0.7' }],
    ]);
    for (const call of sent) {
      const query = { LoadBalancerId: 'lb-1', BackendServers: backendServersParam(call.servers) };
      expect(modelViolations(call.action, query)).toEqual([]);
      expect(query.BackendServers).not.toContain('"Type":"ecs","ServerIp"');
    }
  });
});
