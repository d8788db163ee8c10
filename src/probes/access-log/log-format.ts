/**
 * nginx `log_format` text → tokens (literals and variables). Accepts the bare format string, the
 * quoted pieces as they appear in nginx.conf, or the whole pasted directive
 * (`log_format main escape=json '…' '…';`).
 */
import { type InputLocation, InvalidInputError } from '../../errors/index.js';

export const COMBINED_LOG_FORMAT =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';

export type Escape = 'default' | 'json' | 'none';

export type FormatToken = { kind: 'literal'; text: string } | { kind: 'variable'; name: string };

export interface LogFormatSpec {
  tokens: FormatToken[];
  escaping: Escape;
}

/**
 * Where a format was given, for its errors: `--format`, or a workflow's file and
 * `drain.probe.format.nginx`. The caller says; the parser cannot know.
 */
export type FormatLocation = InputLocation & { path: string };

/** `web.yaml: drain.probe.format.nginx: expected …, found …`, as every bad input reads. */
export function formatError(
  where: FormatLocation,
  expected: string,
  found: string,
): InvalidInputError {
  const file = where.file === undefined ? '' : `${where.file}: `;
  return new InvalidInputError(`${file}${where.path}: expected ${expected}, found ${found}`, {
    ...where,
    expected,
    found,
  });
}

/** Parse a format; throws InvalidInputError naming `where` when it has no variables. */
export function parseLogFormat(
  input: string,
  where: FormatLocation = { path: 'format' },
): LogFormatSpec {
  const { format, escaping } = unwrapDirective(input.trim());
  const tokens: FormatToken[] = [];
  let literal = '';
  let i = 0;
  while (i < format.length) {
    const c = format.charAt(i);
    if (c === '$') {
      const braced = format[i + 1] === '{';
      const from = braced ? i + 2 : i + 1;
      let to = from;
      while (to < format.length && /[A-Za-z0-9_]/.test(format.charAt(to))) to++;
      if (to > from && (!braced || format[to] === '}')) {
        if (literal !== '') tokens.push({ kind: 'literal', text: literal });
        literal = '';
        tokens.push({ kind: 'variable', name: format.slice(from, to).toLowerCase() });
        i = braced ? to + 1 : to;
        continue;
      }
    }
    literal += c;
    i++;
  }
  if (literal !== '') tokens.push({ kind: 'literal', text: literal });
  if (!tokens.some((t) => t.kind === 'variable')) {
    throw formatError(
      where,
      'combined, json, or an nginx log_format such as \'$remote_addr [$time_local] "$request" $status\'',
      `${JSON.stringify(input.length > 80 ? `${input.slice(0, 77)}...` : input)} (no nginx variables)`,
    );
  }
  return { tokens, escaping };
}

function unwrapDirective(text: string): { format: string; escaping: Escape } {
  let rest = text.replace(/;\s*$/, '');
  let escaping: Escape = 'default';
  const directive = /^log_format\s+\S+\s*/.exec(rest);
  if (directive) rest = rest.slice(directive[0].length);
  const escapeMatch = /^escape=(default|json|none)\s*/.exec(rest);
  if (escapeMatch) {
    escaping = escapeMatch[1] as Escape;
    rest = rest.slice(escapeMatch[0].length);
  }
  // A format of its own may start with a double quote (`"$request" $status`); only a pasted
  // directive or nginx.conf's usual single quotes mean "quoted pieces to concatenate".
  const pieces = directive || rest.startsWith("'") ? quotedPieces(rest) : undefined;
  return { format: pieces ?? rest, escaping };
}

/** `'a' "b"\n 'c'` → `abc` as nginx concatenates them; undefined when the text is not only quoted pieces. */
function quotedPieces(text: string): string | undefined {
  if (!(text.startsWith("'") || text.startsWith('"'))) return undefined;
  let out = '';
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text.charAt(i))) i++;
    if (i >= text.length) break;
    const quote = text[i];
    if (quote !== "'" && quote !== '"') return undefined;
    i++;
    let closed = false;
    while (i < text.length) {
      const c = text.charAt(i);
      if (c === '\\' && i + 1 < text.length) {
        const next = text.charAt(i + 1);
        out += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next;
        i += 2;
        continue;
      }
      if (c === quote) {
        closed = true;
        i++;
        break;
      }
      out += c;
      i++;
    }
    if (!closed) return undefined;
  }
  return out;
}
