import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Ecs, useEmulator } from '#support/emulator-sdk.js';
import { FAST } from '#support/emulator-timings.js';
import { expectApiError } from '#support/expect-api-error.js';

const servers = (list: object[]) => JSON.stringify(list);

describe('SLB listeners and backend servers', () => {
  const env = useEmulator({ timings: FAST });
  let lb = '';
  beforeAll(async () => {
    lb = String(
      (await env().callSlb('CreateLoadBalancer', { LoadBalancerName: 'listeners' })).LoadBalancerId,
    );
  });

  it('a TCP listener is created stopped, with the real defaults and the lower-case healthCheckInterval', async () => {
    const { callSlb } = env();
    await callSlb('CreateLoadBalancerTCPListener', {
      LoadBalancerId: lb,
      ListenerPort: 8080,
      BackendServerPort: 8080,
      Bandwidth: -1,
      healthCheckInterval: 7,
    });
    expect(
      await callSlb('DescribeLoadBalancerTCPListenerAttribute', {
        LoadBalancerId: lb,
        ListenerPort: 8080,
      }),
    ).toMatchObject({
      Status: 'stopped',
      ListenerPort: 8080,
      BackendServerPort: 8080,
      Bandwidth: -1,
      Scheduler: 'wrr',
      HealthCheck: 'on',
      HealthCheckType: 'tcp',
      HealthCheckInterval: 7,
      HealthCheckConnectTimeout: 5,
      HealthyThreshold: 3,
      UnhealthyThreshold: 3,
      ConnectionDrain: 'off',
    });
    await expectApiError(
      callSlb('CreateLoadBalancerTCPListener', {
        LoadBalancerId: lb,
        ListenerPort: 8080,
        BackendServerPort: 80,
        Bandwidth: -1,
      }),
      'ListenerAlreadyExists',
      400,
    );
    await expectApiError(
      callSlb('DescribeLoadBalancerHTTPListenerAttribute', {
        LoadBalancerId: lb,
        ListenerPort: 8080,
      }),
      'InvalidParameter',
      400,
    );
  });

  it('listener parameters are validated with the real ranges', async () => {
    const { callSlb } = env();
    const base = { LoadBalancerId: lb, BackendServerPort: 80, Bandwidth: -1 };
    await expectApiError(
      callSlb('CreateLoadBalancerTCPListener', { ...base, ListenerPort: 70000 }),
      'InvalidParameter',
      400,
    );
    await expectApiError(
      callSlb('CreateLoadBalancerTCPListener', {
        ...base,
        ListenerPort: 81,
        healthCheckInterval: 51,
      }),
      'InvalidParameter',
      400,
    );
    await expectApiError(
      callSlb('CreateLoadBalancerTCPListener', {
        ...base,
        ListenerPort: 82,
        ConnectionDrain: 'on',
      }),
      'MissingParameter',
      400,
    );
    await expectApiError(
      callSlb('CreateLoadBalancerHTTPListener', { ...base, ListenerPort: 83, HealthCheck: 'on' }),
      'MissingParameter',
      400,
    );
  });

  it('Start/Stop report running/stopped and expose the data plane in the admin state', async () => {
    const { callSlb, emu } = env();
    await callSlb('StartLoadBalancerListener', { LoadBalancerId: lb, ListenerPort: 8080 });
    expect(
      await callSlb('DescribeLoadBalancerTCPListenerAttribute', {
        LoadBalancerId: lb,
        ListenerPort: 8080,
      }),
    ).toMatchObject({
      Status: 'running',
    });
    const state = emu.state().loadBalancers.find((entry) => entry.id === lb);
    expect(state?.listeners).toEqual([
      { port: 8080, protocol: 'tcp', status: 'running', dataPlane: `${state?.address}:8080` },
    ]);
    await expectApiError(
      callSlb('StartLoadBalancerListener', { LoadBalancerId: lb, ListenerPort: 9999 }),
      'ListenerNotFound',
      404,
    );
  });

  it('Add/Set answer Weight as a string, Describe* and Remove as a number', async () => {
    const { callSlb } = env();
    const added = await callSlb('AddBackendServers', {
      LoadBalancerId: lb,
      BackendServers: servers([
        { ServerId: 'i-emu-web-1', Weight: '100', Type: 'ecs' },
        { ServerId: 'i-emu-web-2', Weight: 0 },
        { ServerId: 'i-emu-web-1', Weight: '5' },
      ]),
    });
    expect(added).toMatchObject({
      LoadBalancerId: lb,
      BackendServers: {
        BackendServer: [
          { ServerId: 'i-emu-web-1', Weight: '100', Type: 'ecs' },
          { ServerId: 'i-emu-web-2', Weight: '0', Type: 'ecs' },
        ],
      },
    });
    const set = await callSlb('SetBackendServers', {
      LoadBalancerId: lb,
      BackendServers: servers([{ ServerId: 'i-emu-web-1', Weight: '50' }]),
    });
    expect(set).toMatchObject({
      BackendServers: {
        BackendServer: [{ ServerId: 'i-emu-web-1', Weight: '50' }, { Weight: '0' }],
      },
    });
    const attribute = await callSlb('DescribeLoadBalancerAttribute', { LoadBalancerId: lb });
    expect(attribute).toMatchObject({
      ListenerPorts: { ListenerPort: [8080] },
      ListenerPortsAndProtocol: {
        ListenerPortAndProtocol: [{ ListenerPort: 8080, ListenerProtocol: 'tcp' }],
      },
      BackendServers: {
        BackendServer: [
          { ServerId: 'i-emu-web-1', Weight: 50, ServerIp: expect.any(String) },
          { Weight: 0 },
        ],
      },
    });
    await callSlb('AddBackendServers', {
      LoadBalancerId: lb,
      BackendServers: servers([{ ServerId: 'i-emu-web-4' }]),
    });
    const removed = await callSlb('RemoveBackendServers', {
      LoadBalancerId: lb,
      BackendServers: servers([{ ServerId: 'i-emu-web-4' }]),
    });
    expect(removed).toMatchObject({
      BackendServers: { BackendServer: [{ Weight: 50 }, { Weight: 0 }] },
    });
  });

  it('backend parameters are validated with the real codes', async () => {
    const { callSlb } = env();
    const many = Array.from({ length: 21 }, (_, i) => ({
      ServerId: `i-emu-web-${(i % 4) + 1}-${i}`,
    }));
    await expectApiError(
      callSlb('AddBackendServers', { LoadBalancerId: lb, BackendServers: servers(many) }),
      'TooManyBackendServers',
      400,
    );
    for (const weight of ['101', -1, 'heavy', 1.5]) {
      await expectApiError(
        callSlb('SetBackendServers', {
          LoadBalancerId: lb,
          BackendServers: servers([{ ServerId: 'i-emu-web-1', Weight: weight }]),
        }),
        'InvalidWeight.Malformed',
        400,
      );
    }
    await expectApiError(
      callSlb('AddBackendServers', {
        LoadBalancerId: lb,
        BackendServers: servers([{ ServerId: 'i-unknown' }]),
      }),
      'ObtainIpFail',
      400,
    );
    await expectApiError(
      callSlb('AddBackendServers', {
        LoadBalancerId: lb,
        BackendServers: servers([{ ServerId: 'i-emu-web-1' }]),
      }),
      'InvalidParameter',
      400,
    );
    await expectApiError(
      callSlb('SetBackendServers', {
        LoadBalancerId: lb,
        BackendServers: servers([{ ServerId: 'i-emu-web-3', Weight: '1' }]),
      }),
      'InvalidParameter',
      400,
    );
    await expectApiError(
      callSlb('SetBackendServers', { LoadBalancerId: lb, BackendServers: '{"not":"a list"}' }),
      'BackendServersMalformed',
      400,
    );
    await expectApiError(
      callSlb('SetBackendServers', { LoadBalancerId: 'lb-missing', BackendServers: servers([]) }),
      'InvalidLoadBalancerId.NotFound',
      404,
    );
  });

  it('vServer groups: create, describe, change weights of members only', async () => {
    const { callSlb } = env();
    const created = await callSlb('CreateVServerGroup', {
      LoadBalancerId: lb,
      VServerGroupName: 'blue',
      BackendServers: servers([
        { ServerId: 'i-emu-web-3', Port: 8080, Weight: 100 },
        { ServerId: 'i-emu-web-4', Port: 8080, Weight: 100 },
      ]),
    });
    const id = String(created.VServerGroupId);
    expect(id).toMatch(/^rsp-/);
    await callSlb('SetVServerGroupAttribute', {
      VServerGroupId: id,
      BackendServers: servers([{ ServerId: 'i-emu-web-3', Port: 8080, Weight: 0 }]),
    });
    expect(await callSlb('DescribeVServerGroupAttribute', { VServerGroupId: id })).toMatchObject({
      VServerGroupName: 'blue',
      LoadBalancerId: lb,
      BackendServers: {
        BackendServer: [
          { ServerId: 'i-emu-web-3', Port: 8080, Weight: 0, ServerIp: expect.any(String) },
          { ServerId: 'i-emu-web-4', Port: 8080, Weight: 100 },
        ],
      },
    });
    await expectApiError(
      callSlb('SetVServerGroupAttribute', {
        VServerGroupId: id,
        BackendServers: servers([{ ServerId: 'i-emu-web-1', Port: 8080 }]),
      }),
      'InvalidParameter',
      400,
    );
    await expectApiError(
      callSlb('DescribeVServerGroupAttribute', { VServerGroupId: 'rsp-none' }),
      'InvalidParameter',
      404,
    );
    await callSlb('CreateLoadBalancerTCPListener', {
      LoadBalancerId: lb,
      ListenerPort: 9090,
      VServerGroupId: id,
      Bandwidth: -1,
    });
    expect(
      await callSlb('DescribeLoadBalancerTCPListenerAttribute', {
        LoadBalancerId: lb,
        ListenerPort: 9090,
      }),
    ).toMatchObject({
      VServerGroupId: id,
    });
  });

  it('master-slave server groups: created, described, found by DescribeLoadBalancers ServerId, never changed', async () => {
    const { callSlb } = env();
    const other = String(
      (await callSlb('CreateLoadBalancer', { LoadBalancerName: 'standby' })).LoadBalancerId,
    );
    const created = await callSlb('CreateMasterSlaveServerGroup', {
      LoadBalancerId: other,
      MasterSlaveServerGroupName: 'pair',
      MasterSlaveBackendServers: servers([
        { ServerId: 'i-emu-web-2', Port: 8080, Weight: 100, ServerType: 'Master' },
        { ServerId: 'i-emu-web-4', Port: 8080, Weight: 100, ServerType: 'Slave' },
      ]),
    });
    const id = String(created.MasterSlaveServerGroupId);
    expect(id).toMatch(/^rsp-/);
    expect(
      await callSlb('DescribeMasterSlaveServerGroupAttribute', { MasterSlaveServerGroupId: id }),
    ).toMatchObject({
      MasterSlaveServerGroupName: 'pair',
      LoadBalancerId: other,
      MasterSlaveBackendServers: {
        MasterSlaveBackendServer: [
          { ServerId: 'i-emu-web-2', Port: 8080, Weight: 100, ServerType: 'Master', Type: 'ecs' },
          { ServerId: 'i-emu-web-4', Port: 8080, Weight: 100, ServerType: 'Slave', Type: 'ecs' },
        ],
      },
    });
    expect(
      await callSlb('DescribeMasterSlaveServerGroups', { LoadBalancerId: other }),
    ).toMatchObject({
      MasterSlaveServerGroups: {
        MasterSlaveServerGroup: [
          { MasterSlaveServerGroupId: id, MasterSlaveServerGroupName: 'pair' },
        ],
      },
    });
    const found = await callSlb('DescribeLoadBalancers', { ServerId: 'i-emu-web-2' });
    expect(
      (found.LoadBalancers as { LoadBalancer: Array<{ LoadBalancerId: string }> }).LoadBalancer.map(
        (lb) => lb.LoadBalancerId,
      ),
    ).toContain(other);
    await expectApiError(
      callSlb('SetMasterSlaveServerGroupAttribute', { MasterSlaveServerGroupId: id }),
      'InvalidAction.NotFound',
      404,
    );
    await callSlb('DeleteMasterSlaveServerGroup', { MasterSlaveServerGroupId: id });
    await expectApiError(
      callSlb('DescribeMasterSlaveServerGroupAttribute', { MasterSlaveServerGroupId: id }),
      'InvalidParameter',
      404,
    );
  });

  it('Stop and Delete a listener', async () => {
    const { callSlb, emu } = env();
    await callSlb('StopLoadBalancerListener', { LoadBalancerId: lb, ListenerPort: 8080 });
    expect(emu.state().loadBalancers.find((entry) => entry.id === lb)?.listeners[0]).toMatchObject({
      status: 'stopped',
      dataPlane: null,
    });
    await callSlb('DeleteLoadBalancerListener', { LoadBalancerId: lb, ListenerPort: 8080 });
    await expectApiError(
      callSlb('StopLoadBalancerListener', { LoadBalancerId: lb, ListenerPort: 8080 }),
      'ListenerNotFound',
      404,
    );
  });
  it('DescribeHealthStatus reports per listener and never shows a weight-0 backend abnormal', async () => {
    const { callSlb, emu, ecs } = env();
    const lb2 = String(
      (await callSlb('CreateLoadBalancer', { LoadBalancerName: 'health' })).LoadBalancerId,
    );
    await callSlb('CreateLoadBalancerTCPListener', {
      LoadBalancerId: lb2,
      ListenerPort: 8080,
      BackendServerPort: 8080,
      Bandwidth: -1,
      healthCheckInterval: 1,
      HealthCheckConnectTimeout: 1,
      HealthyThreshold: 2,
      UnhealthyThreshold: 2,
    });
    await callSlb('AddBackendServers', {
      LoadBalancerId: lb2,
      BackendServers: servers([
        { ServerId: 'i-emu-web-3', Weight: '100' },
        { ServerId: 'i-emu-web-4', Weight: '0' },
      ]),
    });
    await callSlb('StartLoadBalancerListener', { LoadBalancerId: lb2, ListenerPort: 8080 });
    const statuses = async () =>
      (
        (await callSlb('DescribeHealthStatus', { LoadBalancerId: lb2, ListenerPort: 8080 }))
          .BackendServers as {
          BackendServer: {
            ServerId: string;
            ServerHealthStatus: string;
            ListenerPort: number;
            Port: number;
            Protocol: string;
          }[];
        }
      ).BackendServer;
    expect(await statuses()).toEqual([
      expect.objectContaining({
        ServerId: 'i-emu-web-3',
        ListenerPort: 8080,
        Port: 8080,
        Protocol: 'tcp',
        ServerHealthStatus: 'normal',
      }),
      expect.objectContaining({ ServerId: 'i-emu-web-4', ServerHealthStatus: 'normal' }),
    ]);
    for (const id of ['i-emu-web-3', 'i-emu-web-4']) {
      emu.injectFault({ kind: 'boot-failure', instanceId: id });
      await ecs.rebootInstance(new Ecs.RebootInstanceRequest({ instanceId: id }));
    }
    const sick = await vi.waitFor(
      async () => {
        const entries = await statuses();
        expect(entries[0]?.ServerHealthStatus, 'web-3').toBe('abnormal');
        return entries;
      },
      { timeout: 10_000, interval: 25 },
    );
    expect(sick.map((entry) => entry.ServerHealthStatus)).toEqual(['abnormal', 'unavailable']);
    await expect
      .poll(
        () =>
          emu
            .state()
            .loadBalancers.find((entry) => entry.id === lb2)
            ?.backends.map((backend) => backend.health),
        { timeout: 10_000, interval: 25 },
      )
      .toEqual(['abnormal', 'abnormal']);
  });
});
