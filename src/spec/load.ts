/**
 * Reading a workflow file from disk — the only I/O of the spec folder. Every failure names the
 * file and is invalid input: exit 3, nothing mutated. Validation itself is pure (parse-workflow).
 */
import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../errors/index.js';
import type { Environment } from './interpolate.js';
import { type LoadedWorkflow, parseWorkflow, type WorkflowText } from './parse-workflow.js';

/** The file's text, or an InvalidInputError saying why it cannot be read. */
export async function readWorkflowText(file: string): Promise<WorkflowText> {
  try {
    return { file, text: await readFile(file, 'utf8') };
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
}

/**
 * Read and validate a workflow file.
 *
 * @example const { spec } = await loadWorkflow('workflows/kernel-patch.yaml', process.env);
 */
export async function loadWorkflow(file: string, env: Environment): Promise<LoadedWorkflow> {
  return parseWorkflow(await readWorkflowText(file), env);
}
