/**
 * The `server` lines of one `upstream` block in an nginx configuration file's text, and the
 * smallest edits drainctl makes to them: add `down`, set `weight=`, put one line back exactly as
 * it was. Everything else in the file keeps its bytes. Pure: the text comes in and goes out.
 *
 * A server leaves by being marked `down` rather than commented out: nginx keeps its place in the
 * upstream, so hash and consistent-hash balancing map every other key as before, and a `down`
 * server gets no new requests while requests already on it finish.
 */
import { DrainctlError } from '../../errors/index.js';

export interface UpstreamServer {
  /** As written in the file: `10.0.0.5:8080`, `app1.internal:80`, `unix:/run/app.sock`. */
  address: string;
  /** `weight=` as written, 1 when absent (nginx's default). */
  weight: number;
  down: boolean;
  /** The whole statement, `server` to `;` inclusive, exactly as in the file. */
  text: string;
  /** Offsets of `text` in the file. */
  start: number;
  end: number;
}

/** Comments and quoted strings are skipped so a `}` or `;` inside them never ends a block. */
function blankCommentsAndQuotes(text: string): string {
  return text.replace(/#[^\n]*|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'/g, (match) =>
    match.replace(/[^\n]/g, ' '),
  );
}

function upstreamBody(
  text: string,
  upstream: string,
  file: string,
): { start: number; end: number } {
  const plain = blankCommentsAndQuotes(text);
  const opening = new RegExp(`(^|[\\s;{}])upstream\\s+${escapeRegExp(upstream)}\\s*\\{`, 'g');
  const match = opening.exec(plain);
  if (match === null) {
    throw new DrainctlError('NGINX_UPSTREAM_NOT_FOUND', `${file} has no upstream ${upstream}`);
  }
  const start = match.index + match[0].length;
  let depth = 1;
  for (let i = start; i < plain.length; i++) {
    if (plain[i] === '{') depth++;
    else if (plain[i] === '}' && --depth === 0) return { start, end: i };
  }
  throw new DrainctlError(
    'NGINX_UPSTREAM_NOT_FOUND',
    `${file}: upstream ${upstream} is not closed`,
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The `server` statements of `upstream` in file order. */
export function upstreamServers(text: string, upstream: string, file: string): UpstreamServer[] {
  const body = upstreamBody(text, upstream, file);
  const plain = blankCommentsAndQuotes(text).slice(body.start, body.end);
  const servers: UpstreamServer[] = [];
  for (const match of plain.matchAll(/(^|[\s;{}])(server\s+([^\s;]+)([^;]*);)/g)) {
    const start = body.start + (match.index ?? 0) + (match[1] ?? '').length;
    const statement = text.slice(start, start + (match[2] ?? '').length);
    const params = (match[4] ?? '').trim().split(/\s+/).filter(Boolean);
    const weight = params.find((p) => p.startsWith('weight='));
    servers.push({
      address: match[3] ?? '',
      weight: weight === undefined ? 1 : Number(weight.slice('weight='.length)),
      down: params.includes('down'),
      text: statement,
      start,
      end: start + statement.length,
    });
  }
  return servers;
}

/** The one server at `address` in `upstream`; a missing or repeated address is an error. */
export function upstreamServer(
  text: string,
  upstream: string,
  address: string,
  file: string,
): UpstreamServer {
  const found = upstreamServers(text, upstream, file).filter((s) => s.address === address);
  if (found.length !== 1) {
    throw new DrainctlError(
      'NGINX_SERVER_NOT_FOUND',
      `${file}: upstream ${upstream} has ${found.length === 0 ? 'no' : `${found.length}`} server ${address}${found.length > 1 ? ' lines' : ''}`,
      { hint: 'drainctl matches a server line by its address exactly as written (address:port)' },
    );
  }
  return found[0] as UpstreamServer;
}

function replaceStatement(text: string, server: UpstreamServer, statement: string): string {
  return text.slice(0, server.start) + statement + text.slice(server.end);
}

/** The statement with `down` added before its `;` (unchanged when already down). */
function withDown(statement: string): string {
  if (/\sdown(?=[\s;])/.test(statement)) return statement;
  return statement.replace(/\s*;$/, (end) => ` down${end}`);
}

function withWeight(statement: string, weight: number): string {
  const withoutDown = statement.replace(/\s+down(?=[\s;])/, '');
  if (/\sweight=\d+/.test(withoutDown)) {
    return withoutDown.replace(/(\s)weight=\d+/, `$1weight=${weight}`);
  }
  return withoutDown.replace(/\s*;$/, (end) => ` weight=${weight}${end}`);
}

/**
 * The file with the server at `address` given `weight`: 0 marks it `down`; the weight of
 * `original` (the file before drainctl changed it) puts back its original line byte for byte;
 * any other weight sets `weight=` and clears `down`.
 */
export function withServerWeight(
  text: string,
  original: string,
  upstream: string,
  address: string,
  weight: number,
  file: string,
): string {
  const current = upstreamServer(text, upstream, address, file);
  const before = upstreamServer(original, upstream, address, file);
  if (weight === 0) return replaceStatement(text, current, withDown(current.text));
  if (!before.down && weight === before.weight) return replaceStatement(text, current, before.text);
  return replaceStatement(text, current, withWeight(current.text, weight));
}
