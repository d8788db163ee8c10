/**
 * Backend changes go out in batches of at most 20 servers (the API's limit): 45 backends are
 * three calls, counted on the wire between the SDK and the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudPorts } from '#src/adapters/index.js';
import type { LoadBalancer } from '#src/ports/index.js';
import { type AliyunTestEnv, startAliyunEnv } from '#support/emulator-adapters.js';
import { type RequestRecorder, startRequestRecorder } from '#support/request-recorder.js';

const ids = Array.from({ length: 45 }, (_, n) => `i-batch-${String(n + 1).padStart(2, '0')}`);

let env: AliyunTestEnv;
let recorder: RequestRecorder;
let loadBalancer: LoadBalancer;

beforeAll(async () => {
  env = await startAliyunEnv({
    topology: { instances: ids.map((id) => ({ id, tags: { app: 'batch' } })) },
  });
  recorder = await startRequestRecorder(env.emu.endpoint);
  loadBalancer = createCloudPorts({ ...env.options, endpoint: recorder.endpoint }).loadBalancer;
});
afterAll(async () => {
  await recorder?.close();
  await env?.emu.close();
});

function serversPerCall(action: string): number[] {
  return recorder
    .actions(action)
    .map((call) => (JSON.parse(call.query.get('BackendServers') ?? '[]') as unknown[]).length);
}

describe('backend batching', () => {
  it('adds, reweighs and removes 45 backends in three calls of at most 20 each', async () => {
    const lb = await loadBalancer.create({
      name: 'batch',
      addressType: 'intranet',
      tags: {},
      clientToken: 'batch-1',
    });
    await loadBalancer.addBackends(
      lb.id,
      ids.map((serverId) => ({ serverId, weight: 100 })),
    );
    expect(serversPerCall('AddBackendServers')).toEqual([20, 20, 5]);
    expect(env.emu.state().loadBalancers[0]?.backends).toHaveLength(45);

    await loadBalancer.setBackendWeights(
      lb.id,
      ids.map((serverId) => ({ serverId, weight: 0 })),
    );
    expect(serversPerCall('SetBackendServers')).toEqual([20, 20, 5]);
    expect((await loadBalancer.listBackends(lb.id)).every((b) => b.weight === 0)).toBe(true);

    await loadBalancer.removeBackends(lb.id, ids);
    expect(serversPerCall('RemoveBackendServers')).toEqual([20, 20, 5]);
    expect(await loadBalancer.listBackends(lb.id)).toEqual([]);
  });
});
