/**
 * Real traffic or not: a parsed line is a health check (source range, the listener's check
 * method and URI, a user agent) or an excluded path, or else a real request. Works on the bytes
 * of the line; a line that did not parse is counted as real, so a wrong format can only delay a
 * drain, never end one early.
 */
import type { TrafficFilter } from '../../ports/index.js';
import { parsePathPattern } from '../../workflow/traffic-filter/path-patterns.js';
import { CidrSet } from '../net/cidr-set.js';
import { Field, type FieldId, type ParsedLine } from './parsed-line.js';

export const Verdict = { real: 0, healthCheck: 1, excluded: 2 } as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

interface PathPattern {
  bytes: Buffer;
  prefix: boolean;
}

export class RequestClassifier {
  private readonly cidrs: CidrSet;
  private readonly forwarded: boolean;
  private readonly checkMethod: Buffer | undefined;
  private readonly checkUri: Buffer | undefined;
  /** The check URI has no query: compare the request's path only. */
  private readonly checkPathOnly: boolean;
  private readonly paths: PathPattern[];
  private readonly agents: Buffer[];
  /** The fields this filter reads; the parser skips the others. */
  readonly needs: ReadonlySet<FieldId>;

  constructor(filter: TrafficFilter) {
    this.cidrs = new CidrSet(filter.ignoreCidrs, { path: 'filter.ignoreCidrs' });
    this.forwarded = filter.clientAddress === 'x_forwarded_for';
    this.checkMethod = filter.healthCheck
      ? Buffer.from(filter.healthCheck.method.toUpperCase())
      : undefined;
    this.checkUri = filter.healthCheck ? Buffer.from(filter.healthCheck.uri) : undefined;
    this.checkPathOnly = filter.healthCheck !== undefined && !filter.healthCheck.uri.includes('?');
    this.paths = filter.ignorePaths.map((p) => {
      const pattern = parsePathPattern(p);
      return { bytes: Buffer.from(pattern.text), prefix: pattern.prefix };
    });
    this.agents = filter.ignoreUserAgents.map((a) => Buffer.from(a.toLowerCase()));
    const needs = new Set<FieldId>([Field.status, Field.address]);
    if (this.forwarded) needs.add(Field.forwardedFor);
    if (this.checkUri !== undefined || this.paths.length > 0) {
      needs.add(Field.request).add(Field.method).add(Field.uri);
    }
    if (this.agents.length > 0) needs.add(Field.userAgent);
    this.needs = needs;
  }

  classify(line: ParsedLine): Verdict {
    const buf = line.buf;
    if (this.cidrs.size > 0 && this.sourceIgnored(line)) return Verdict.healthCheck;
    if (this.checkUri !== undefined || this.paths.length > 0) {
      let mStart = line.start(Field.method);
      let mEnd = line.end(Field.method);
      let uStart = line.start(Field.uri);
      let uEnd = line.end(Field.uri);
      if (line.has(Field.request) && (mStart < 0 || uStart < 0)) {
        // `$request` is `METHOD URI PROTOCOL`.
        const rEnd = line.end(Field.request);
        mStart = line.start(Field.request);
        mEnd = indexOfByte(buf, 32, mStart, rEnd);
        if (mEnd >= 0) {
          uStart = mEnd + 1;
          uEnd = indexOfByte(buf, 32, uStart, rEnd);
          if (uEnd < 0) uEnd = rEnd;
        } else {
          mStart = -1;
          uStart = -1;
        }
      }
      if (uStart >= 0) {
        if (
          this.checkUri !== undefined &&
          mStart >= 0 &&
          this.isHealthCheck(buf, mStart, mEnd, uStart, uEnd)
        ) {
          return Verdict.healthCheck;
        }
        if (this.paths.length > 0 && this.pathExcluded(buf, uStart, uEnd)) return Verdict.excluded;
      }
    }
    if (this.agents.length > 0 && line.has(Field.userAgent)) {
      const start = line.start(Field.userAgent);
      const end = line.end(Field.userAgent);
      for (const agent of this.agents) {
        if (containsIgnoreCase(buf, start, end, agent)) return Verdict.healthCheck;
      }
    }
    return Verdict.real;
  }

  private sourceIgnored(line: ParsedLine): boolean {
    const buf = line.buf;
    if (this.forwarded && line.has(Field.forwardedFor)) {
      let end = line.end(Field.forwardedFor);
      const start = line.start(Field.forwardedFor);
      // The right-most entry is the one the load balancer appended: the peer it saw. Entries
      // to its left come from the client and can be anything.
      let from = end - 1;
      while (from >= start && buf[from] !== 44) from--;
      from++;
      while (from < end && buf[from] === 32) from++;
      while (end > from && buf[end - 1] === 32) end--;
      const empty = end === from || (end - from === 1 && buf[from] === 45);
      if (!empty) return this.cidrs.matchBytes(buf, from, end);
      // No X-Forwarded-For: the request did not come through the listener's proxy path (the
      // balancer's own health check does not add one), so judge it by its peer address.
    }
    if (!line.has(Field.address)) return false;
    return this.cidrs.matchBytes(buf, line.start(Field.address), line.end(Field.address));
  }

  private isHealthCheck(
    buf: Uint8Array,
    mStart: number,
    mEnd: number,
    uStart: number,
    uEnd: number,
  ): boolean {
    const method = this.checkMethod;
    const uri = this.checkUri;
    if (method === undefined || uri === undefined) return false;
    if (!equalsIgnoreCase(buf, mStart, mEnd, method)) return false;
    let end = uEnd;
    if (this.checkPathOnly) {
      const q = indexOfByte(buf, 63, uStart, uEnd);
      if (q >= 0) end = q;
    }
    return equalsBytes(buf, uStart, end, uri);
  }

  private pathExcluded(buf: Uint8Array, start: number, uEnd: number): boolean {
    const q = indexOfByte(buf, 63, start, uEnd);
    const end = q >= 0 ? q : uEnd;
    for (const pattern of this.paths) {
      if (pattern.prefix) {
        if (
          end - start >= pattern.bytes.length &&
          equalsBytes(buf, start, start + pattern.bytes.length, pattern.bytes)
        ) {
          return true;
        }
      } else if (equalsBytes(buf, start, end, pattern.bytes)) {
        return true;
      }
    }
    return false;
  }
}

function indexOfByte(buf: Uint8Array, byte: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (buf[i] === byte) return i;
  return -1;
}

function equalsBytes(buf: Uint8Array, start: number, end: number, bytes: Buffer): boolean {
  if (end - start !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[start + i] !== bytes[i]) return false;
  return true;
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function equalsIgnoreCase(buf: Uint8Array, start: number, end: number, upper: Buffer): boolean {
  if (end - start !== upper.length) return false;
  for (let i = 0; i < upper.length; i++)
    if (lower(buf[start + i] ?? 0) !== lower(upper[i] ?? 0)) return false;
  return true;
}

/** `needle` is lower-case already. */
function containsIgnoreCase(buf: Uint8Array, start: number, end: number, needle: Buffer): boolean {
  const last = end - needle.length;
  outer: for (let i = start; i <= last; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (lower(buf[i + j] ?? 0) !== needle[j]) continue outer;
    }
    return true;
  }
  return false;
}
