/**
 * `@alicloud/ecs20140526`, the ECS SDK: over a thousand modules, so it is imported only by the
 * ECS adapter, which is loaded when the first call reaches an ECS host (src/adapters/aliyun).
 */
import * as EcsModule from '@alicloud/ecs20140526';
import { cjsDefault } from '../transport/sdk-modules.js';

export * as Ecs from '@alicloud/ecs20140526';

export const EcsClient = cjsDefault(EcsModule.default);
export type EcsClient = InstanceType<typeof EcsClient>;

/**
 * The client takes `@alicloud/openapi-core`'s Config, a transitive dependency we do not import;
 * its constructor only reads the fields of our client settings, so a plain object of them is
 * enough.
 */
export type EcsClientConfig = ConstructorParameters<typeof EcsClient>[0];
