/**
 * Picks the parser for a configured `LogFormat`: `combined` is nginx's built-in format compiled
 * like any other `log_format`; `json` is JSON lines; anything else is a pasted `log_format`.
 */
import type { LogFormat } from '../../ports/index.js';
import { createJsonLineParser } from './json-line-parser.js';
import { COMBINED_LOG_FORMAT, parseLogFormat } from './log-format.js';
import type { FieldId, LineParser } from './parsed-line.js';
import { compileTemplate } from './template-parser.js';

/**
 * @param needs the fields the filter uses; others are skipped while parsing (faster).
 * @example createLineParser({ kind: 'nginx', logFormat: '$remote_addr "$request" $status' })
 */
export function createLineParser(format: LogFormat, needs?: ReadonlySet<FieldId>): LineParser {
  switch (format.kind) {
    case 'combined':
      return compileTemplate(parseLogFormat(COMBINED_LOG_FORMAT), 'nginx combined', needs);
    case 'json':
      return createJsonLineParser();
    case 'nginx':
      return compileTemplate(parseLogFormat(format.logFormat), 'nginx log_format', needs);
  }
}

/** `--format` text → LogFormat: `combined`, `json`, or a log_format string. */
export function logFormatFromText(text: string): LogFormat {
  const trimmed = text.trim();
  if (trimmed === 'combined') return { kind: 'combined' };
  if (trimmed === 'json') return { kind: 'json' };
  return { kind: 'nginx', logFormat: text };
}
