/**
 * The official SDK request models of the SLB actions, kept as data in
 * test/fixtures/aliyun/slb-request-models.json (source repository, path and commit at its top),
 * and the check of one request against them: every parameter named by the model, of the model's
 * type, within its documented values.
 */
import { readFileSync } from 'node:fs';

type Scalar = { type: 'string' | 'number' | 'boolean'; enum?: string[]; enumList?: string[] };
type Parameter =
  | Scalar
  | { type: 'array'; items: Record<string, Scalar> }
  | { type: 'json'; items: Record<string, Scalar> };

export interface RequestModels {
  source: { repository: string; path: string; commit: string };
  actions: Record<string, { model: string; parameters: Record<string, Parameter> }>;
}

export const slbRequestModels = JSON.parse(
  readFileSync(new URL('../fixtures/aliyun/slb-request-models.json', import.meta.url), 'utf8'),
) as RequestModels;

/** Signature-protocol parameters every RPC call carries; not part of any action's model. */
const PROTOCOL_PARAMS = new Set([
  'Action',
  'Version',
  'Format',
  'AccessKeyId',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'SignatureType',
  'Timestamp',
  'SecurityToken',
]);

/**
 * Where the query of one `action` request departs from the model: one line per problem, empty
 * when the request fits.
 */
export function modelViolations(action: string, query: Record<string, string>): string[] {
  const model = slbRequestModels.actions[action];
  if (model === undefined) return [`${action}: no request model recorded for this action`];
  const problems: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (PROTOCOL_PARAMS.has(name)) continue;
    const flattened = /^([^.]+)\.(\d+)\.(.+)$/.exec(name);
    if (flattened) {
      const [, list = '', , field = ''] = flattened;
      const spec = model.parameters[list];
      const item = spec?.type === 'array' ? spec.items[field] : undefined;
      if (item === undefined) problems.push(`${action}: ${name} is not in ${model.model}`);
      else problems.push(...scalarViolations(action, name, item, value));
      continue;
    }
    const spec = model.parameters[name];
    if (spec === undefined) {
      problems.push(`${action}: ${name} is not in ${model.model}`);
    } else if (spec.type === 'array') {
      problems.push(`${action}: ${name} must be sent flattened (${name}.N.Field)`);
    } else if (spec.type === 'json') {
      problems.push(...jsonViolations(action, name, spec.items, value));
    } else {
      problems.push(...scalarViolations(action, name, spec, value));
    }
  }
  return problems;
}

function scalarViolations(action: string, name: string, spec: Scalar, value: string): string[] {
  const at = `${action}: ${name}=${JSON.stringify(value)}`;
  if (spec.type === 'number' && !/^-?\d+$/.test(value)) return [`${at} is not a number`];
  if (spec.type === 'boolean' && value !== 'true' && value !== 'false') {
    return [`${at} is not a boolean`];
  }
  if (spec.enum && !spec.enum.includes(value)) {
    return [`${at} is not one of ${spec.enum.join(', ')}`];
  }
  if (spec.enumList) {
    const outside = value.split(',').filter((part) => !spec.enumList?.includes(part));
    if (outside.length > 0) return [`${at} has ${outside.join(', ')} outside ${spec.enumList}`];
  }
  return [];
}

function jsonViolations(
  action: string,
  name: string,
  items: Record<string, Scalar>,
  value: string,
): string[] {
  let entries: unknown;
  try {
    entries = JSON.parse(value);
  } catch {
    return [`${action}: ${name} is not JSON`];
  }
  if (!Array.isArray(entries)) return [`${action}: ${name} is not a JSON array`];
  return entries.flatMap((entry: unknown, index) => {
    if (entry === null || typeof entry !== 'object') return [`${action}: ${name}[${index}]`];
    return Object.entries(entry as Record<string, unknown>).flatMap(([field, fieldValue]) => {
      const spec = items[field];
      const at = `${name}[${index}].${field}`;
      if (spec === undefined) return [`${action}: ${at} is not a field the model documents`];
      if (typeof fieldValue !== 'string') return [`${action}: ${at} is not sent as a string`];
      return scalarViolations(action, at, spec, fieldValue);
    });
  });
}
