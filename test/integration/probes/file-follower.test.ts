import {
  appendFileSync,
  closeSync,
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
import { FileFollower } from '#src/probes/access-log/file-follower.js';
import { collectingSink } from '#support/follower-sink.js';
import { ManualClock } from '#support/manual-clock.js';

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

async function follow(options: ConstructorParameters<typeof FileFollower>[3] = {}) {
  const collected = collectingSink();
  const clock = new ManualClock();
  follower = new FileFollower(log, collected.sink, clock, options);
  await follower.start();
  return { ...collected, clock, follower };
}

describe('FileFollower', () => {
  it('starts at the end: history is never replayed', async () => {
    writeFileSync(log, 'old 1\nold 2\n');
    const f = await follow();
    await f.follower.poll();
    expect(f.lines).toEqual([]);
    appendFileSync(log, 'new 1\nnew 2\n');
    await f.follower.poll();
    expect(f.lines).toEqual(['new 1', 'new 2']);
  });

  it('a line half-written when we start is history; a half line at the end waits for its newline', async () => {
    writeFileSync(log, 'old 1\nold line being writ');
    const f = await follow();
    appendFileSync(log, 'ten\nnew 1\nnew 2 is half');
    await f.follower.poll();
    expect(f.lines).toEqual(['new 1']);
    appendFileSync(log, ' and now whole\n');
    await f.follower.poll();
    expect(f.lines).toEqual(['new 1', 'new 2 is half and now whole']);
  });

  it('rename and create: reads the old file until the writer reopens, then the new one', async () => {
    writeFileSync(log, 'history\n');
    const f = await follow({ rotatedGraceMs: 5000 });
    // nginx writes through a descriptor that survives the rename.
    const nginx = openSync(log, 'a');
    writeSync(nginx, 'before rotation\n');
    renameSync(log, `${log}.1`);
    writeFileSync(log, '');
    writeSync(nginx, 'after rename, before USR1\n');
    await f.follower.poll();
    expect(f.events.map((e) => e.type)).toEqual(['rotated']);
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
    const f = await follow();
    appendFileSync(log, 'a\nb\n');
    await f.follower.poll();
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendFileSync(log, 'c\n');
    await f.follower.poll();
    expect(f.lines).toEqual(['a', 'b', 'c']);
    expect(f.events.map((e) => e.type)).toEqual(['truncated']);
  });

  it('copytruncate noticed even when the file regrew past our position between polls', async () => {
    writeFileSync(log, 'history line one\n');
    const f = await follow();
    appendFileSync(log, 'x\n');
    await f.follower.poll();
    truncateSync(log, 0);
    appendFileSync(log, 'a much longer first line after the truncation\nsecond\n');
    await f.follower.poll();
    expect(f.lines).toEqual(['x', 'a much longer first line after the truncation', 'second']);
    expect(f.events.map((e) => e.type)).toEqual(['truncated']);
  });

  it('a partial line cut off by truncation is reported, never glued to new bytes', async () => {
    writeFileSync(log, '');
    const f = await follow();
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
    const f = await follow();
    const nginx = openSync(log, 'a');
    unlinkSync(log);
    writeSync(nginx, 'into the deleted file\n');
    await f.follower.poll();
    expect(f.follower.available).toBe(true);
    expect(f.events.map((e) => e.type)).toEqual(['missing']);
    closeSync(nginx);
    writeFileSync(log, 'into the new file\n');
    await f.follower.poll();
    expect(f.lines).toEqual(['into the deleted file', 'into the new file']);
    expect(f.events.map((e) => e.type)).toEqual(['missing', 'rotated']);
  });

  it('a file that does not exist yet is waited for, then read from its start', async () => {
    const f = await follow();
    expect(f.follower.available).toBe(false);
    await f.follower.poll();
    expect(f.follower.available).toBe(false);
    writeFileSync(log, 'first\nsecond\n');
    await f.follower.poll();
    expect(f.follower.available).toBe(true);
    expect(f.lines).toEqual(['first', 'second']);
    expect(f.events.map((e) => e.type)).toEqual(['missing', 'appeared']);
  });

  it('reads in fixed chunks: a log far larger than the chunk is read whole, split correctly', async () => {
    writeFileSync(log, '');
    const f = await follow({ chunkBytes: 7 });
    const expected = Array.from({ length: 200 }, (_, i) => `line ${i} é中`);
    appendFileSync(log, expected.map((l) => `${l}\n`).join(''));
    await f.follower.poll();
    expect(f.lines).toEqual(expected);
  });

  it('a very long line is cut to the limit and memory stays bounded', async () => {
    writeFileSync(log, '');
    const f = await follow({ chunkBytes: 1024, maxLineBytes: 100 });
    appendFileSync(log, `${'x'.repeat(50_000)}\nshort\n`);
    await f.follower.poll();
    expect(f.lines).toEqual(['x'.repeat(100), 'short']);
  });
});
