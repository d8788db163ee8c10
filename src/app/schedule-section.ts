/**
 * The `schedules:` section of serve.yaml, read and checked like a workflow: UTF-8 text, YAML with
 * positions, then src/schedule's schema for that key alone; the other keys pass through unread.
 * A stand-in until the whole serve.yaml has a loader, which will validate `schedules` with the
 * same schema. Every problem is invalid input (exit 3) naming the file, the path inside it, what
 * was expected and what was found.
 */
import { z } from 'zod';
import { readRegularFile, unreadableFileFound } from '../config/regular-file.js';
import { InvalidInputError } from '../errors/index.js';
import { type Schedule, schedulesSchema } from '../schedule/index.js';
import { decodeWorkflowBytes } from '../workflow/decode-workflow-bytes.js';
import { invalidWorkflowError, placeIssues } from '../workflow/issue.js';
import { parseYamlText, yamlData } from '../workflow/yaml-document.js';
import { expectedPhrase, fromZodIssues } from '../workflow/zod-issues.js';

export interface ScheduleSection {
  /** As the user named it. */
  file: string;
  /** Every schedule, defaults applied; none when the file has no `schedules:`. */
  schedules: Schedule[];
}

const sectionSchema = z.looseObject(
  { schedules: schedulesSchema.optional() },
  { error: 'a mapping (key: value) with a `schedules:` list' },
);

/** Read `file` and validate its `schedules:` key. */
export async function loadScheduleSection(file: string): Promise<ScheduleSection> {
  let bytes: Buffer;
  try {
    bytes = await readRegularFile(file);
  } catch (cause) {
    const found = unreadableFileFound(cause);
    const expected = 'a readable serve.yaml file';
    throw new InvalidInputError(`${file}: expected ${expected}, found ${found}`, {
      file,
      path: '--config',
      expected,
      found,
      issues: [{ path: '--config', expected, found }],
      cause,
    });
  }
  return parseScheduleSection(file, decodeWorkflowBytes(file, bytes));
}

/** Validate the `schedules:` key of serve.yaml text; pure, for the loader and its tests. */
export function parseScheduleSection(file: string, text: string): ScheduleSection {
  const parsed = parseYamlText(file, text);
  const data: unknown = yamlData(file, parsed);
  const result = sectionSchema.safeParse(data ?? undefined, {
    reportInput: true,
    error: expectedPhrase,
  });
  if (!result.success) {
    throw invalidWorkflowError(file, placeIssues(fromZodIssues(result.error.issues), parsed));
  }
  return { file, schedules: result.data.schedules ?? [] };
}
