import { describe, expect, it } from 'vitest';
import { cutText, measure } from '#src/notify/index.js';

describe('cutText', () => {
  it('leaves a message within the limit as it is', () => {
    expect(cutText('short', { max: 10, unit: 'chars' }, 'tail')).toBe('short');
  });

  it('cuts to the limit, ending with the tail that links the full report', () => {
    const cut = cutText('x'.repeat(100), { max: 40, unit: 'chars' }, '… full report: L');
    expect(measure(cut, 'chars')).toBeLessThanOrEqual(40);
    expect(cut.endsWith('\n… full report: L')).toBe(true);
  });

  it('counts UTF-8 bytes where the platform does, never splitting a character', () => {
    const text = '补丁'.repeat(2000); // 3 bytes each
    const cut = cutText(text, { max: 4096, unit: 'bytes' }, '…');
    expect(measure(cut, 'bytes')).toBeLessThanOrEqual(4096);
    expect(cut).not.toContain('\uFFFD');
    expect(new TextDecoder('utf-8', { fatal: true }).decode(new TextEncoder().encode(cut))).toBe(
      cut,
    );
  });

  it('counts an emoji as one character, not two UTF-16 units', () => {
    expect(measure('🚀🚀', 'chars')).toBe(2);
    const cut = cutText('🚀'.repeat(50), { max: 10, unit: 'chars' }, '…');
    expect([...cut].every((c) => c === '🚀' || c === '…' || c === '\n')).toBe(true);
  });
});
