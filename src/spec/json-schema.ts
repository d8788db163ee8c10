/**
 * The JSON Schema of workflow files, for editors (yaml-language-server) and `drainctl schema`.
 * Generated from the zod schema, so it can never disagree with validation; cross-field rules
 * (e.g. ramp steps ascending) are only checked by drainctl itself.
 */
import { z } from 'zod';
import { workflowSchema } from './schema/workflow.js';

export const WORKFLOW_SCHEMA_ID = 'https://drainctl.dev/schemas/workflow.schema.json';

/** The schema as a plain object: what a user writes (defaults optional). */
export function workflowJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(workflowSchema, {
    io: 'input',
    target: 'draft-07',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return { ...schema, $id: WORKFLOW_SCHEMA_ID };
}

/** As committed in workflows/workflow.schema.json: two-space JSON and a final newline. */
export function workflowJsonSchemaText(): string {
  return `${JSON.stringify(workflowJsonSchema(), null, 2)}\n`;
}
