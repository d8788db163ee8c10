/**
 * Where the approval requests of chat are read and changed: each request carries a version, and
 * every change says which version it replaces (a compare-and-set), so two decisions arriving at
 * once cannot both be stored. The embedded default keeps them in this process's memory, written
 * through to files under DRAINCTL_HOME (one process: the compare is a synchronous check); with
 * DRAINCTL_DATABASE_URL they are rows every replica reads and changes.
 */
import type { ApprovalState } from '../../chat/index.js';
import { DrainctlError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import type { ApprovalRecord, ApprovalRecords } from '../../ports/index.js';
import { ApprovalFiles, DECIDED_KEPT_MS, type StoredApproval } from './approval-files.js';

export type { StoredApproval } from './approval-files.js';

export interface VersionedApproval {
  entry: StoredApproval;
  /** What a change of it names as the version it replaces. */
  version: number;
}

export interface ApprovalStore {
  read(runId: string): Promise<VersionedApproval | undefined>;
  /** The requests still pending, oldest first. */
  pending(): Promise<VersionedApproval[]>;
  /**
   * Store `entry` in place of version `version` of its request (0: a new request); false when
   * the request is no longer at that version (another change came first) and nothing was stored.
   */
  save(entry: StoredApproval, version: number): Promise<boolean>;
  /** Resolves once every change so far is written where it outlives the process. */
  flushed(): Promise<void>;
}

/** The embedded default: memory is the authority, the files keep it across a restart. */
export class FileApprovalStore implements ApprovalStore {
  private readonly entries = new Map<string, VersionedApproval>();
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly files: ApprovalFiles,
    private readonly logger: Logger,
  ) {}

  /** The store with the requests the files kept, pruned of the long decided. */
  static async open(home: string, logger: Logger, nowMs: number): Promise<FileApprovalStore> {
    const store = new FileApprovalStore(new ApprovalFiles(home, logger), logger);
    for (const entry of await store.files.load(nowMs)) {
      store.entries.set(entry.state.request.runId, { entry, version: 1 });
    }
    return store;
  }

  async read(runId: string): Promise<VersionedApproval | undefined> {
    return this.entries.get(runId);
  }

  async pending(): Promise<VersionedApproval[]> {
    return [...this.entries.values()].filter(({ entry }) => entry.state.status === 'pending');
  }

  async save(entry: StoredApproval, version: number): Promise<boolean> {
    const { runId } = entry.state.request;
    // Checked and set before anything awaits: of two changes of one version, the second fails.
    if ((this.entries.get(runId)?.version ?? 0) !== version) return false;
    this.entries.set(runId, { entry, version: version + 1 });
    const { files } = this;
    this.writes = this.writes.then(() =>
      files.save(entry).catch((error: unknown) => {
        // The request still works in this process; only a restart would forget it.
        this.logger.warn(
          { err: error, runId },
          `chat: approval of ${runId} not stored: a restart would forget it`,
        );
      }),
    );
    return true;
  }

  flushed(): Promise<void> {
    return this.writes;
  }
}

/** Replicas: the requests are rows in the database, changed only by compare-and-set. */
export class DatabaseApprovalStore implements ApprovalStore {
  private constructor(private readonly records: ApprovalRecords) {}

  /** The store on `records`, pruned of the requests decided more than a week ago. */
  static async open(records: ApprovalRecords): Promise<DatabaseApprovalStore> {
    await records.prune(DECIDED_KEPT_MS);
    return new DatabaseApprovalStore(records);
  }

  async read(runId: string): Promise<VersionedApproval | undefined> {
    const record = await this.records.read(runId);
    return record === undefined ? undefined : versioned(record);
  }

  async pending(): Promise<VersionedApproval[]> {
    return (await this.records.pending()).map(versioned);
  }

  save(entry: StoredApproval, version: number): Promise<boolean> {
    const { runId } = entry.state.request;
    const json = JSON.stringify(entry);
    const pending = entry.state.status === 'pending';
    return version === 0
      ? this.records.create(runId, json, pending)
      : this.records.replace(runId, version, json, pending);
  }

  async flushed(): Promise<void> {
    // Every change is in the database once save resolved.
  }
}

function versioned(record: ApprovalRecord): VersionedApproval {
  const entry = JSON.parse(record.json) as Partial<StoredApproval>;
  const state = entry.state as Partial<ApprovalState> | undefined;
  if (state?.request?.runId !== record.runId || typeof state.status !== 'string') {
    throw new DrainctlError(
      'CHAT_APPROVAL_UNREADABLE',
      `the stored approval request of ${record.runId} is not one drainctl wrote`,
    );
  }
  return { entry: entry as StoredApproval, version: record.version };
}
