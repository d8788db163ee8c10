/**
 * Chat-ops state under DRAINCTL_HOME, on a real file system: the replay guard's claims (atomic,
 * expiring, bounded, shared by two guards on one home as by two serve processes) and the
 * approval requests (kept across a reopen, the long decided pruned, foreign files ignored, of
 * two changes of one version only the first stored).
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestApproval } from '#src/chat/index.js';
import { createLogger } from '#src/log/index.js';
import { ApprovalFiles } from '#src/serve/chat/approval-files.js';
import { FileApprovalStore } from '#src/serve/chat/approval-store.js';
import { FileReplayGuard } from '#src/serve/chat/file-replay-guard.js';

const DAY = 24 * 60 * 60 * 1000;
const logger = createLogger({ level: 'silent' });
let home: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'drainctl-chat-state-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('FileReplayGuard', () => {
  it('lets exactly one of concurrent claims win, also across two guards on one home', async () => {
    const [a, b] = [new FileReplayGuard(home), new FileReplayGuard(home)];
    const wins = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).claim('slack:Ev1', 1000, DAY)),
    );
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await new FileReplayGuard(home).claim('slack:Ev1', 2000, DAY)).toBe(false);
  });

  it('frees a key once its claim expired', async () => {
    const guard = new FileReplayGuard(home);
    expect(await guard.claim('dingtalk:msg1', 0, 1000)).toBe(true);
    expect(await guard.claim('dingtalk:msg1', 999, 1000)).toBe(false);
    expect(await guard.claim('dingtalk:msg1', 1000, 1000)).toBe(true);
  });

  it('sweeps expired claims and keeps at most maxKeys', async () => {
    const guard = new FileReplayGuard(home, 3);
    for (let i = 0; i < 5; i += 1) await guard.claim(`k${i}`, i, 100 + i);
    // The next sweep (ten minutes on) drops the expired, and keeps the 3 expiring last.
    await new FileReplayGuard(home, 3).claim('late', 10 * 60 * 1000, DAY);
    expect(await readdir(join(home, 'chat', 'replay'))).toHaveLength(1);
    for (let i = 0; i < 5; i += 1) await guard.claim(`m${i}`, 20 * 60 * 1000, DAY + i);
    await new FileReplayGuard(home, 3).claim('later', 20 * 60 * 1000 + 1, DAY);
    expect(await readdir(join(home, 'chat', 'replay'))).toHaveLength(3 + 1);
  });
});

describe('ApprovalFiles', () => {
  const asked = (runId: string, nowMs: number) =>
    requestApproval({
      runId,
      workflow: 'web-night',
      requester: { platform: 'slack', userId: 'U1' },
      channel: 'C1',
      plan: { sha256: 'a'.repeat(64), runbookSummary: 'summary' },
      nowMs,
      timeLimitMs: 30 * 60 * 1000,
    });

  it('keeps requests across a reopen, prunes the long decided, ignores foreign files', async () => {
    const store = new ApprovalFiles(home, logger);
    const pending = asked('r-20261205-010000-aaaa', 0);
    await store.save({ state: pending });
    const old = asked('r-20261205-010000-bbbb', 0);
    await store.save({
      state: {
        status: 'denied',
        request: old.request,
        deniedBy: { platform: 'slack', userId: 'U2' },
        deniedAtMs: 1,
      },
    });
    await writeFile(join(home, 'chat', 'approvals', 'r-20261205-010000-cccc.json'), '{"state":');
    await writeFile(join(home, 'chat', 'approvals', 'notes.json'), '{}');

    const loaded = await new ApprovalFiles(home, logger).load(8 * DAY);
    expect(loaded.map((entry) => entry.state.request.runId)).toEqual(['r-20261205-010000-aaaa']);
    expect(loaded[0]?.state).toEqual(pending);
    expect((await readdir(join(home, 'chat', 'approvals'))).sort()).toEqual([
      'notes.json',
      'r-20261205-010000-aaaa.json',
      'r-20261205-010000-cccc.json',
    ]);
  });

  it('refuses to store a request under a name that is not a run id', async () => {
    await expect(
      new ApprovalFiles(home, logger).save({ state: asked('../escape', 0) }),
    ).rejects.toMatchObject({ code: 'CHAT_APPROVAL_UNSTORABLE' });
  });
});

describe('FileApprovalStore', () => {
  const pending = requestApproval({
    runId: 'r-20261205-010000-dddd',
    workflow: 'web-night',
    requester: { platform: 'slack', userId: 'U1' },
    channel: 'C1',
    plan: { sha256: 'a'.repeat(64), runbookSummary: 'summary' },
    nowMs: 0,
    timeLimitMs: 30 * 60 * 1000,
  });
  const approvedBy = (userId: string) => ({
    state: {
      status: 'approved' as const,
      request: pending.request,
      approver: { platform: 'slack' as const, userId },
      approvedAtMs: 1,
    },
  });

  it('stores only the first of two changes of one version, and keeps it across a reopen', async () => {
    const store = await FileApprovalStore.open(home, logger, 0);
    expect(await store.save({ state: pending }, 0)).toBe(true);
    expect(await store.save({ state: pending }, 0)).toBe(false);
    const read = await store.read('r-20261205-010000-dddd');
    expect(read?.version).toBe(1);
    const both = await Promise.all([
      store.save(approvedBy('U2'), 1),
      store.save(approvedBy('U3'), 1),
    ]);
    expect(both).toEqual([true, false]);
    await store.flushed();
    const reopened = await FileApprovalStore.open(home, logger, 2);
    expect((await reopened.read('r-20261205-010000-dddd'))?.entry).toEqual(approvedBy('U2'));
    expect(await reopened.pending()).toEqual([]);
  });
});
