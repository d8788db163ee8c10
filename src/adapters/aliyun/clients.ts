/**
 * The typed API clients of every product at once, for tests and tools that need a call the
 * ports do not offer. It loads every SDK; drainctl itself reaches the cloud through the ports
 * (index.ts), which load each product's SDK on first use.
 */
import { type AlidnsApi, createAlidnsApi } from './dns/alidns-client.js';
import { createEcsApi, type EcsApi } from './ecs/ecs-client.js';
import { openAliyunSession, type SessionOptions } from './session.js';
import { createSlbClient, type SlbClient } from './slb/slb-client.js';
import type { TrackedCredential } from './transport/credentials.js';
import type { ProductEndpoint } from './transport/endpoints.js';
import type { CloudProduct } from './transport/retry-policy.js';

export interface AliyunClients {
  slb: SlbClient;
  alidns: AlidnsApi;
  ecs: EcsApi;
  credential: TrackedCredential;
  endpoints: Record<CloudProduct, ProductEndpoint>;
}

export function createAliyunClients(options: SessionOptions): AliyunClients {
  const session = openAliyunSession(options);
  return {
    slb: createSlbClient(session),
    alidns: createAlidnsApi(session),
    ecs: createEcsApi(session),
    credential: session.credential,
    endpoints: session.endpoints,
  };
}
