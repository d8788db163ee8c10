/**
 * `@alicloud/openapi-core`, the generic client the generated Darabonba SDKs (ECS, Alidns) are
 * built on: its `callApi` sends any RPC action and reports the cloud's `x-acs-retry-after` on a
 * throttled call, without loading a product's model modules. Loaded only by the adapters that
 * use it (ecs/ecs-client.ts).
 */
import * as OpenApiCoreModule from '@alicloud/openapi-core';
import { cjsDefault } from './sdk-modules.js';

export { $OpenApiUtil as OpenApiCoreUtil } from '@alicloud/openapi-core';
export { RuntimeOptions as DaraRuntimeOptions } from '@darabonba/typescript';

export const OpenApiCoreClient = cjsDefault(OpenApiCoreModule.default);
export type OpenApiCoreClient = InstanceType<typeof OpenApiCoreClient>;
