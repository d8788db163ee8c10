/**
 * "Answered once, acted on once", for every way a message arrives: the delivery's own keys (an
 * HTTP request's signature) and `platform:eventId` are claimed in the one ReplayGuard, so a
 * platform's retry, a replayed request, or the same message over HTTP and a long connection is
 * acted on the first time only.
 */
import type { ChatPlatform, ReplayGuard } from '../../chat/index.js';

/** True when every key was free (and is now claimed); false for a delivery seen before. */
export async function claimDelivery(
  replay: ReplayGuard,
  delivery: { platform: ChatPlatform; eventId: string; otherKeys?: readonly string[] },
  nowMs: number,
  ttlMs: number,
): Promise<boolean> {
  for (const key of [...(delivery.otherKeys ?? []), `${delivery.platform}:${delivery.eventId}`]) {
    if (!(await replay.claim(key, nowMs, ttlMs))) return false;
  }
  return true;
}
