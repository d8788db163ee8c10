/**
 * Validation of a record's RR, Type, Value, TTL and Line as AddDomainRecord and
 * UpdateDomainRecord receive them. TTL below the domain edition's minimum answers
 * QuotaExceeded.TTL (the code the real API gives, e.g. 60 on a free edition's floor of 600).
 */

import { InvalidParameter } from '../server/api-error.js';
import type { Params } from '../server/params.js';
import { DNS_EDITIONS } from '../topology/schema.js';
import { QuotaExceededTtl } from './errors.js';
import type { Domain } from './store.js';

export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'NS', 'SRV', 'CAA'] as const;
export const DEFAULT_TTL = 600;
const MAX_TTL = 86400;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export interface RecordInput {
  rr: string;
  type: string;
  value: string;
  ttl: number;
  line: string;
  priority?: number;
}

export function recordInput(params: Params, domain: Domain): RecordInput {
  const rr = params.required('RR');
  if (!/^(@|\*|[A-Za-z0-9_*-]+(\.[A-Za-z0-9_-]+)*)$/.test(rr)) {
    throw new InvalidParameter('RR', 'A host record such as www, @ or *.');
  }
  const type = params.required('Type');
  if (!(RECORD_TYPES as readonly string[]).includes(type)) {
    throw new InvalidParameter('Type', `Valid values: ${RECORD_TYPES.join(', ')}.`);
  }
  const value = params.required('Value');
  if (type === 'A' && !IPV4.test(value))
    throw new InvalidParameter('Value', 'An IPv4 address is expected.');
  const ttl = params.int('TTL', { max: MAX_TTL }) ?? DEFAULT_TTL;
  const edition = DNS_EDITIONS[domain.edition];
  if (ttl < edition.minTtl) throw new QuotaExceededTtl(ttl, edition.minTtl, edition.versionName);
  const input: RecordInput = {
    rr: rr.toLowerCase(),
    type,
    value,
    ttl,
    line: params.string('Line') || 'default',
  };
  if (type === 'MX') input.priority = params.int('Priority', { min: 1, max: 50 }) ?? 10;
  return input;
}
