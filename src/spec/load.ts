/**
 * Reading a workflow file from disk and parsing its YAML. Every failure names the file (and,
 * for syntax errors, the line and column) and is invalid input: exit 3, nothing mutated.
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { InvalidInputError } from '../errors/index.js';

export interface WorkflowSource {
  file: string;
  text: string;
  /** The parsed YAML, not yet validated. */
  data: unknown;
}

export async function readWorkflowFile(file: string): Promise<WorkflowSource> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory, expected a workflow file'
          : code === 'EACCES'
            ? 'permission denied'
            : `cannot be read (${code ?? 'unknown error'})`;
    throw new InvalidInputError(`${file}: ${why}`, {
      file,
      expected: 'a readable workflow YAML file',
      found: why,
      cause,
    });
  }
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = document.errors[0];
  if (first !== undefined) {
    const position = first.linePos?.[0];
    const where = position ? `:${position.line}:${position.col}` : '';
    throw new InvalidInputError(
      `${file}${where}: invalid YAML: ${first.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`,
      {
        file,
        expected: 'valid YAML',
        found: first.code,
        cause: first,
      },
    );
  }
  return { file, text, data: document.toJS() as unknown };
}
