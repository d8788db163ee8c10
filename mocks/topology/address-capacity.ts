/**
 * How many instances an emulator's address block holds (mocks/emulator/addresses.ts lays them
 * out): .11 to .99 of a /24, and of each /24 of a /16 in turn. Pure, so the topology's validation
 * can use it.
 */

/** Instances one /24 holds (.11 to .99). */
export const INSTANCES_PER_BLOCK = 89;

/** Instances a topology may have in all (a /16 would hold 256 × 89; each costs sockets). */
export const MAX_INSTANCES = 2000;

/** How many instances `subnet` ("…/24" or "…/16") has addresses for. */
export function instanceCapacity(subnet: string): number {
  return subnet.endsWith('/16') ? 256 * INSTANCES_PER_BLOCK : INSTANCES_PER_BLOCK;
}
