// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the workflow syntax for environment references
/**
 * The JSON Schema of workflow files, for editors (yaml-language-server) and `drainctl schema`.
 * Generated from the zod schema, so it cannot disagree with validation; cross-field rules (a
 * ramp that ascends, quiet < timeout) are only checked by drainctl itself. Wherever a typed
 * value is expected, a `${VAR}` reference is accepted too, as drainctl interpolates it first.
 */
import { z } from 'zod';
import { workflowSchema } from './schema/workflow-schema.js';

/** What `${NAME}` and `${NAME:-default}` look like to an editor. */
const REFERENCE_SCHEMA = {
  type: 'string',
  pattern: '^\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}$',
  description: 'An environment variable reference: ${NAME} or ${NAME:-default}.',
};

/** The schema as a plain object: what a user writes (fields with defaults are optional). */
export function workflowJsonSchema(): Record<string, unknown> {
  return jsonSchemaOf(workflowSchema);
}

/** As committed in workflows/workflow.schema.json: two-space JSON and a final newline. */
export function workflowJsonSchemaText(): string {
  return jsonSchemaText(workflowSchema);
}

/**
 * Any file drainctl reads through the workflow's pipeline (YAML, `${VAR}`, zod) as a JSON
 * Schema in the same form: `serve.yaml` uses it too.
 */
export function jsonSchemaText(schema: z.ZodType): string {
  return `${JSON.stringify(jsonSchemaOf(schema), null, 2)}\n`;
}

function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-07',
    unrepresentable: 'any',
  });
  return acceptReferences(json) as Record<string, unknown>;
}

function acceptReferences(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(acceptReferences);
  if (node === null || typeof node !== 'object') return node;
  const entries = Object.entries(node as Record<string, unknown>).map(
    ([key, value]) =>
      [key, key === 'properties' ? mapValues(value) : acceptReferences(value)] as const,
  );
  const schema = Object.fromEntries(entries) as Record<string, unknown>;
  if (!isTypedScalar(schema)) return schema;
  const { description, default: fallback, ...rest } = schema;
  return {
    ...(description === undefined ? {} : { description }),
    ...(fallback === undefined ? {} : { default: fallback }),
    anyOf: [rest, REFERENCE_SCHEMA],
  };
}

function mapValues(properties: unknown): unknown {
  if (properties === null || typeof properties !== 'object') return properties;
  return Object.fromEntries(
    Object.entries(properties as Record<string, unknown>).map(([key, value]) => [
      key,
      acceptReferences(value),
    ]),
  );
}

/** Values a reference could stand for; literals (`const`) stay exact so unions still resolve. */
function isTypedScalar(schema: Record<string, unknown>): boolean {
  if ('const' in schema) return false;
  const type = schema.type;
  if (type === 'integer' || type === 'number' || type === 'boolean') return true;
  if (type === 'string') return 'pattern' in schema || 'format' in schema || 'enum' in schema;
  return false;
}
