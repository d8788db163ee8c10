/**
 * A workflow file is UTF-8 text. Anything else — an invalid byte (Latin-1 é), a UTF-16 file,
 * a NUL byte — is invalid input naming the file and the line, never a workflow that validates
 * with U+FFFD in an instance id or a command.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readWorkflowText } from '#src/app/workflow-file.js';
import { InvalidInputError } from '#src/errors/index.js';

const dir = mkdtempSync(join(tmpdir(), 'drainctl-encoding-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function fileWith(name: string, bytes: Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

describe('workflow file encoding', () => {
  it.each([
    [
      'latin1.yaml',
      Buffer.concat([Buffer.from('name: w\ndescription: caf'), Buffer.from([0xe9, 0x0a])]),
      ':2: expected UTF-8 text',
      'not UTF-8 (0xe9)',
    ],
    [
      'utf16.yaml',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name: w\n', 'utf16le')]),
      ': expected UTF-8 text',
      'UTF-16',
    ],
    ['nul.yaml', Buffer.from('name: w\n\u0000\n'), ':2: expected UTF-8 text', 'NUL byte'],
  ])('%s is invalid input naming the file', async (name, bytes, where, found) => {
    const file = fileWith(name, bytes);
    const error = await readWorkflowText(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    const invalid = error as InvalidInputError;
    expect(invalid.exitCode).toBe(3);
    expect(invalid.file).toBe(file);
    expect(invalid.message.startsWith(`${file}${where}`), invalid.message).toBe(true);
    expect(invalid.found).toContain(found);
  });

  it('reads UTF-8, with or without a byte-order mark', async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('name: café\n')]);
    expect((await readWorkflowText(fileWith('bom.yaml', bom))).text).toBe('name: café\n');
    const plain = fileWith('plain.yaml', Buffer.from('name: 网站\n'));
    expect((await readWorkflowText(plain)).text).toBe('name: 网站\n');
  });
});
