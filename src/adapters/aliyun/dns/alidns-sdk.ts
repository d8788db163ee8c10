/**
 * `@alicloud/alidns20150109`, the Alidns SDK: hundreds of modules, so it is imported only by the
 * DNS adapter, which is loaded when the first call reaches Alidns (src/adapters/aliyun).
 */
import * as AlidnsModule from '@alicloud/alidns20150109';
import { cjsDefault } from '../transport/sdk-modules.js';

export * as Alidns from '@alicloud/alidns20150109';

export const AlidnsClient = cjsDefault(AlidnsModule.default);
export type AlidnsClient = InstanceType<typeof AlidnsClient>;

/** Like the ECS client's: `@alicloud/openapi-core`'s Config, read field by field. */
export type AlidnsClientConfig = ConstructorParameters<typeof AlidnsClient>[0];
