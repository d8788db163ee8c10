/**
 * Starts an in-process emulator for a test file and builds the official SDK clients against it.
 * Always on port 0, always closed in afterAll.
 *
 * @example
 *   const env = useEmulator({ timings: { bootSeconds: 0.2 } });
 *   it('lists instances', async () => {
 *     const { body } = await env().ecs.describeInstances(new Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }));
 *   });
 *
 * The SDKs are CommonJS modules with `exports.default = Client`. Node (and tsx) give an ESM
 * default import the whole `module.exports`, vitest gives it `exports.default`; so import the
 * namespace (`import * as Ecs`) for the request models, which works in both, and take the
 * client class with `cjsDefault(Ecs.default)`.
 */
import * as Alidns from '@alicloud/alidns20150109';
import * as Ecs from '@alicloud/ecs20140526';
import * as OpenApi from '@alicloud/openapi-client';
import * as Util from '@alicloud/tea-util';
import { afterAll, beforeAll } from 'vitest';
import { type Emulator, type StartEmulatorOptions, startEmulator } from '#mocks/index.js';

export { Alidns, Ecs, OpenApi, Util };

/** The `exports.default` of a CommonJS SDK module, under Node's and vitest's interop alike. */
export function cjsDefault<T>(moduleExports: { default: T }): T {
  return (moduleExports as { default?: T }).default ?? (moduleExports as unknown as T);
}

export const EcsClientClass = cjsDefault(Ecs.default);
export const AlidnsClientClass = cjsDefault(Alidns.default);
export const OpenApiClientClass = cjsDefault(OpenApi.default);

export type EcsClient = InstanceType<typeof EcsClientClass>;
export type AlidnsClient = InstanceType<typeof AlidnsClientClass>;
export type OpenApiClient = InstanceType<typeof OpenApiClientClass>;

export interface EmulatorTestEnv {
  emu: Emulator;
  ecs: EcsClient;
  dns: AlidnsClient;
  /** openapi-client for SLB (no SLB SDK package): use `callSlb`. */
  openApi: OpenApiClient;
  /**
   * Calls an SLB action the way docs/aliyun.md, "SLB requests and answers" prescribes (RPC style,
   * params in the query).
   */
  callSlb(
    action: string,
    query?: Record<string, string | number>,
  ): Promise<Record<string, unknown>>;
}

/** SDK Config pointed at an emulator (the way drainctl's adapters point theirs). */
export function sdkConfig(
  emu: Pick<Emulator, 'port' | 'credentials' | 'region'>,
  overrides: Record<string, unknown> = {},
): InstanceType<typeof OpenApi.Config> {
  return new OpenApi.Config({
    accessKeyId: emu.credentials.accessKeyId,
    accessKeySecret: emu.credentials.accessKeySecret,
    endpoint: `127.0.0.1:${emu.port}`,
    protocol: 'HTTP',
    regionId: emu.region,
    ...overrides,
  });
}

export function slbCaller(client: OpenApiClient, region: string) {
  return async (action: string, query: Record<string, string | number> = {}) => {
    const params = new OpenApi.Params({
      action,
      version: '2014-05-15',
      protocol: 'HTTP',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const request = new OpenApi.OpenApiRequest({
      query: Object.fromEntries(
        Object.entries({ RegionId: region, ...query }).map(([k, v]) => [k, String(v)]),
      ),
    });
    const response = await client.callApi(params, request, new Util.RuntimeOptions({}));
    return response.body as Record<string, unknown>;
  };
}

export function useEmulator(options: StartEmulatorOptions = {}): () => EmulatorTestEnv {
  let env: EmulatorTestEnv | undefined;
  beforeAll(async () => {
    const emu = await startEmulator({ port: 0, ...options });
    const config = sdkConfig(emu);
    const openApi = new OpenApiClientClass(config);
    env = {
      emu,
      ecs: new EcsClientClass(config),
      dns: new AlidnsClientClass(config),
      openApi,
      callSlb: slbCaller(openApi, emu.region),
    };
  });
  afterAll(async () => {
    await env?.emu.close();
  });
  return () => {
    if (!env) throw new Error('the emulator is not started (use inside a test)');
    return env;
  };
}
