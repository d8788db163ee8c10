/**
 * Real traffic or not: a parsed line is a health check (source range, the listener's check
 * method and URI, a user agent) or an excluded path, or else a real request. Works on the bytes
 * of the line; a line that did not parse is counted as real, so a wrong format can only delay a
 * drain, never end one early. A request ignored for its source range alone must also keep to a
 * health check's shape (health-check-shape.ts), or it is counted as real after all.
 */
import type { TrafficFilter } from '../../ports/index.js';
import { parsePathPattern } from '../../workflow/traffic-filter/path-patterns.js';
import { CidrSet } from '../net/cidr-set.js';
import { HealthCheckShape } from './health-check-shape.js';
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
  private readonly shape = new HealthCheckShape();
  private unlikeReported = false;

  /**
   * @param onUnlikeCheck told, once, why the first request from an ignored range was counted
   *   as real traffic (it was not shaped like a health check).
   */
  constructor(
    filter: TrafficFilter,
    private readonly onUnlikeCheck?: (reason: string) => void,
  ) {
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
    if (this.checkUri !== undefined || this.paths.length > 0 || this.cidrs.size > 0) {
      needs.add(Field.request).add(Field.method).add(Field.uri);
    }
    if (this.agents.length > 0) needs.add(Field.userAgent);
    this.needs = needs;
  }

  /** `nowMs`: when the line was read (monotonic), for the health-check shape's rates. */
  classify(line: ParsedLine, nowMs = 0): Verdict {
    const buf = line.buf;
    const source = this.cidrs.size > 0 ? this.ignoredSource(line) : undefined;
    const target =
      this.checkUri !== undefined || this.paths.length > 0 || source !== undefined
        ? requestTarget(line)
        : undefined;
    if (target !== undefined && target.uStart >= 0) {
      const { mStart, mEnd, uStart, uEnd } = target;
      if (
        this.checkUri !== undefined &&
        mStart >= 0 &&
        this.isHealthCheck(buf, mStart, mEnd, uStart, uEnd)
      ) {
        return Verdict.healthCheck;
      }
      if (this.paths.length > 0 && this.pathExcluded(buf, uStart, uEnd)) return Verdict.excluded;
    }
    if (this.agents.length > 0 && line.has(Field.userAgent)) {
      const start = line.start(Field.userAgent);
      const end = line.end(Field.userAgent);
      for (const agent of this.agents) {
        if (containsIgnoreCase(buf, start, end, agent)) return Verdict.healthCheck;
      }
    }
    if (source === undefined) return Verdict.real;
    // Ignored for its address alone: only while it keeps to a health check's shape.
    const address = Buffer.from(buf.subarray(source.start, source.end)).toString('latin1');
    const method =
      target !== undefined && target.mStart >= 0
        ? Buffer.from(buf.subarray(target.mStart, target.mEnd)).toString('latin1')
        : undefined;
    const path = target !== undefined && target.uStart >= 0 ? pathText(buf, target) : undefined;
    const unlike = this.shape.judge(address, method, path, nowMs);
    if (unlike === undefined) return Verdict.healthCheck;
    if (!this.unlikeReported) {
      this.unlikeReported = true;
      this.onUnlikeCheck?.(unlike);
    }
    return Verdict.real;
  }

  /** The client address the filter judges (X-Forwarded-For's or the peer's), if it is ignored. */
  private ignoredSource(line: ParsedLine): { start: number; end: number } | undefined {
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
      if (!empty) return this.cidrs.matchBytes(buf, from, end) ? { start: from, end } : undefined;
      // No X-Forwarded-For: the request did not come through the listener's proxy path (the
      // balancer's own health check does not add one), so judge it by its peer address.
    }
    if (!line.has(Field.address)) return undefined;
    const start = line.start(Field.address);
    const end = line.end(Field.address);
    return this.cidrs.matchBytes(buf, start, end) ? { start, end } : undefined;
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

interface RequestTarget {
  mStart: number;
  mEnd: number;
  uStart: number;
  uEnd: number;
}

/** Where the method and the URI are: their own fields, or inside `$request`; -1 when absent. */
function requestTarget(line: ParsedLine): RequestTarget {
  const buf = line.buf;
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
  return { mStart, mEnd, uStart, uEnd };
}

/** The URI's path (the query cut off), as text. */
function pathText(buf: Uint8Array, target: RequestTarget): string {
  const q = indexOfByte(buf, 63, target.uStart, target.uEnd);
  const end = q >= 0 ? q : target.uEnd;
  return Buffer.from(buf.subarray(target.uStart, end)).toString('latin1');
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
