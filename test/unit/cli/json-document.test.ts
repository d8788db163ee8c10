import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeJsonDocument } from '#src/cli/json-document.js';
import { jsonLiteralMasker, redactJsonText, registerSecret } from '#src/log/index.js';

function written(
  value: unknown,
  literal?: (quoted: string) => string,
): { text: string; chunks: number } {
  const chunks: string[] = [];
  writeJsonDocument(value, (chunk) => chunks.push(chunk), literal);
  return { text: chunks.join(''), chunks: chunks.length };
}

/** Values JSON.stringify treats specially, beside plain JSON. */
const awkward = fc.oneof(
  fc.constant(undefined),
  fc.constant(() => 1),
  fc.constant(Number.NaN),
  fc.constant(Number.POSITIVE_INFINITY),
  fc.constant(-0),
  fc.constant(new Date(Date.UTC(2026, 11, 6, 2, 0))),
  fc.constant({ toJSON: (key: string) => `as ${key}` }),
  fc.constant({ toJSON: () => undefined }),
  fc.constant({ toJSON: () => ({ toJSON: () => 'not called twice' }) }),
  fc.constant(Object(7)),
  fc.constant(Object('boxed')),
);
const documents = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 2 }),
    awkward,
    fc.string({ unit: 'binary' }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('writing a --json document in pieces', () => {
  it('is JSON.stringify(value, null, 2), byte for byte (property)', () => {
    fc.assert(
      fc.property(documents, (value) => {
        const expected = JSON.stringify(value, null, 2);
        if (expected === undefined) return;
        expect(written(value).text).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('masks every string literal as redactJsonText does on the whole text, over many chunks', () => {
    registerSecret('s3cr3t-json-doc');
    const doc = {
      rows: Array.from({ length: 3000 }, (_, i) => ({
        id: `i-${i}`,
        command: i % 100 === 0 ? 'curl -H "X-Token: s3cr3t-json-doc" repo' : 'yum update -y',
        's3cr3t-json-doc': i,
      })),
    };
    const { text, chunks } = written(doc, jsonLiteralMasker());
    expect(chunks).toBeGreaterThan(1);
    expect(text).toBe(redactJsonText(JSON.stringify(doc, null, 2)));
    expect(text).not.toContain('s3cr3t-json-doc');
  });

  it('refuses a cycle and a BigInt as JSON.stringify does', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => written(cycle)).toThrow(TypeError);
    expect(() => written({ n: 1n })).toThrow(TypeError);
  });
});
