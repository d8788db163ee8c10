/**
 * What a schedule must remember across a restart of the server: the last occurrence it fired
 * (so none fires twice), the plan last approved for it and by whom, the servers a closed window
 * kept its last run from (carry-over), and an occurrence still waiting (for the alert gate or an
 * approval). Behind `ScheduleStateStore`, so a database can take the place of the JSON files.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DrainctlError } from '../../errors/index.js';
import type { SharedStorage } from '../../ports/index.js';
import { writeJsonAtomically } from '../state/write-json-atomically.js';

/** A schedule's state file that is not what serve wrote: the schedule does nothing until fixed. */
export class ScheduleStateUnreadableError extends DrainctlError {
  constructor(
    readonly file: string,
    what: string,
    options: { cause?: unknown } = {},
  ) {
    super('SCHEDULE_STATE_UNREADABLE', `${file}: ${what}`, {
      ...options,
      hint: 'fix or remove the file (removing it forgets the last firing and the approval)',
    });
  }
}

export interface ScheduleState {
  /** ISO instant of the last occurrence fired (run, skipped or waiting). */
  lastFired?: string;
  approved?: { planSha256: string; by: string; at: string };
  /** Instance ids a closed window did not reach: first next time with `carryOver: true`. */
  carryOver: string[];
  /** The occurrence fired and not yet started or skipped. */
  waiting?: {
    occurrence: string;
    /** Until when it may still start (its window's close). */
    until: string;
    on: 'alert-gate' | 'approval';
    /** The plan waiting for approval. */
    planSha256?: string;
    reason?: string;
  };
  /**
   * Saved before a run is started and removed once its start resolved: found on load, the
   * server stopped in between, and the occurrence is not started a second time.
   */
  starting?: { occurrence: string; at: string };
  /** The last run this schedule started. */
  lastRun?: { runId: string; occurrence: string };
}

export interface ScheduleStateStore {
  load(schedule: string): Promise<ScheduleState>;
  save(schedule: string, state: ScheduleState): Promise<void>;
}

function parseScheduleState(text: string, where: string): ScheduleState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ScheduleStateUnreadableError(where, 'not JSON', { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ScheduleStateUnreadableError(where, 'not a JSON object');
  }
  const state = parsed as Partial<ScheduleState>;
  return { ...state, carryOver: Array.isArray(state.carryOver) ? state.carryOver : [] };
}

/** One row per schedule in the database replicas share (DRAINCTL_DATABASE_URL). */
export class SharedScheduleStateStore implements ScheduleStateStore {
  constructor(private readonly shared: SharedStorage) {}

  async load(schedule: string): Promise<ScheduleState> {
    const text = await this.shared.loadScheduleState(schedule);
    if (text === undefined) return { carryOver: [] };
    return parseScheduleState(text, `schedule ${schedule}'s state in ${this.shared.describe()}`);
  }

  async save(schedule: string, state: ScheduleState): Promise<void> {
    await this.shared.saveScheduleState(schedule, JSON.stringify(state));
  }
}

/** One file per schedule, `DRAINCTL_HOME/schedules/<name>.json`, replaced atomically. */
export class JsonScheduleStateStore implements ScheduleStateStore {
  constructor(private readonly home: string) {}

  async load(schedule: string): Promise<ScheduleState> {
    let text: string;
    try {
      text = await readFile(this.path(schedule), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { carryOver: [] };
      throw error;
    }
    return parseScheduleState(text, this.path(schedule));
  }

  async save(schedule: string, state: ScheduleState): Promise<void> {
    const path = this.path(schedule);
    await mkdir(join(this.home, 'schedules'), { recursive: true });
    await writeJsonAtomically(path, state);
  }

  private path(schedule: string): string {
    // Schedule names are checked by the schema: letters, digits, ".", "_", "-", first not ".".
    return join(this.home, 'schedules', `${schedule}.json`);
  }
}
