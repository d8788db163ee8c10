/**
 * Reading a workflow file from disk — the only I/O of the spec folder (through config's
 * regular-file reader). Every failure names the
 * file and is invalid input: exit 3, nothing mutated. Validation itself is pure (parse-workflow).
 */
import { readRegularFile, unreadableFileFound } from '../config/regular-file.js';
import { InvalidInputError } from '../errors/index.js';
import type { Environment } from './interpolate.js';
import { type LoadedWorkflow, parseWorkflow, type WorkflowText } from './parse-workflow.js';

/**
 * The file's text, or an InvalidInputError saying why it cannot be read. Only a regular file is
 * read: a FIFO or a device would hang or never end (regular-file.ts).
 */
export async function readWorkflowText(file: string): Promise<WorkflowText> {
  try {
    const bytes = await readRegularFile(file);
    return { file, text: decodeWorkflowBytes(file, bytes) };
  } catch (cause) {
    if (cause instanceof InvalidInputError) throw cause;
    const found = unreadableFileFound(cause);
    const expected = 'a readable workflow YAML file';
    throw new InvalidInputError(`${file}: ${found}, expected ${expected}`, {
      file,
      expected,
      found,
      cause,
    });
  }
}

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

/**
 * Read and validate a workflow file.
 *
 * @example const { spec } = await loadWorkflow('workflows/kernel-patch.yaml', process.env);
 */
export async function loadWorkflow(file: string, env: Environment): Promise<LoadedWorkflow> {
  return parseWorkflow(await readWorkflowText(file), env);
}
