/**
 * The files the approval requests of chat live in between restarts of one serve: one JSON file
 * per request under DRAINCTL_HOME (`chat/approvals/<run id>.json`), written atomically. Each holds
 * the request's state and the requester's message (the thread its run reports to). Requests
 * decided more than a week ago are removed when serve starts, and at most `maxRequests` are kept
 * (the oldest decided go first).
 */
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApprovalState, ChatRequest } from '../../chat/index.js';
import { DrainctlError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import { writeJsonAtomically } from '../state/write-json-atomically.js';

export interface StoredApproval {
  state: ApprovalState;
  /** The requester's message: its thread hears the run's progress. */
  asked?: ChatRequest;
}

/** How long a decided request is kept (`status <run id>` answers from it). */
export const DECIDED_KEPT_MS = 7 * 24 * 60 * 60 * 1000;
/** What `newRunId` makes: the only file names read or written. */
const RUN_ID = /^r-\d{8}-\d{6}-[0-9a-f]{4}$/;

export class ApprovalFiles {
  private readonly dir: string;

  constructor(
    home: string,
    private readonly logger: Logger,
    private readonly maxRequests = 1000,
  ) {
    this.dir = join(home, 'chat', 'approvals');
  }

  /** Every request kept, pruned of the long decided. */
  async load(nowMs: number): Promise<StoredApproval[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const kept: StoredApproval[] = [];
    for (const name of names) {
      const runId = name.endsWith('.json') ? name.slice(0, -'.json'.length) : '';
      if (!RUN_ID.test(runId)) continue;
      const entry = await this.read(runId);
      if (entry === undefined) continue;
      if (entry.state.status !== 'pending' && decidedAt(entry.state) < nowMs - DECIDED_KEPT_MS) {
        await this.remove(runId);
        continue;
      }
      kept.push(entry);
    }
    kept.sort((a, b) => a.state.request.requestedAtMs - b.state.request.requestedAtMs);
    const excess = kept.length - this.maxRequests;
    const dropped = kept.filter((e) => e.state.status !== 'pending').slice(0, Math.max(0, excess));
    for (const entry of dropped) await this.remove(entry.state.request.runId);
    return kept.filter((entry) => !dropped.includes(entry));
  }

  async save(entry: StoredApproval): Promise<void> {
    const { runId } = entry.state.request;
    if (!RUN_ID.test(runId)) {
      // Run ids come from newRunId: anything else would name a file outside the directory.
      throw new DrainctlError('CHAT_APPROVAL_UNSTORABLE', `not a run id: ${runId}`);
    }
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeJsonAtomically(join(this.dir, `${runId}.json`), entry);
  }

  /** A file that is not one serve wrote is logged and left alone (not acted on, not removed). */
  private async read(runId: string): Promise<StoredApproval | undefined> {
    const path = join(this.dir, `${runId}.json`);
    try {
      const entry = JSON.parse(await readFile(path, 'utf8')) as Partial<StoredApproval>;
      if (entry.state?.request?.runId !== runId || typeof entry.state.status !== 'string') {
        throw new DrainctlError('CHAT_APPROVAL_UNREADABLE', 'not an approval request of this run');
      }
      return entry as StoredApproval;
    } catch (error) {
      this.logger.warn(
        { err: error, file: path },
        `chat: approval file ${path} unreadable; ignored`,
      );
      return undefined;
    }
  }

  private async remove(runId: string): Promise<void> {
    await unlink(join(this.dir, `${runId}.json`)).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    });
  }
}

function decidedAt(state: ApprovalState): number {
  switch (state.status) {
    case 'approved':
      return state.approvedAtMs;
    case 'denied':
      return state.deniedAtMs;
    case 'expired':
      return state.expiredAtMs;
    case 'executing':
      return state.startedAtMs;
    case 'pending':
      return state.request.expiresAtMs;
  }
}
