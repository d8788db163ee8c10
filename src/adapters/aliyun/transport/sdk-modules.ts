/**
 * The Alibaba Cloud SDKs are CommonJS with `exports.default = Client`. Imported from an ES
 * module, the default import is the whole `module.exports`, so the client class is its
 * `.default`; TypeScript (NodeNext) models this exactly, so types stay intact. Named exports
 * (request models, Config) are found by Node's CommonJS export detection. This is the one
 * place that knows; everything else imports the classes from here.
 */
import AlidnsModule from '@alicloud/alidns20150109';
import CredentialsModule from '@alicloud/credentials';
import EcsModule from '@alicloud/ecs20140526';
import OpenApiModule from '@alicloud/openapi-client';

export * as Alidns from '@alicloud/alidns20150109';
export { Config as CredentialConfig } from '@alicloud/credentials';
export * as Ecs from '@alicloud/ecs20140526';
export {
  Config as OpenApiConfig,
  OpenApiRequest,
  Params as OpenApiParams,
} from '@alicloud/openapi-client';
export { RuntimeOptions } from '@alicloud/tea-util';

/** Generic RPC/ROA client (`callApi`); used for SLB, whose SDK package we cannot install. */
export const OpenApiClient = OpenApiModule.default;
export type OpenApiClient = InstanceType<typeof OpenApiClient>;

export const EcsClient = EcsModule.default;
export type EcsClient = InstanceType<typeof EcsClient>;

export const AlidnsClient = AlidnsModule.default;
export type AlidnsClient = InstanceType<typeof AlidnsClient>;

export const Credential = CredentialsModule.default;
export type Credential = InstanceType<typeof Credential>;

/**
 * The product clients take `@alicloud/openapi-core`'s Config, a transitive dependency we do not
 * import; its constructor only reads these fields, so a plain object of them is enough.
 */
export type ProductClientConfig = ConstructorParameters<typeof EcsClient>[0];
