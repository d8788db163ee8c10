import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import {
  appendFileSync,
  closeSync,
  constants,
  copyFileSync,
  mkdtempSync,
  openSync,
  renameSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WatchFunction } from '#src/probes/access-log/change-watch.js';
import { FileFollower, type FileFollowerOptions } from '#src/probes/access-log/file-follower.js';
import { collectingSink } from '#support/follower-sink.js';
import { ManualClock } from '#support/manual-clock.js';
import { until } from '#support/waits.js';

let dir: string;
let log: string;
let follower: FileFollower | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'drainctl-follow-'));
  log = join(dir, 'access.log');
});
afterEach(async () => {
  await follower?.close();
  follower = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function follow(options: FileFollowerOptions = {}) {
  const collected = collectingSink();
  const clock = new ManualClock();
  follower = new FileFollower(log, collected.sink, clock, options);
  await follower.start();
  /** What happened to the log, without notes about how it is followed. */
  const types = () => collected.events.filter((e) => e.type !== 'note').map((e) => e.type);
  return { ...collected, clock, follower, types };
}

/** `fs.watch` on a file system without change notifications. */
const unsupported: WatchFunction = () => {
  throw Object.assign(new Error('watch not supported'), { code: 'ENOSYS' });
};

/** A stand-in for `fs.watch` that reports nothing, and fails when the test says so. */
function silentWatch() {
  const handles: (EventEmitter & { closed: boolean })[] = [];
  const watch: WatchFunction = () => {
    const handle = Object.assign(new EventEmitter(), {
      closed: false,
      close: () => {
        handle.closed = true;
      },
    });
    handles.push(handle);
    return handle;
  };
  return { watch, handles };
}

// Every case twice: woken by the file system's notifications (besides the polls the tests make),
// and where there are none, on polls alone.
describe.each([
  ['FileFollower, woken by change notifications', {}],
  ['FileFollower, polling only (fs.watch unsupported)', { watch: unsupported }],
] satisfies [string, FileFollowerOptions][])('%s', (_name, mode) => {
  it('starts at the end: history is never replayed', async () => {
    writeFileSync(log, 'old 1\nold 2\n');
    const f = await follow(mode);
    await f.follower.poll();
    expect(f.lines).toEqual([]);
    appendFileSync(log, 'new 1\nnew 2\n');
    await f.follower.poll();
    expect(f.lines).toEqual(['new 1', 'new 2']);
  });

  it('a line half-written when we start is history; a half line at the end waits for its newline', async () => {
    writeFileSync(log, 'old 1\nold line being writ');
    const f = await follow(mode);
    appendFileSync(log, 'ten\nnew 1\nnew 2 is half');
    await f.follower.poll();
    expect(f.lines).toEqual(['new 1']);
    appendFileSync(log, ' and now whole\n');
    await f.follower.poll();
    expect(f.lines).toEqual(['new 1', 'new 2 is half and now whole']);
  });

  it('rename and create: reads the old file until the writer reopens, then the new one', async () => {
    writeFileSync(log, 'history\n');
    const f = await follow({ ...mode, rotatedGraceMs: 5000 });
    // nginx writes through a descriptor that survives the rename.
    const nginx = openSync(log, 'a');
    writeSync(nginx, 'before rotation\n');
    renameSync(log, `${log}.1`);
    writeFileSync(log, '');
    writeSync(nginx, 'after rename, before USR1\n');
    await f.follower.poll();
    expect(f.types()).toEqual(['rotated']);
    // USR1: nginx reopens by name.
    writeSync(nginx, 'last line into the old file\n');
    closeSync(nginx);
    appendFileSync(log, 'first line of the new file\n');
    await f.follower.poll();
    expect(f.lines).toEqual([
      'before rotation',
      'after rename, before USR1',
      'last line into the old file',
      'first line of the new file',
    ]);
    // The old file is let go once it has been still for the grace period.
    await f.clock.advance(5000);
    await f.follower.poll();
    appendFileSync(`${log}.1`, 'never read\n');
    appendFileSync(log, 'second line\n');
    await f.follower.poll();
    expect(f.lines.slice(-1)).toEqual(['second line']);
    expect(f.lines).not.toContain('never read');
  });

  it('copytruncate: the file shrinks, reading starts again at 0', async () => {
    writeFileSync(log, 'history\n');
    const f = await follow(mode);
    appendFileSync(log, 'a\nb\n');
    await f.follower.poll();
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendFileSync(log, 'c\n');
    await f.follower.poll();
    expect(f.lines).toEqual(['a', 'b', 'c']);
    expect(f.types()).toEqual(['truncated']);
  });

  it('copytruncate noticed even when the file regrew past our position between polls', async () => {
    writeFileSync(log, 'history line one\n');
    const f = await follow(mode);
    appendFileSync(log, 'x\n');
    await f.follower.poll();
    truncateSync(log, 0);
    appendFileSync(log, 'a much longer first line after the truncation\nsecond\n');
    await f.follower.poll();
    expect(f.lines).toEqual(['x', 'a much longer first line after the truncation', 'second']);
    expect(f.types()).toEqual(['truncated']);
  });

  it('the bytes before the position are remembered across many small reads', async () => {
    writeFileSync(log, '');
    const f = await follow({ ...mode, chunkBytes: 7 });
    const first = `${'x'.repeat(99)}\n`; // read in 15 chunks, the last one 2 bytes
    appendFileSync(log, first);
    await f.follower.poll();
    // Truncated and regrown past our position; only the last chunk's bytes are the same.
    truncateSync(log, 0);
    appendFileSync(log, `${'y'.repeat(98)}x\nfresh\n`);
    await f.follower.poll();
    expect(f.lines).toEqual([first.trim(), `${'y'.repeat(98)}x`, 'fresh']);
    expect(f.types()).toEqual(['truncated']);
  });

  it('a partial line cut off by truncation is reported, never glued to new bytes', async () => {
    writeFileSync(log, '');
    const f = await follow(mode);
    appendFileSync(log, 'complete\nhalf a li');
    await f.follower.poll();
    truncateSync(log, 0);
    appendFileSync(log, 'fresh\n');
    await f.follower.poll();
    expect(f.lines).toEqual(['complete', 'fresh']);
    expect(f.dropped()).toBe(1);
  });

  it('delete and recreate: the open file is read until the new one appears', async () => {
    writeFileSync(log, 'history\n');
    const f = await follow(mode);
    const nginx = openSync(log, 'a');
    unlinkSync(log);
    writeSync(nginx, 'into the deleted file\n');
    await f.follower.poll();
    expect(f.follower.available).toBe(true);
    expect(f.types()).toEqual(['missing']);
    closeSync(nginx);
    writeFileSync(log, 'into the new file\n');
    await f.follower.poll();
    expect(f.lines).toEqual(['into the deleted file', 'into the new file']);
    expect(f.types()).toEqual(['missing', 'rotated']);
  });

  it('a file that does not exist yet is waited for, then read from its start', async () => {
    const f = await follow(mode);
    expect(f.follower.available).toBe(false);
    await f.follower.poll();
    expect(f.follower.available).toBe(false);
    writeFileSync(log, 'first\nsecond\n');
    await f.follower.poll();
    expect(f.follower.available).toBe(true);
    expect(f.lines).toEqual(['first', 'second']);
    expect(f.types()).toEqual(['missing', 'appeared']);
  });

  it.runIf(process.platform === 'linux')(
    'a FIFO at the log path is a PROBE_FAILED naming it, at once: never a wait for a writer',
    async () => {
      execFileSync('mkfifo', [log]);
      const started = follow().then(
        () => 'started',
        (error: unknown) => error,
      );
      const waited = new Promise((resolve) => setTimeout(() => resolve('still waiting'), 3_000));
      try {
        const outcome = await Promise.race([started, waited]);
        expect(outcome).toMatchObject({
          code: 'PROBE_FAILED',
          message: `cannot read ${log}: a FIFO (named pipe)`,
        });
      } finally {
        // Had the open blocked, a writer end releases it, so no thread stays stuck.
        try {
          closeSync(openSync(log, constants.O_WRONLY | constants.O_NONBLOCK));
        } catch {
          // ENXIO: nobody is waiting to read, as it should be.
        }
      }
    },
  );

  it('reads in fixed chunks: a log far larger than the chunk is read whole, split correctly', async () => {
    writeFileSync(log, '');
    const f = await follow({ ...mode, chunkBytes: 7 });
    const expected = Array.from({ length: 200 }, (_, i) => `line ${i} é中`);
    appendFileSync(log, expected.map((l) => `${l}\n`).join(''));
    await f.follower.poll();
    expect(f.lines).toEqual(expected);
  });

  it('a backlog past the small buffer is read in big chunks, then a few lines again, all split correctly', async () => {
    writeFileSync(log, '');
    const f = await follow({ ...mode, chunkBytes: 256 * 1024 });
    // ~600 KiB: the 64 KiB buffer fills, the follower moves to 256 KiB reads, lines cross both.
    const backlog = Array.from(
      { length: 20_000 },
      (_, i) => `backlog line ${i} ${'y'.repeat(i % 17)}`,
    );
    appendFileSync(log, backlog.map((l) => `${l}\n`).join(''));
    await f.follower.poll();
    expect(f.lines).toEqual(backlog);
    appendFileSync(log, 'after 1\nafter 2\n');
    await f.follower.poll();
    expect(f.lines.slice(-2)).toEqual(['after 1', 'after 2']);
    expect(f.lines).toHaveLength(backlog.length + 2);
  });

  it('a very long line is cut to the limit and memory stays bounded', async () => {
    writeFileSync(log, '');
    const f = await follow({ ...mode, chunkBytes: 1024, maxLineBytes: 100 });
    appendFileSync(log, `${'x'.repeat(50_000)}\nshort\n`);
    await f.follower.poll();
    expect(f.lines).toEqual(['x'.repeat(100), 'short']);
  });
});

describe('FileFollower: reading when the file system reports a change', () => {
  it('an appended line is read without a poll, and so is one right behind it', async () => {
    writeFileSync(log, 'history\n');
    const f = await follow();
    expect(f.follower.watching).toBe(true);
    appendFileSync(log, 'new 1\n');
    await until(() => f.lines.length === 1);
    // Within the least gap between two reads: read when the gap is over, not at a poll.
    appendFileSync(log, 'new 2\n');
    await until(() => f.lines.length === 2);
    expect(f.lines).toEqual(['new 1', 'new 2']);
  });

  it('rename and create without a poll: the renamed file and the new one both wake the reader', async () => {
    writeFileSync(log, 'history\n');
    const f = await follow();
    const nginx = openSync(log, 'a');
    writeSync(nginx, 'before rotation\n');
    await until(() => f.lines.length === 1);
    renameSync(log, `${log}.1`);
    writeFileSync(log, '');
    await until(() => f.types().includes('rotated'));
    // Only the old file's own watch (it follows the inode) reports this write.
    writeSync(nginx, 'after rename, before USR1\n');
    await until(() => f.lines.length === 2);
    closeSync(nginx);
    appendFileSync(log, 'first line of the new file\n');
    await until(() => f.lines.length === 3);
    expect(f.lines).toEqual([
      'before rotation',
      'after rename, before USR1',
      'first line of the new file',
    ]);
    expect(f.types()).toEqual(['rotated']);
  });

  it('copytruncate without a poll: read again from 0', async () => {
    writeFileSync(log, 'history\n');
    const f = await follow();
    appendFileSync(log, 'a\n');
    await until(() => f.lines.length === 1);
    truncateSync(log, 0);
    appendFileSync(log, 'b\n');
    await until(() => f.lines.length === 2);
    expect(f.lines).toEqual(['a', 'b']);
    expect(f.types()).toEqual(['truncated']);
  });

  it('a file that appears is read from its start as it is created, without a poll', async () => {
    const f = await follow();
    expect(f.follower.available).toBe(false);
    writeFileSync(log, 'first\n');
    await until(() => f.lines.length === 1);
    expect(f.follower.available).toBe(true);
    expect(f.types()).toEqual(['missing', 'appeared']);
  });

  it('fs.watch unsupported: said once in the timeline; lines are read on polls', async () => {
    writeFileSync(log, 'history\n');
    const f = await follow({ watch: unsupported });
    expect(f.follower.watching).toBe(false);
    expect(f.events).toEqual([
      {
        type: 'note',
        detail: `${log}: no change notifications (ENOSYS); reading it once per poll`,
      },
    ]);
    appendFileSync(log, 'new\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(f.lines).toEqual([]);
    await f.follower.poll();
    expect(f.lines).toEqual(['new']);
  });

  it('a watch that fails later is given up, every watch closed; the polls go on', async () => {
    writeFileSync(log, 'history\n');
    const fake = silentWatch();
    const f = await follow({ watch: fake.watch });
    expect(fake.handles).toHaveLength(2); // the directory and the file
    expect(f.follower.watching).toBe(true);
    fake.handles[0]?.emit('error', Object.assign(new Error('inotify gone'), { code: 'EIO' }));
    expect(f.follower.watching).toBe(false);
    expect(fake.handles.every((h) => h.closed)).toBe(true);
    expect(f.events.map((e) => e.detail)).toEqual([
      `${log}: no change notifications (EIO); reading it once per poll`,
    ]);
    appendFileSync(log, 'new\n');
    await f.follower.poll();
    expect(f.lines).toEqual(['new']);
  });

  it("close closes every watch, and a rotated-away file's is closed when it is let go", async () => {
    writeFileSync(log, 'history\n');
    const fake = silentWatch();
    const f = await follow({ watch: fake.watch, rotatedGraceMs: 1000 });
    renameSync(log, `${log}.1`);
    writeFileSync(log, '');
    await f.follower.poll();
    expect(fake.handles.map((h) => h.closed)).toEqual([false, false, false]);
    await f.clock.advance(1000);
    await f.follower.poll();
    expect(fake.handles.map((h) => h.closed)).toEqual([false, true, false]);
    await f.follower.close();
    expect(fake.handles.every((h) => h.closed)).toBe(true);
  });
});
