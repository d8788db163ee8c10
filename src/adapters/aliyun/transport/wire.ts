/**
 * Parsing what the cloud answers into our own types, whatever the wire says: numbers may come as
 * strings (SLB's Weight does, depending on the action), lists come wrapped
 * (`{"BackendServers":{"BackendServer":[…]}}`) and may be missing, null or empty strings when
 * empty. A response that does not fit is an error naming the action and the field, never a
 * silent `undefined` further down.
 */
import { z } from 'zod';
import { DrainctlError } from '../../../errors/index.js';

/** A number, or a string holding one. */
export const wireNumber = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^-?\d+(?:\.\d+)?$/),
  ])
  .transform((value) => Number(value));

/** A string; numbers are turned into their decimal text (ids sometimes arrive as numbers). */
export const wireString = z.union([z.string(), z.number()]).transform((value) => String(value));

/** "on"/"off", "true"/"false" or a boolean. */
export const wireSwitch = z
  .union([z.boolean(), z.enum(['on', 'off', 'true', 'false', 'ON', 'OFF'])])
  .transform((value) => value === true || value === 'on' || value === 'true' || value === 'ON');

/**
 * `{ [key]: T[] }`, missing, null or "" → T[]; missing means empty.
 *
 * @example wrappedList('BackendServer', server) parses {"BackendServer":[…]} and undefined
 */
export function wrappedList<T extends z.ZodType>(key: string, item: T) {
  return z
    .union([z.object({ [key]: z.array(item).nullish() }), z.null(), z.literal('')])
    .optional()
    .transform((wrapper): z.output<T>[] => {
      if (wrapper === undefined || wrapper === null || wrapper === '') return [];
      return (wrapper[key] as z.output<T>[] | null | undefined) ?? [];
    });
}

/** `{Tag:[{TagKey,TagValue}]}` (or Key/Value) → a record. */
export const wireTags = wrappedList(
  'Tag',
  z.object({
    TagKey: z.string().optional(),
    TagValue: z.string().nullish(),
    Key: z.string().optional(),
    Value: z.string().nullish(),
  }),
).transform((tags) => {
  const out: Record<string, string> = {};
  for (const tag of tags) {
    const key = tag.TagKey ?? tag.Key;
    if (key !== undefined) out[key] = tag.TagValue ?? tag.Value ?? '';
  }
  return out;
});

/** Parse a response body, or fail with CLOUD_RESPONSE_INVALID naming the action and field. */
export function parseResponse<T extends z.ZodType>(
  provider: string,
  action: string,
  schema: T,
  body: unknown,
): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.join('.') || '(root)';
  return failInvalid(
    provider,
    action,
    `${path}: ${issue?.message ?? 'unexpected shape'}`,
    result.error,
  );
}

function failInvalid(provider: string, action: string, detail: string, cause: unknown): never {
  throw new DrainctlError(
    'CLOUD_RESPONSE_INVALID',
    `${provider} ${action} answered with an unexpected response: ${detail}`,
    {
      hint: 'the API may have changed; run with --verbose and report the response',
      cause,
    },
  );
}
