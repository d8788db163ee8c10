/**
 * The Alibaba Cloud SDKs are CommonJS with `exports.default = Client`. Node (and tsx) give an
 * ES module's default import the whole `module.exports`, so the class is its `.default`; vitest
 * gives the default import `exports.default` itself. `cjsDefault` takes the class either way,
 * and TypeScript (NodeNext) types `Namespace.default.default` as the class, so types stay
 * intact. Named exports (request models, Config) work everywhere. This is the one place that
 * knows; everything else imports the classes from here, or from the product's own SDK module
 * (ecs/ecs-sdk.ts, dns/alidns-sdk.ts), which each load one large SDK when its port is first used.
 */
import * as CredentialsModule from '@alicloud/credentials';
import * as OpenApiModule from '@alicloud/openapi-client';

/** The `exports.default` of a CommonJS module, under Node's and vitest's interop alike. */
export function cjsDefault<T>(moduleExports: { default: T }): T {
  return (moduleExports as { default?: T }).default ?? (moduleExports as unknown as T);
}

export { Config as CredentialConfig } from '@alicloud/credentials';
export {
  Config as OpenApiConfig,
  OpenApiRequest,
  Params as OpenApiParams,
} from '@alicloud/openapi-client';
export { RuntimeOptions } from '@alicloud/tea-util';

/** Generic RPC/ROA client (`callApi`); used for SLB, whose SDK package we cannot install. */
export const OpenApiClient = cjsDefault(OpenApiModule.default);
export type OpenApiClient = InstanceType<typeof OpenApiClient>;

export const Credential = cjsDefault(CredentialsModule.default);
export type Credential = InstanceType<typeof Credential>;
