/**
 * The Alibaba Cloud SDKs are CommonJS with `exports.default = Client`. Node (and tsx) give an
 * ES module's default import the whole `module.exports`, so the class is its `.default`; vitest
 * gives the default import `exports.default` itself. `cjsDefault` takes the class either way,
 * and TypeScript (NodeNext) types `Namespace.default.default` as the class, so types stay
 * intact. Named exports (request models, Config) work everywhere. This is the one place that
 * knows; everything else imports the classes from here.
 */
import * as AlidnsModule from '@alicloud/alidns20150109';
import * as CredentialsModule from '@alicloud/credentials';
import * as EcsModule from '@alicloud/ecs20140526';
import * as OpenApiModule from '@alicloud/openapi-client';

/** The `exports.default` of a CommonJS module, under Node's and vitest's interop alike. */
function cjsDefault<T>(moduleExports: { default: T }): T {
  return (moduleExports as { default?: T }).default ?? (moduleExports as unknown as T);
}

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
export const OpenApiClient = cjsDefault(OpenApiModule.default);
export type OpenApiClient = InstanceType<typeof OpenApiClient>;

export const EcsClient = cjsDefault(EcsModule.default);
export type EcsClient = InstanceType<typeof EcsClient>;

export const AlidnsClient = cjsDefault(AlidnsModule.default);
export type AlidnsClient = InstanceType<typeof AlidnsClient>;

export const Credential = cjsDefault(CredentialsModule.default);
export type Credential = InstanceType<typeof Credential>;

/**
 * The product clients take `@alicloud/openapi-core`'s Config, a transitive dependency we do not
 * import; its constructor only reads these fields, so a plain object of them is enough.
 */
export type ProductClientConfig = ConstructorParameters<typeof EcsClient>[0];
