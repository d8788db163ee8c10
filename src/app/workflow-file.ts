/**
 * Reading a workflow file from disk, then validating it (src/workflow, pure). Every failure names
 * the file and is invalid input: exit 3, nothing mutated.
 */
import { readRegularFile, unreadableFileFound } from '../config/regular-file.js';
import { InvalidInputError } from '../errors/index.js';
import {
  decodeWorkflowBytes,
  type Environment,
  type LoadedAnyWorkflow,
  type LoadedWorkflow,
  parseAnyWorkflow,
  parseWorkflow,
  type WorkflowText,
} from '../workflow/index.js';

/**
 * The file's text, or an InvalidInputError saying why it cannot be read. Only a regular file is
 * read: a FIFO or a device would hang or never end (regular-file.ts).
 */
export async function readWorkflowText(
  file: string,
  expected = 'a readable workflow YAML file',
): Promise<WorkflowText> {
  try {
    const bytes = await readRegularFile(file);
    return { file, text: decodeWorkflowBytes(file, bytes) };
  } catch (cause) {
    if (cause instanceof InvalidInputError) throw cause;
    const found = unreadableFileFound(cause);
    throw new InvalidInputError(`${file}: ${found}, expected ${expected}`, {
      file,
      expected,
      found,
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

/** Read and validate a workflow file of either kind (one balancer, or a fleet). */
export async function loadAnyWorkflow(file: string, env: Environment): Promise<LoadedAnyWorkflow> {
  return parseAnyWorkflow(await readWorkflowText(file), env);
}
