/**
 * The emulator serves one region (the topology's). A call naming another region is refused with
 * the real code rather than answered with an empty world, so a workflow aimed at the wrong region
 * fails loudly.
 */
import { ApiError } from '../server/api-error.js';
import type { Handler } from '../server/product.js';
import type { EmulatorContext } from './context.js';

export function inRegion(
  handlers: Record<string, Handler<EmulatorContext>>,
): Record<string, Handler<EmulatorContext>> {
  return Object.fromEntries(
    Object.entries(handlers).map(([action, handler]) => [
      action,
      (input: Parameters<Handler<EmulatorContext>>[0]) => {
        const region = input.params.string('RegionId');
        if (region && region !== input.ctx.topology.region) {
          throw new ApiError(
            'InvalidRegionId.NotFound',
            `The specified RegionId does not exist. The emulator serves only ${input.ctx.topology.region}.`,
            { status: 404 },
          );
        }
        return handler(input);
      },
    ]),
  );
}
