/**
 * mocks/faults — what can be injected and how API faults are applied; world faults are only
 * validated here and executed by the world. Never imports src/.
 *
 * The faults `/__emulator/faults` and `emulator.injectFault()` accept: API faults the control
 * plane applies to calls (errors, latency), world faults it hands to the simulated world.
 */
import { z } from 'zod';
import type { WorldFault } from '../world/types.js';

const actionPattern = z
  .string()
  .min(1)
  .describe('API action name (e.g. SetBackendServers) or * for every action');
const productName = z.enum(['slb', 'dns', 'ecs']).optional();

export const apiErrorFaultSchema = z.object({
  kind: z.literal('api-error'),
  action: actionPattern,
  product: productName,
  code: z.string().min(1),
  /** The next N matching calls fail (default 1, or unlimited when `rate` is given). */
  count: z.number().int().positive().optional(),
  /** Each matching call fails with this probability (0–1). */
  rate: z.number().min(0).max(1).optional(),
  /** Overrides the status the error table gives the code. */
  status: z.number().int().min(400).max(599).optional(),
  message: z.string().optional(),
  /** Sent as `x-acs-retry-after` (milliseconds, as openapi-core reads it). */
  retryAfterMs: z.number().int().nonnegative().optional(),
  /**
   * The call takes effect first, then answers the error: a change made whose answer was lost or
   * wrong (a timeout after the request left, a Duplicate for a record the call just added).
   */
  afterApply: z.boolean().optional(),
});

export const latencyFaultSchema = z.object({
  kind: z.literal('latency'),
  action: actionPattern,
  product: productName,
  ms: z.number().int().nonnegative(),
  count: z.number().int().positive().optional(),
});

const instanceId = z.string().min(1);

export const worldFaultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('boot-failure'), instanceId }),
  z.object({
    kind: z.literal('unhealthy-after-reboot'),
    instanceId,
    seconds: z.number().positive(),
  }),
  z.object({
    kind: z.literal('app-5xx-after-reboot'),
    instanceId,
    rate: z.number().min(0).max(1),
  }),
  z.object({
    kind: z.literal('bad-version'),
    instanceId,
    kernel: z.string().min(1).optional(),
    effect: z.enum(['unhealthy', '5xx', 'slow']),
    rate: z.number().min(0).max(1).optional(),
    delayMs: z.number().int().positive().max(60_000).optional(),
  }),
  z.object({
    kind: z.literal('health-flapping'),
    instanceId,
    periodSeconds: z.number().positive(),
    seconds: z.number().positive(),
  }),
]);

export const faultSchema = z.union([apiErrorFaultSchema, latencyFaultSchema, worldFaultSchema]);

export type ApiErrorFault = z.infer<typeof apiErrorFaultSchema>;
export type LatencyFault = z.infer<typeof latencyFaultSchema>;
export type ApiFault = ApiErrorFault | LatencyFault;
export type Fault = ApiFault | WorldFault;

export function isApiFault(fault: Fault): fault is ApiFault {
  return fault.kind === 'api-error' || fault.kind === 'latency';
}

/** Validates a fault; throws an Error whose message says what is wrong. */
export function parseFault(input: unknown): Fault {
  const result = faultSchema.safeParse(input);
  if (!result.success) throw new Error(`invalid fault: ${z.prettifyError(result.error)}`);
  return result.data as Fault;
}
