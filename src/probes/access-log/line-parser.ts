/**
 * Picks the parser for a configured `LogFormat`: `combined` is nginx's built-in format compiled
 * like any other `log_format`; `json` is JSON lines; anything else is a pasted `log_format`.
 */
import type { LogFormat } from '../../ports/index.js';
import { createJsonLineParser } from './json-line-parser.js';
import {
  COMBINED_LOG_FORMAT,
  type FormatLocation,
  formatError,
  parseLogFormat,
} from './log-format.js';
import { Field, type FieldId, type LineParser } from './parsed-line.js';
import { compileTemplate } from './template-parser.js';

/**
 * @param needs the fields the filter uses; others are skipped while parsing (faster).
 * @param where where the format was given, named by its errors (`--format`, a workflow's path).
 * @example createLineParser({ kind: 'nginx', logFormat: '$remote_addr "$request" $status' })
 */
export function createLineParser(
  format: LogFormat,
  needs?: ReadonlySet<FieldId>,
  where?: FormatLocation,
): LineParser {
  switch (format.kind) {
    case 'combined':
      return compileTemplate(parseLogFormat(COMBINED_LOG_FORMAT), 'nginx combined', needs);
    case 'json':
      return createJsonLineParser();
    case 'nginx':
      return compileTemplate(
        parseLogFormat(format.logFormat, where),
        'nginx log_format',
        needs,
        where,
      );
  }
}

/**
 * Refuse, naming `where`, a format the probe could not use with this client address: one it
 * cannot split, or one without `$http_x_forwarded_for` when the client is read from it (behind
 * a layer-7 listener every request comes from the balancer). `drainctl watch` checks its flags
 * with it and `plan` the workflow's probe, before anything is opened; the probe itself again.
 */
export function checkLogFormat(
  format: LogFormat,
  clientAddress: 'remote_addr' | 'x_forwarded_for',
  where: FormatLocation,
): LineParser {
  const parser = createLineParser(format, undefined, where);
  if (clientAddress === 'x_forwarded_for' && !parser.provides.has(Field.forwardedFor)) {
    throw formatError(
      where,
      'a log_format with $http_x_forwarded_for: the client is read from X-Forwarded-For (a layer-7 listener, where every request comes from the balancer), or every request would look like a health check',
      parser.description,
    );
  }
  return parser;
}

/** `--format` text → LogFormat: `combined`, `json`, or a log_format string. */
export function logFormatFromText(text: string): LogFormat {
  const trimmed = text.trim();
  if (trimmed === 'combined') return { kind: 'combined' };
  if (trimmed === 'json') return { kind: 'json' };
  return { kind: 'nginx', logFormat: text };
}

/** Whether lines in `format` carry `$request_time` (JSON lines may: a key is looked for). */
export function logFormatGivesRequestTime(format: LogFormat): boolean {
  return createLineParser(format).provides.has(Field.requestTime);
}
