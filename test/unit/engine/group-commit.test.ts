import { describe, expect, it } from 'vitest';
import { GroupCommit } from '#src/engine/execution/group-commit.js';

interface Member {
  id: string;
  weight: number;
}

/** A group commit whose calls wait until the test lets each one answer. */
function gated(fail?: (members: Member[]) => Error | undefined) {
  const calls: Array<{ key: string; members: Member[] }> = [];
  const answers: Array<() => void> = [];
  const commit = new GroupCommit<Member>({
    send: (key, members) => {
      calls.push({ key, members });
      const error = fail?.(members);
      return new Promise<void>((resolve, reject) => {
        answers.push(() => (error === undefined ? resolve() : reject(error)));
      });
    },
    maxPerCall: 20,
    memberKey: (m) => m.id,
  });
  /** Answers the oldest call still waiting, then lets the commit send its next one. */
  const answer = async () => {
    answers.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { commit, calls, answer };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const member = (id: string, weight = 0): Member => ({ id, weight });

describe('GroupCommit', () => {
  it('merges the writes that arrive while a call is in flight into the next call, in order', async () => {
    const { commit, calls, answer } = gated();
    const first = commit.write('lb-1', [member('i-1')]);
    await settle();
    const later = ['i-2', 'i-3', 'i-4'].map((id) => commit.write('lb-1', [member(id)]));
    await settle();
    expect(calls.map((c) => c.members.map((m) => m.id))).toEqual([['i-1']]);
    await answer();
    await first;
    expect(calls.map((c) => c.members.map((m) => m.id))).toEqual([['i-1'], ['i-2', 'i-3', 'i-4']]);
    await answer();
    await Promise.all(later);
    expect(calls).toHaveLength(2);
  });

  it('sends writes started together in one call, and groups apart in calls of their own', async () => {
    const { commit, calls, answer } = gated();
    const writes = [
      commit.write('lb-1', [member('i-1')]),
      commit.write('lb-2', [member('i-2')]),
      commit.write('lb-1', [member('i-3')]),
    ];
    await settle();
    expect(calls).toEqual([
      { key: 'lb-1', members: [member('i-1'), member('i-3')] },
      { key: 'lb-2', members: [member('i-2')] },
    ]);
    await answer();
    await answer();
    await Promise.all(writes);
  });

  it('puts at most 20 members in a call', async () => {
    const { commit, calls, answer } = gated();
    const writes = Array.from({ length: 45 }, (_, i) => commit.write('lb-1', [member(`i-${i}`)]));
    await settle();
    for (let i = 0; i < 3; i++) await answer();
    await Promise.all(writes);
    expect(calls.map((c) => c.members.length)).toEqual([20, 20, 5]);
    expect(calls.flatMap((c) => c.members.map((m) => m.id))).toEqual(
      Array.from({ length: 45 }, (_, i) => `i-${i}`),
    );
  });

  it('keeps a caller’s members together: one that does not fit waits for the next call', async () => {
    const { commit, calls, answer } = gated();
    const big = Array.from({ length: 15 }, (_, i) => member(`a-${i}`));
    const other = Array.from({ length: 10 }, (_, i) => member(`b-${i}`));
    const writes = [commit.write('g-1', big), commit.write('g-1', other)];
    await settle();
    await answer();
    await answer();
    await Promise.all(writes);
    expect(calls.map((c) => c.members.length)).toEqual([15, 10]);
  });

  it('never sends one member twice in a call: the later write goes in the next, after the earlier', async () => {
    const { commit, calls, answer } = gated();
    const writes = [
      commit.write('lb-1', [member('i-1', 0)]),
      commit.write('lb-1', [member('i-1', 100)]),
      commit.write('lb-1', [member('i-2', 0)]),
    ];
    await settle();
    await answer();
    await answer();
    await Promise.all(writes);
    expect(calls.map((c) => c.members)).toEqual([
      [member('i-1', 0)],
      [member('i-1', 100), member('i-2', 0)],
    ]);
  });

  it('gives the call’s error to every caller in it, and goes on with the next call', async () => {
    const { commit, calls, answer } = gated((members) =>
      members.some((m) => m.id === 'i-2') ? new Error('Throttling.User') : undefined,
    );
    const first = commit.write('lb-1', [member('i-1')]);
    await settle();
    const failing = [
      commit.write('lb-1', [member('i-2')]),
      commit.write('lb-1', [member('i-3')]),
    ].map((write) =>
      write.then(
        () => 'answered',
        (error: Error) => error.message,
      ),
    );
    await settle();
    await answer();
    await first;
    const next = commit.write('lb-1', [member('i-4')]);
    await answer();
    expect(await Promise.all(failing)).toEqual(['Throttling.User', 'Throttling.User']);
    await settle();
    await answer();
    await next;
    expect(calls.map((c) => c.members.map((m) => m.id))).toEqual([
      ['i-1'],
      ['i-2', 'i-3'],
      ['i-4'],
    ]);
  });
});
