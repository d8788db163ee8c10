/**
 * Group commit of writes to one group (a balancer's default server group, a vServer group): a
 * write that arrives while another to the same group is in flight waits for it and goes out with
 * the others that arrived meanwhile, in one call of at most `maxPerCall` members. Each caller
 * awaits its own write and gets the call's error when the call fails. Writes go out in the order
 * they arrived; a call never holds the same member twice (the later one waits for the next call).
 */

export interface GroupCommitOptions<M> {
  /** The one call that writes `members` to the group `key`. */
  send: (key: string, members: M[]) => Promise<void>;
  /** Members a call may hold (a caller with more goes alone; `send` splits it). */
  maxPerCall: number;
  /** Names a member within its group: two writes of one member never share a call. */
  memberKey: (member: M) => string;
}

interface Waiting<M> {
  members: readonly M[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<M> {
  private readonly queues = new Map<string, Waiting<M>[]>();
  constructor(private readonly options: GroupCommitOptions<M>) {}

  /** Writes `members` to group `key` in the next call that has room for them. */
  write(key: string, members: readonly M[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const queue = this.queues.get(key);
      if (queue !== undefined) {
        queue.push({ members, resolve, reject });
        return;
      }
      this.queues.set(key, [{ members, resolve, reject }]);
      // One turn of the event loop first, so writes started together go out together.
      setImmediate(() => void this.drain(key));
    });
  }

  /** Sends the group's waiting writes, call after call, until none is left. */
  private async drain(key: string): Promise<void> {
    const queue = this.queues.get(key) ?? [];
    while (queue.length > 0) {
      const batch = this.nextCall(queue);
      try {
        await this.options.send(
          key,
          batch.flatMap((w) => [...w.members]),
        );
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.queues.delete(key);
  }

  /** The writes at the head of the queue that fit in one call, taken off it. */
  private nextCall(queue: Waiting<M>[]): Waiting<M>[] {
    const taken: Waiting<M>[] = [];
    const seen = new Set<string>();
    let size = 0;
    while (queue.length > 0) {
      const next = queue[0] as Waiting<M>;
      const keys = next.members.map(this.options.memberKey);
      const fits =
        taken.length === 0 ||
        (size + next.members.length <= this.options.maxPerCall && !keys.some((k) => seen.has(k)));
      if (!fits) break;
      queue.shift();
      taken.push(next);
      size += next.members.length;
      for (const k of keys) seen.add(k);
    }
    return taken;
  }
}
