/**
 * The replay guard under DRAINCTL_HOME (`chat/replay/`), so "acted on once" outlives a restart
 * of serve and holds between the HTTP endpoint and a long connection delivering the same
 * message. One file per claimed key, named by the key's SHA-256 and holding its expiry; a claim
 * creates it exclusively (`wx`), which the file system makes atomic, also between two serve
 * processes sharing a home. Expired claims are swept as claims go by, and at most `maxKeys`
 * are kept (the soonest to expire go first), like the in-memory guard.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReplayGuard } from '../../chat/index.js';

/** How often the directory is swept of expired claims. */
const SWEEP_EVERY_MS = 10 * 60 * 1000;

export class FileReplayGuard implements ReplayGuard {
  private readonly dir: string;
  private lastSweepMs = Number.NEGATIVE_INFINITY;

  constructor(
    home: string,
    private readonly maxKeys = 10_000,
  ) {
    this.dir = join(home, 'chat', 'replay');
  }

  async claim(key: string, nowMs: number, ttlMs: number): Promise<boolean> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    if (nowMs - this.lastSweepMs >= SWEEP_EVERY_MS) {
      this.lastSweepMs = nowMs;
      await this.sweep(nowMs);
    }
    const path = join(this.dir, createHash('sha256').update(key).digest('hex'));
    if (await this.create(path, nowMs + ttlMs)) return true;
    const expiresAt = Number(await readFile(path, 'utf8').catch(() => 'NaN'));
    // An unreadable claim (a torn write) counts as live: refusing a replay beats acting twice.
    if (!(expiresAt <= nowMs)) return false;
    // Expired: taken again. Two claims racing for one expired key can both win, but only once
    // the key is older than every platform's replay window, which the verifiers refuse anyway.
    await unlink(path).catch(ignoreMissing);
    return this.create(path, nowMs + ttlMs);
  }

  /** Creates the claim file; false when it exists. */
  private async create(path: string, expiresAtMs: number): Promise<boolean> {
    try {
      await writeFile(path, String(expiresAtMs), { flag: 'wx', mode: 0o600 });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  }

  private async sweep(nowMs: number): Promise<void> {
    const claims: { path: string; expiresAt: number }[] = [];
    for (const name of await readdir(this.dir)) {
      const path = join(this.dir, name);
      const expiresAt = Number(await readFile(path, 'utf8').catch(() => 'NaN'));
      if (expiresAt <= nowMs) await unlink(path).catch(ignoreMissing);
      else claims.push({ path, expiresAt: Number.isNaN(expiresAt) ? nowMs : expiresAt });
    }
    claims.sort((a, b) => a.expiresAt - b.expiresAt);
    for (const { path } of claims.slice(0, Math.max(0, claims.length - this.maxKeys))) {
      await unlink(path).catch(ignoreMissing);
    }
  }
}

function ignoreMissing(error: unknown): void {
  // Swept or taken by another claim in between: gone is what was wanted.
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
