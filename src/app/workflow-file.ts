/**
 * Reading a workflow file from disk, then validating it (src/workflow, pure). Every failure names
 * the file and is invalid input: exit 3, nothing mutated.
 */
import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../errors/index.js';
import {
  decodeWorkflowBytes,
  type Environment,
  type LoadedWorkflow,
  parseWorkflow,
  type WorkflowText,
} from '../workflow/index.js';

/** The file's text, or an InvalidInputError saying why it cannot be read. */
export async function readWorkflowText(file: string): Promise<WorkflowText> {
  try {
    const bytes = await readFile(file);
    return { file, text: decodeWorkflowBytes(file, bytes) };
  } catch (cause) {
    if (cause instanceof InvalidInputError) throw cause;
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
}

/**
 * Read and validate a workflow file.
 *
 * @example const { spec } = await loadWorkflow('workflows/kernel-patch.yaml', process.env);
 */
export async function loadWorkflow(file: string, env: Environment): Promise<LoadedWorkflow> {
  return parseWorkflow(await readWorkflowText(file), env);
}
