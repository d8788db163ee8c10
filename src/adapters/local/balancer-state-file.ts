/**
 * What a balancer you run yourself cannot keep for drainctl (nginx and HAProxy have no tags):
 * the run's lock and the weights saved before drains, as `tags`, and per nginx host what
 * drainctl knows of its configuration file (`files`). One JSON file per balancer in
 * DRAINCTL_HOME/balancers/, replaced whole on each change (written, synced, renamed over the
 * old one), so a kill -9 at any moment leaves either the old file or the new one.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { DrainctlError } from '../../errors/index.js';

export interface BalancerState<File> {
  tags: Record<string, string>;
  files: Record<string, File>;
}

export interface BalancerStateFile<File> {
  /** Where the state lives, for messages. */
  path: string;
  read(): Promise<BalancerState<File>>;
  /** Reads, changes and writes the state; updates of one process never interleave. */
  update(change: (state: BalancerState<File>) => void): Promise<void>;
}

/** The file of balancer `id` under `home` (an id's characters outside [A-Za-z0-9._-] become `_`). */
export function balancerStatePath(home: string, id: string): string {
  return join(home, 'balancers', `${id.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
}

export function balancerStateFile<File>(home: string, id: string): BalancerStateFile<File> {
  const path = balancerStatePath(home, id);
  let queue: Promise<unknown> = Promise.resolve();

  const read = async (): Promise<BalancerState<File>> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { tags: {}, files: {} };
      throw unreadable(path, 'cannot be read', error);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw unreadable(path, 'is not JSON', error);
    }
    const state = parsed as Partial<BalancerState<File>> | null;
    if (typeof state !== 'object' || state === null || typeof state.tags !== 'object') {
      throw unreadable(path, 'is not a balancer state ({tags, files})');
    }
    return { tags: { ...state.tags }, files: { ...(state.files ?? {}) } };
  };

  const write = async (state: BalancerState<File>): Promise<void> => {
    await mkdir(join(home, 'balancers'), { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    const file = await open(temporary, 'w', 0o600);
    try {
      await file.writeFile(`${JSON.stringify(state, null, 2)}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  };

  return {
    path,
    read: () => read(),
    update(change) {
      const next = queue.then(async () => {
        const state = await read();
        change(state);
        await write(state);
      });
      queue = next.catch(() => undefined);
      return next;
    },
  };
}

function unreadable(path: string, why: string, cause?: unknown): DrainctlError {
  return new DrainctlError('BALANCER_STATE_UNREADABLE', `${path} ${why}`, {
    hint: 'it holds the lock and the saved weights of a balancer you run yourself; move it aside only once no run uses the balancer',
    ...(cause === undefined ? {} : { cause }),
  });
}
