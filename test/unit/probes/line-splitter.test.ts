import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '#src/probes/access-log/line-splitter.js';

function collect(maxLineBytes?: number) {
  const lines: Array<{ text: string; truncated: boolean }> = [];
  const splitter = new LineSplitter(
    (buf, start, end, truncated) =>
      lines.push({ text: Buffer.from(buf.subarray(start, end)).toString('utf8'), truncated }),
    maxLineBytes,
  );
  return { lines, splitter };
}

describe('LineSplitter', () => {
  it('never hands out half a line', () => {
    const { lines, splitter } = collect();
    splitter.push(Buffer.from('first\nsec'));
    expect(lines.map((l) => l.text)).toEqual(['first']);
    expect(splitter.pendingBytes).toBe(3);
    splitter.push(Buffer.from('ond\r\nthi'));
    expect(lines.map((l) => l.text)).toEqual(['first', 'second']);
  });

  it('a multi-byte UTF-8 character split across reads arrives whole', () => {
    const bytes = Buffer.from('GET /café 中文 ok\n', 'utf8');
    // Every split point, including inside the 2-byte é and the 3-byte 中.
    for (let cut = 1; cut < bytes.length; cut++) {
      const { lines, splitter } = collect();
      splitter.push(bytes.subarray(0, cut));
      splitter.push(bytes.subarray(cut));
      expect(lines).toEqual([{ text: 'GET /café 中文 ok', truncated: false }]);
    }
  });

  it('any chunking gives the same lines (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, '')),
          {
            maxLength: 20,
          },
        ),
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 10 }),
        (texts, sizes) => {
          const bytes = Buffer.from(texts.map((t) => `${t}\n`).join(''), 'utf8');
          const { lines, splitter } = collect();
          let offset = 0;
          for (let i = 0; offset < bytes.length; i++) {
            const size = sizes[i % sizes.length] ?? 0;
            splitter.push(bytes, offset, Math.min(bytes.length, offset + size));
            offset += size;
          }
          expect(lines.map((l) => l.text)).toEqual(texts);
        },
      ),
    );
  });

  it('very long lines are cut and counted; memory stays at the limit', () => {
    const { lines, splitter } = collect(16);
    const long = 'x'.repeat(100);
    splitter.push(Buffer.from(`short\n${long}\nafter\n`));
    // Over several chunks too.
    for (let i = 0; i < 10; i++) splitter.push(Buffer.from('y'.repeat(50)));
    expect(splitter.pendingBytes).toBe(16);
    splitter.push(Buffer.from('\nend\n'));
    expect(lines).toEqual([
      { text: 'short', truncated: false },
      { text: 'x'.repeat(16), truncated: true },
      { text: 'after', truncated: false },
      { text: 'y'.repeat(16), truncated: true },
      { text: 'end', truncated: false },
    ]);
    expect(splitter.truncatedLines).toBe(2);
  });

  it('a held line grows its buffer as it arrives, up to the limit and no further', () => {
    const { lines, splitter } = collect(4096);
    const medium = 'm'.repeat(2500);
    const long = 'l'.repeat(10_000);
    const bytes = Buffer.from(`${medium}\n${long}\nshort\n`);
    // In 100-byte reads: every line but `short` is carried across many of them.
    for (let offset = 0; offset < bytes.length; offset += 100) {
      splitter.push(bytes, offset, Math.min(bytes.length, offset + 100));
      expect(splitter.pendingBytes).toBeLessThanOrEqual(4096);
    }
    expect(lines).toEqual([
      { text: medium, truncated: false },
      { text: 'l'.repeat(4096), truncated: true },
      { text: 'short', truncated: false },
    ]);
  });

  it('skipPartialLine drops the rest of a line begun before we started', () => {
    const { lines, splitter } = collect();
    splitter.skipPartialLine();
    splitter.push(Buffer.from('tail of history\nnew\n'));
    expect(lines.map((l) => l.text)).toEqual(['new']);
  });

  it('discardPartial reports an unfinished line', () => {
    const { splitter } = collect();
    splitter.push(Buffer.from('half'));
    expect(splitter.discardPartial()).toBe(true);
    expect(splitter.discardPartial()).toBe(false);
  });
});
