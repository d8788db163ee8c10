/**
 * When a run redraws a frame and when it prints plain lines, and how a frame is redrawn: up over
 * the last one, cut to the terminal's width.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { clipVisible, frameWriter } from '#src/cli/frame-writer.js';
import { progressMode } from '#src/cli/live-progress.js';

const ESC = String.fromCharCode(27);

function terminal(columns?: number): PassThrough & { isTTY: boolean; columns?: number } {
  const stream = Object.assign(new PassThrough(), { isTTY: true });
  return columns === undefined ? stream : Object.assign(stream, { columns });
}

describe('progressMode', () => {
  const tty = terminal();
  const pipe = new PassThrough();
  it.each([
    ['a terminal', { stream: tty, env: {}, json: false, live: true }, 'live'],
    ['a pipe', { stream: pipe, env: {}, json: false, live: true }, 'plain'],
    ['--json', { stream: tty, env: {}, json: true, live: true }, 'plain'],
    ['--no-live', { stream: tty, env: {}, json: false, live: false }, 'plain'],
    ['NO_COLOR', { stream: tty, env: { NO_COLOR: '1' }, json: false, live: true }, 'plain'],
    ['TERM=dumb', { stream: tty, env: { TERM: 'dumb' }, json: false, live: true }, 'plain'],
    ['an empty NO_COLOR', { stream: tty, env: { NO_COLOR: '' }, json: false, live: true }, 'live'],
  ] as const)('%s: %s', (_what, options, mode) => {
    expect(progressMode(options)).toBe(mode);
  });
});

describe('frameWriter', () => {
  it('climbs over the last frame, clears it, and cuts lines to the width', () => {
    const stream = terminal(20);
    let written = '';
    stream.on('data', (chunk: Buffer) => {
      written += chunk.toString();
    });
    const writer = frameWriter(stream);
    writer.draw([]);
    expect(written).toBe('');
    writer.draw(['one', 'two', 'x'.repeat(30)]);
    expect(written).not.toContain(`${ESC}[3A`);
    expect(written).toContain(`${ESC}[2K${'x'.repeat(18)}…\n`);
    written = '';
    writer.draw(['three']);
    expect(written.startsWith(`${ESC}[3A\r${ESC}[0J${ESC}[2Kthree\n`)).toBe(true);
  });
});

describe('clipVisible', () => {
  it('counts only what shows, keeps style codes whole and resets after a cut', () => {
    const dim = (text: string) => `${ESC}[2m${text}${ESC}[22m`;
    expect(clipVisible(`ab${dim('cdef')}gh`, 8)).toBe(`ab${dim('cdef')}gh`);
    expect(clipVisible(`ab${dim('cdef')}gh`, 4)).toBe(`ab${ESC}[2mcd…${ESC}[0m`);
    expect(clipVisible('abcdef', 3)).toBe('abc…');
  });
});
