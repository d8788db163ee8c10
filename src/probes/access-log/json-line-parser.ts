/**
 * JSON lines (nginx `log_format … escape=json '{…}'`, or any JSON-per-line logger): each line is
 * one object; the fields the decision needs are found under the names people give them.
 */
import { Field, type FieldId, type LineParser, type ParsedLine } from './parsed-line.js';

/** Key names tried for each field, first match wins (nginx variable names first). */
const KEYS: Array<[FieldId, string[]]> = [
  [
    Field.address,
    ['remote_addr', 'remoteAddr', 'client_ip', 'clientIp', 'client', 'remote_ip', 'ip'],
  ],
  [
    Field.forwardedFor,
    ['http_x_forwarded_for', 'x_forwarded_for', 'xff', 'forwarded_for', 'xForwardedFor'],
  ],
  [Field.request, ['request']],
  [Field.method, ['request_method', 'method', 'requestMethod']],
  [Field.uri, ['request_uri', 'uri', 'path', 'url', 'requestUri']],
  [Field.status, ['status', 'status_code', 'statusCode', 'response_status']],
  [Field.userAgent, ['http_user_agent', 'user_agent', 'userAgent', 'ua', 'agent']],
  [Field.requestTime, ['request_time', 'requestTime']],
];

/** Values longer than this are cut: the decision needs addresses, methods and paths. */
const SCRATCH_BYTES = 64 * 1024;

export function createJsonLineParser(): LineParser {
  const scratch = Buffer.alloc(SCRATCH_BYTES);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  return {
    description: 'json lines',
    provides: new Set(KEYS.map(([field]) => field)),
    parse(buf, start, end, out: ParsedLine) {
      let record: unknown;
      try {
        record = JSON.parse(decoder.decode(buf.subarray(start, end)));
      } catch {
        return false;
      }
      if (typeof record !== 'object' || record === null || Array.isArray(record)) return false;
      out.reset(scratch);
      let offset = 0;
      const values = record as Record<string, unknown>;
      for (const [field, keys] of KEYS) {
        for (const key of keys) {
          const value = values[key];
          if (value === undefined || value === null || typeof value === 'object') continue;
          const written = scratch.write(String(value), offset, 'utf8');
          out.set(field, offset, offset + written);
          offset += written;
          break;
        }
      }
      return true;
    },
  };
}
