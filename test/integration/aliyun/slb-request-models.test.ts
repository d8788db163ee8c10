/**
 * Every request the SLB client can build, recorded on the wire between the SDK and the emulator,
 * checked against the official SDK request models (test/fixtures/aliyun/slb-request-models.json):
 * parameter names, types and documented values. A parameter the models do not have, or an action
 * the client sends that the data does not cover, fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAliyunClients } from '#src/adapters/aliyun/clients.js';
import { createCloudPorts } from '#src/adapters/index.js';
import type { ListenerConfig, LoadBalancer, ServerAttachments } from '#src/ports/index.js';
import { type AliyunTestEnv, startAliyunEnv } from '#support/emulator-adapters.js';
import { OpenApiClientClass, sdkConfig, slbCaller } from '#support/emulator-sdk.js';
import { modelViolations, slbRequestModels } from '#support/request-models.js';
import { type RequestRecorder, startRequestRecorder } from '#support/request-recorder.js';

let env: AliyunTestEnv;
let recorder: RequestRecorder;
let loadBalancer: LoadBalancer;
let attachments: ServerAttachments;

beforeAll(async () => {
  env = await startAliyunEnv({
    topology: {
      instances: [{ id: 'i-model-1' }, { id: 'i-model-2' }],
    },
  });
  recorder = await startRequestRecorder(env.emu.endpoint);
  ({ loadBalancer, attachments } = createCloudPorts({
    ...env.options,
    endpoint: recorder.endpoint,
  }));
});
afterAll(async () => {
  await recorder?.close();
  await env?.emu.close();
});

const check = {
  enabled: true,
  intervalSeconds: 2,
  timeoutSeconds: 5,
  healthyThreshold: 3,
  unhealthyThreshold: 3,
} as const;

/** One listener of each protocol, each with the settings that protocol can carry. */
const listeners: ListenerConfig[] = [
  {
    protocol: 'tcp',
    port: 80,
    backendPort: 8080,
    scheduler: 'tch',
    healthCheck: {
      ...check,
      type: 'http',
      uri: '/healthz',
      domain: 'www.example.com',
      method: 'get',
      httpCodes: ['http_2xx'],
      connectPort: 8080,
    },
    connectionDrain: { enabled: true, timeoutSeconds: 30 },
  },
  {
    protocol: 'tcp',
    port: 81,
    backendPort: 8080,
    scheduler: 'sch',
    healthCheck: { ...check, type: 'tcp' },
  },
  {
    protocol: 'udp',
    port: 53,
    backendPort: 53,
    scheduler: 'qch',
    healthCheck: { ...check, type: 'tcp' },
    connectionDrain: { enabled: true, timeoutSeconds: 30 },
  },
  {
    protocol: 'http',
    port: 8000,
    backendPort: 8080,
    scheduler: 'rr',
    healthCheck: { ...check, type: 'http', uri: '/healthz', method: 'head' },
    xForwardedFor: true,
  },
  {
    protocol: 'https',
    port: 443,
    backendPort: 8080,
    scheduler: 'wrr',
    healthCheck: { ...check, type: 'http', uri: '/healthz' },
    serverCertificateId: 'cert-model-1',
  },
];

describe('SLB requests against the official request models', () => {
  it('sends only parameters the models name, of their types and documented values', async () => {
    const lb = await loadBalancer.create({
      name: 'models',
      addressType: 'intranet',
      spec: 'slb.s1.small',
      internetChargeType: 'paybytraffic',
      deleteProtection: false,
      tags: { team: 'ops' },
      clientToken: 'models-1',
    });
    await loadBalancer.findByName('models', { team: 'ops' });
    const slb = createAliyunClients({ ...env.options, endpoint: recorder.endpoint }).slb;
    await slb.describeLoadBalancers({ loadBalancerIds: [lb.id], serverId: 'i-model-1' });

    for (const listener of listeners) {
      await loadBalancer.ensureListener(lb.id, listener);
      await loadBalancer.describeListener(lb.id, listener.port, listener.protocol);
      await loadBalancer.startListener(lb.id, listener.port, listener.protocol);
      await loadBalancer.stopListener(lb.id, listener.port, listener.protocol);
    }

    await loadBalancer.addBackends(lb.id, [
      { serverId: 'i-model-1', weight: 100 },
      { serverId: 'i-model-2', weight: 50, description: 'second' },
    ]);
    await loadBalancer.setBackendWeights(lb.id, [{ serverId: 'i-model-1', weight: 0 }]);
    // The groups are made by hand (not through the recorder): drainctl never creates them.
    const byHand = slbCaller(new OpenApiClientClass(sdkConfig(env.emu)), env.emu.region);
    const vsg = String(
      (
        await byHand('CreateVServerGroup', {
          LoadBalancerId: lb.id,
          BackendServers: JSON.stringify([{ ServerId: 'i-model-2', Port: 8081, Weight: 30 }]),
        })
      ).VServerGroupId,
    );
    await byHand('CreateMasterSlaveServerGroup', {
      LoadBalancerId: lb.id,
      MasterSlaveBackendServers: JSON.stringify([
        { ServerId: 'i-model-1', Port: 8082, ServerType: 'Master' },
        { ServerId: 'i-model-2', Port: 8082, ServerType: 'Slave' },
      ]),
    });
    await attachments.balancersServing('i-model-2');
    await attachments.balancersTagged({ team: 'ops' });
    await attachments.vServerGroups(lb.id);
    await attachments.masterSlaveGroups(lb.id);
    await attachments.setVServerGroupWeights(vsg, [
      { serverId: 'i-model-2', port: 8081, weight: 0 },
    ]);
    await loadBalancer.healthStatus(lb.id);
    await slb.describeHealthStatus(lb.id, 80, 'tcp');
    await loadBalancer.setTags(lb.id, { night: 'n1' });
    await loadBalancer.getTags(lb.id, { withinMs: 2_000 });
    await loadBalancer.removeTags(lb.id, ['night']);
    await loadBalancer.removeBackends(lb.id, ['i-model-1', 'i-model-2']);
    for (const listener of listeners) {
      await loadBalancer.deleteListener(lb.id, listener.port, listener.protocol);
    }
    await loadBalancer.delete(lb.id);

    const violations = recorder.calls.flatMap((call) =>
      modelViolations(call.action, Object.fromEntries(call.query)),
    );
    expect(violations).toEqual([]);
    const sent = new Set(recorder.calls.map((call) => call.action));
    expect([...sent].sort()).toEqual(Object.keys(slbRequestModels.actions).sort());
  });
});
