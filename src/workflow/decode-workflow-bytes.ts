/**
 * A workflow file's bytes as text: UTF-8 or nothing, so a mis-decoded file never validates.
 * Pure: reading the file is the app's (src/app/workflow-file.ts), and the emulator's topology
 * file is decoded the same way.
 */
import { InvalidInputError } from '../errors/index.js';

/**
 * The file's bytes as text: UTF-8 (a UTF-8 byte-order mark is fine), no NUL bytes. A UTF-16
 * file, an invalid byte or a NUL is invalid input naming the file and the line, never a
 * mis-decoded workflow that validates with U+FFFD in an instance id or a command.
 */
export function decodeWorkflowBytes(file: string, bytes: Uint8Array): string {
  const refuse = (found: string, offset?: number) => {
    const line =
      offset === undefined
        ? ''
        : `:${bytes.subarray(0, offset).filter((b) => b === 10).length + 1}`;
    const expected = 'UTF-8 text (save the file as UTF-8)';
    return new InvalidInputError(`${file}${line}: expected ${expected}, found ${found}`, {
      file,
      path: '(file)',
      expected,
      found,
      issues: [{ path: '(file)', expected, found }],
    });
  };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw refuse('UTF-16 text (a UTF-16 byte-order mark)');
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw refuse(`a NUL byte at offset ${nul}`, nul);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    throw refuse(
      `a byte that is not UTF-8 (0x${(bytes[offset] ?? 0).toString(16)}) at offset ${offset}`,
      offset,
    );
  }
}

/**
 * Where the decoder's complaint is, roughly: the first byte that neither starts nor continues a
 * UTF-8 sequence (the decoder itself decided that the text is invalid).
 */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index] ?? 0;
    const length =
      lead < 0x80 ? 0 : lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : 3;
    if (lead >= 0x80 && (lead < 0xc2 || lead > 0xf4)) return index;
    for (let next = 1; next <= length; next++) {
      const byte = bytes[index + next];
      if (byte === undefined || byte < 0x80 || byte > 0xbf) return index;
    }
    index += length + 1;
  }
  return 0;
}
