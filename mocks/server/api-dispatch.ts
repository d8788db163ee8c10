/**
 * One API call, start to end: choose the product by version and the handler by action, verify
 * the signature, apply injected faults, run the handler, and shape the response (success body
 * with RequestId, or the real error body and status).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiFaults } from '../faults/api-faults.js';
import type { ApiCallCounts } from './api-call-counts.js';
import {
  ApiError,
  InternalError,
  InvalidActionNotFound,
  InvalidVersion,
  MissingParameter,
} from './api-error.js';
import type { JsonResponse } from './http-io.js';
import { Params } from './params.js';
import type { Product } from './product.js';
import type { ApiRateLimits } from './rate-limits.js';
import type { SignatureVerifier, SignedCall } from './signature/verify-signature.js';

/** Parameters of the signature protocol, not of the API action. */
const PROTOCOL_PARAMS = new Set([
  'Action',
  'Version',
  'Format',
  'AccessKeyId',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'SignatureType',
  'Timestamp',
  'SecurityToken',
]);

export interface DispatcherOptions<C> {
  products: readonly Product<C>[];
  verifier: SignatureVerifier;
  faults: ApiFaults;
  /** Per-action quotas in force (none unless asked for). */
  rateLimits?: ApiRateLimits;
  /** Counts every call that names a known action, by its outcome. */
  callCounts?: ApiCallCounts;
  context: () => C;
  /** Called with errors no handler meant to raise (answered as InternalError). */
  onUnexpectedError?: (error: unknown, action: string) => void;
}

export type Dispatcher = (call: SignedCall, requestId: string) => Promise<JsonResponse>;

export function createDispatcher<C>(options: DispatcherOptions<C>): Dispatcher {
  const byVersion = new Map(options.products.map((product) => [product.version, product]));

  return async (call, requestId) => {
    const merged = new Map<string, string>([...call.query, ...call.form]);
    const header = (name: string) => {
      const value = call.headers[name];
      return typeof value === 'string' && value !== '' ? value : undefined;
    };
    const version = header('x-acs-version') ?? merged.get('Version');
    const product = version === undefined ? undefined : byVersion.get(version);
    let action = '';
    try {
      if (version === undefined) throw new MissingParameter('Version');
      if (product === undefined) throw new InvalidVersion();
      action = header('x-acs-action') ?? merged.get('Action') ?? '';
      if (action === '') throw new MissingParameter('Action');
      const handler = product.handlers[action];
      if (!handler) throw new InvalidActionNotFound();
      options.verifier.verify(call);
      options.rateLimits?.admit(action);
      const delay = options.faults.latencyFor(product.name, action);
      if (delay > 0) await sleep(delay);
      const injected = options.faults.errorFor(product.name, action);
      if (injected && !injected.afterApply) throw injected.error;
      for (const name of PROTOCOL_PARAMS) merged.delete(name);
      const body = await handler({ params: new Params(merged), ctx: options.context(), requestId });
      if (injected) throw injected.error;
      options.callCounts?.record(action, 'ok');
      return {
        status: 200,
        headers: { 'x-acs-request-id': requestId },
        body: { RequestId: requestId, ...body },
      };
    } catch (error) {
      const apiError = error instanceof ApiError ? error : unexpected(error, action, options);
      if (product?.handlers[action]) {
        options.callCounts?.record(
          action,
          apiError.code === 'Throttling.User' ? 'throttled' : 'failed',
        );
      }
      return errorResponse(apiError, requestId, product);
    }
  };
}

function unexpected<C>(error: unknown, action: string, options: DispatcherOptions<C>): ApiError {
  options.onUnexpectedError?.(error, action);
  return new InternalError(
    `The request processing has failed due to some unknown error, exception or failure. (${error instanceof Error ? error.message : String(error)})`,
  );
}

export function errorResponse<C>(
  error: ApiError,
  requestId: string,
  product: Product<C> | undefined,
): JsonResponse {
  const productCode = product?.code ?? 'Unknown';
  return {
    status: error.status,
    headers: { 'x-acs-request-id': requestId, ...error.headers },
    body: {
      RequestId: requestId,
      HostId: product?.hostId ?? 'aliyuncs.com',
      Code: error.code,
      Message: error.message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=${productCode}&requestId=${requestId}`,
    },
  };
}
