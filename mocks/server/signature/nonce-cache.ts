/**
 * Remembers signature nonces for as long as a timestamp is accepted, so a replayed request
 * (same nonce within the window) is refused with SignatureNonceUsed.
 */
export class NonceCache {
  private readonly seen = new Map<string, number>();

  constructor(private readonly ttlMs: number) {}

  /** Records the nonce; false if it was already seen within the window. */
  remember(nonce: string, nowMs: number): boolean {
    this.prune(nowMs);
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, nowMs + this.ttlMs);
    return true;
  }

  private prune(nowMs: number): void {
    // Insertion order is expiry order, so stop at the first live entry.
    for (const [nonce, expires] of this.seen) {
      if (expires > nowMs) break;
      this.seen.delete(nonce);
    }
  }
}
