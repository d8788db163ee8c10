/** Reading untrusted JSON: a plain object or nothing, never a throw. */

/** JSON text as a plain object; undefined for anything else (arrays, numbers, bad JSON). */
export function parseObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isObject(value) ? value : undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string field of an untrusted object; undefined when it is missing or not a string. */
export function stringField(value: unknown, key: string): string | undefined {
  if (!isObject(value) || !Object.hasOwn(value, key)) return undefined;
  const field = value[key];
  return typeof field === 'string' ? field : undefined;
}

/** A nested object field; undefined when missing or not an object. */
export function objectField(value: unknown, key: string): Record<string, unknown> | undefined {
  if (!isObject(value) || !Object.hasOwn(value, key)) return undefined;
  const field = value[key];
  return isObject(field) ? field : undefined;
}
