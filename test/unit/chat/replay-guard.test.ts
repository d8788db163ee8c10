import { describe, expect, it } from 'vitest';
import { InMemoryReplayGuard, replayClaimTtlMs } from '#src/chat/replay-guard.js';

describe('InMemoryReplayGuard', () => {
  it('lets a key through once until its claim expires', async () => {
    const guard = new InMemoryReplayGuard();
    expect(await guard.claim('slack:ev-1', 1000, 500)).toBe(true);
    expect(await guard.claim('slack:ev-1', 1499, 500)).toBe(false);
    expect(await guard.claim('slack:ev-2', 1499, 500)).toBe(true);
    expect(await guard.claim('slack:ev-1', 1500, 500)).toBe(true);
  });

  it('of concurrent claims of one key, exactly one wins', async () => {
    const guard = new InMemoryReplayGuard();
    const results = await Promise.all(Array.from({ length: 10 }, () => guard.claim('k', 0, 1000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('sweeps expired claims and stays within its bound', async () => {
    const guard = new InMemoryReplayGuard(3);
    for (const key of ['a', 'b', 'c', 'd']) await guard.claim(key, 0, 100);
    expect(guard.size).toBe(3);
    await guard.claim('e', 200, 100);
    expect(guard.size).toBe(1);
  });

  it('keeps a claim longer than any replay window', () => {
    expect(replayClaimTtlMs(60 * 60 * 1000)).toBeGreaterThan(60 * 60 * 1000);
    expect(replayClaimTtlMs(5 * 60 * 1000)).toBe(24 * 60 * 60 * 1000);
  });
});
