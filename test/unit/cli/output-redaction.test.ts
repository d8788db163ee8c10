import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createOutput } from '#src/cli/output.js';
import { REDACTED, registerSecret } from '#src/log/index.js';

/** Collects everything an Output writes. */
function capture() {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return { stream, text: () => chunks.join('') };
}

const registered = 'MARK-registered-db-password-2';

describe('command output (stdout/stderr) redaction', () => {
  it('masks registered secrets and secret-shaped values in line(), style() and json()', () => {
    registerSecret(registered);
    for (const color of [false, true]) {
      const out = capture();
      const output = createOutput(out.stream, color);
      output.line(`Run on web-1: \`echo DB=${registered}\``);
      output.line("curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.c2lnbmF0dXJl'");
      output.line(output.style('bold', `header ${registered}`));
      output.json({ step: { command: `mysql -p${registered}` }, note: `uses ${registered}` });
      const text = out.text();
      expect(text).not.toContain(registered);
      expect(text).not.toContain('eyJhbGciOiJIUzI1NiJ9.c2lnbmF0dXJl');
      expect(text).toContain(REDACTED);
      // What is not secret survives.
      expect(text).toContain('Run on web-1');
      expect(text).toContain('"step"');
    }
  });
});
