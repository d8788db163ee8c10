/**
 * The ServerAttachments port against the emulator: balancers found by the server they serve and
 * by tags, vServer groups and master-slave groups with their members, a vServer group's weights.
 */
import { describe, expect, it } from 'vitest';
import { useAliyunEnv } from '#support/emulator-adapters.js';
import { OpenApiClientClass, sdkConfig, slbCaller } from '#support/emulator-sdk.js';

const env = useAliyunEnv({
  topology: { instances: [{ id: 'i-att-1' }, { id: 'i-att-2' }, { id: 'i-att-3' }] },
});

describe('SLB attachments', () => {
  it('finds every balancer and group a server is in, with ports, weights and roles', async () => {
    const { emu, ports } = env();
    const slb = slbCaller(new OpenApiClientClass(sdkConfig(emu)), emu.region);
    const lb = async (name: string, tags: object) =>
      String(
        (
          await slb('CreateLoadBalancer', {
            LoadBalancerName: name,
            Tags: JSON.stringify(
              Object.entries(tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
            ),
          })
        ).LoadBalancerId,
      );
    const internet = await lb('internet', { tier: 'edge' });
    const intranet = await lb('intranet', { tier: 'core' });
    const unrelated = await lb('unrelated', { tier: 'edge' });
    await slb('AddBackendServers', {
      LoadBalancerId: internet,
      BackendServers: JSON.stringify([{ ServerId: 'i-att-1', Weight: 80 }]),
    });
    await slb('AddBackendServers', {
      LoadBalancerId: unrelated,
      BackendServers: JSON.stringify([{ ServerId: 'i-att-3' }]),
    });
    const group = String(
      (
        await slb('CreateVServerGroup', {
          LoadBalancerId: intranet,
          VServerGroupName: 'api',
          BackendServers: JSON.stringify([
            { ServerId: 'i-att-1', Port: 8080, Weight: 40 },
            { ServerId: 'i-att-1', Port: 8081, Weight: 20 },
            { ServerId: 'i-att-2', Port: 8080, Weight: 100 },
          ]),
        })
      ).VServerGroupId,
    );
    await slb('CreateMasterSlaveServerGroup', {
      LoadBalancerId: intranet,
      MasterSlaveServerGroupName: 'pair',
      MasterSlaveBackendServers: JSON.stringify([
        { ServerId: 'i-att-2', Port: 9000, ServerType: 'Master' },
        { ServerId: 'i-att-1', Port: 9000, ServerType: 'Slave' },
      ]),
    });
    const { attachments } = ports;

    expect((await attachments.balancersServing('i-att-1')).map((b) => b.id).sort()).toEqual(
      [internet, intranet].sort(),
    );
    expect((await attachments.balancersTagged({ tier: 'edge' })).map((b) => b.id).sort()).toEqual(
      [internet, unrelated].sort(),
    );
    expect(await attachments.vServerGroups(intranet)).toEqual([
      {
        id: group,
        name: 'api',
        loadBalancerId: intranet,
        members: [
          expect.objectContaining({ serverId: 'i-att-1', port: 8080, weight: 40, type: 'ecs' }),
          expect.objectContaining({ serverId: 'i-att-1', port: 8081, weight: 20, type: 'ecs' }),
          expect.objectContaining({ serverId: 'i-att-2', port: 8080, weight: 100, type: 'ecs' }),
        ],
      },
    ]);
    expect(await attachments.masterSlaveGroups(intranet)).toEqual([
      expect.objectContaining({
        name: 'pair',
        loadBalancerId: intranet,
        members: [
          expect.objectContaining({ serverId: 'i-att-2', port: 9000, role: 'master' }),
          expect.objectContaining({ serverId: 'i-att-1', port: 9000, role: 'slave' }),
        ],
      }),
    ]);

    await attachments.setVServerGroupWeights(group, [
      { serverId: 'i-att-1', port: 8080, weight: 0 },
      { serverId: 'i-att-1', port: 8081, weight: 0 },
    ]);
    const [after] = await attachments.vServerGroups(intranet);
    expect(after?.members.map((m) => m.weight)).toEqual([0, 0, 100]);
  });
});
