/**
 * `/__emulator/*`: the admin API tests, the demo and people use to look inside the emulator and
 * steer it. Not signed (it is not part of the cloud), JSON in and out.
 *
 *   GET    /__emulator/state    snapshot of instances, load balancers, DNS
 *   POST   /__emulator/reset    back to the topology's initial state
 *   GET    /__emulator/faults   faults in force
 *   POST   /__emulator/faults   inject one fault (or an array of faults)
 *   DELETE /__emulator/faults   clear every fault
 *   GET    /__emulator/rate-limits   per-action API quotas in force
 *   PUT    /__emulator/rate-limits   replace them: { "Action": { "calls": N, "perSeconds": S } }
 *   DELETE /__emulator/rate-limits   no quotas
 *   GET    /__emulator/api-calls     API calls answered so far, per action and outcome
 *   DELETE /__emulator/api-calls     start counting again from zero
 */
import type { JsonResponse } from './http-io.js';

export const ADMIN_PREFIX = '/__emulator/';

export interface AdminApi {
  state(): unknown;
  reset(): Promise<void>;
  /** Validates and applies a fault; throws an Error with a readable message when invalid. */
  injectFault(fault: unknown): unknown;
  clearFaults(): void;
  faults(): unknown[];
  rateLimits(): unknown;
  /** Validates and replaces the quotas; throws an Error with a readable message when invalid. */
  setRateLimits(limits: unknown): unknown;
  apiCalls(): unknown;
  clearApiCalls(): void;
}

export async function handleAdmin(
  method: string,
  path: string,
  body: Buffer,
  admin: AdminApi,
): Promise<JsonResponse> {
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  try {
    switch (route) {
      case 'GET /__emulator/state':
        return ok(admin.state());
      case 'POST /__emulator/reset':
        await admin.reset();
        return ok(admin.state());
      case 'GET /__emulator/faults':
        return ok({ faults: admin.faults() });
      case 'POST /__emulator/faults': {
        const input = parseJson(body);
        const list = Array.isArray(input) ? input : [input];
        const injected = list.map((fault) => admin.injectFault(fault));
        return ok({ injected, faults: admin.faults() });
      }
      case 'DELETE /__emulator/faults':
        admin.clearFaults();
        return ok({ faults: [] });
      case 'GET /__emulator/rate-limits':
        return ok({ rateLimits: admin.rateLimits() });
      case 'PUT /__emulator/rate-limits':
        return ok({ rateLimits: admin.setRateLimits(parseJson(body)) });
      case 'DELETE /__emulator/rate-limits':
        return ok({ rateLimits: admin.setRateLimits({}) });
      case 'GET /__emulator/api-calls':
        return ok({ apiCalls: admin.apiCalls() });
      case 'DELETE /__emulator/api-calls':
        admin.clearApiCalls();
        return ok({ apiCalls: {} });
      default:
        return { status: 404, body: { error: `no admin route ${route}` } };
    }
  } catch (error) {
    return { status: 400, body: { error: error instanceof Error ? error.message : String(error) } };
  }
}

function ok(body: unknown): JsonResponse {
  return { status: 200, body };
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new Error('the request body must be JSON');
  }
}
