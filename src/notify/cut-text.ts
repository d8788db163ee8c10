/**
 * Cutting a message to a platform's length limit, measured the way the platform measures it
 * (UTF-8 bytes for WeCom and Feishu, characters for the others), on a character boundary, with
 * a closing line that says it was cut and where the whole report is.
 */

export interface LengthLimit {
  max: number;
  unit: 'bytes' | 'chars';
}

const encoder = new TextEncoder();

export function measure(text: string, unit: LengthLimit['unit']): number {
  return unit === 'bytes' ? encoder.encode(text).length : [...text].length;
}

/**
 * @param tail  what ends a cut message: where to read the rest (without it, just that it was cut)
 * @example cutText('x'.repeat(5000), { max: 4096, unit: 'bytes' }, '… full report: https://…')
 */
export function cutText(text: string, limit: LengthLimit, tail: string): string {
  if (measure(text, limit.unit) <= limit.max) return text;
  const ending = `\n${tail}`;
  const room = limit.max - measure(ending, limit.unit);
  if (room <= 0) return [...ending.trim()].slice(0, limit.max).join('');
  let used = 0;
  let kept = '';
  for (const char of text) {
    const size = measure(char, limit.unit);
    if (used + size > room) break;
    used += size;
    kept += char;
  }
  return `${kept.trimEnd()}${ending}`;
}
