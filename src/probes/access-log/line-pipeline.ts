/**
 * What happens to each line a follower reads: parse (only the fields the filter needs),
 * classify, count. Also keeps a copy of the most recent real line, taken once per batch rather
 * than per line, so the live view can show what is still arriving.
 */
import type { Clock } from '../../ports/index.js';
import type { LineHandler } from './line-splitter.js';
import { Field, type LineParser, ParsedLine } from './parsed-line.js';
import { type RequestClassifier, Verdict } from './request-classifier.js';
import type { TrafficTally } from './traffic-tally.js';

const SAMPLE_BYTES = 2048;

/** A recent real request, for people: where from, what, answered how. Query strings are dropped. */
export interface RequestSample {
  client?: string;
  method?: string;
  path?: string;
  status?: number;
}

export class LinePipeline {
  private readonly parsed = new ParsedLine();
  private sampleSource: Uint8Array | undefined;
  private sampleStart = 0;
  private sampleEnd = 0;
  private readonly sample = Buffer.alloc(SAMPLE_BYTES);
  private sampleLength = 0;

  constructor(
    private readonly parser: LineParser,
    private readonly classifier: RequestClassifier,
    readonly tally: TrafficTally,
    private readonly clock: Clock,
    /** Parses every field (the main parser skips what the filter does not need). */
    private readonly sampleParser: LineParser = parser,
  ) {}

  /** Stamp the lines about to be pushed with the time they are seen. */
  beginBatch(): void {
    this.tally.stamp(this.clock.monotonic(), this.clock.now());
  }

  readonly onLine: LineHandler = (buf, start, end, truncated) => {
    if (start === end) return;
    const tally = this.tally;
    if (truncated) tally.truncated++;
    const parsed = this.parsed;
    if (!this.parser.parse(buf, start, end, parsed)) {
      tally.unparsed++;
      tally.countReal(-1);
      return;
    }
    if (this.classifier.classify(parsed, tally.nowMonotonic) !== Verdict.real) {
      tally.ignored++;
      return;
    }
    tally.countReal(parsed.status());
    tally.countRequestTime(parsed.requestTimeMs());
    this.sampleSource = buf;
    this.sampleStart = start;
    this.sampleEnd = end;
  };

  /** Call after each pushed chunk, while its buffer is still intact. */
  endBatch(): void {
    const source = this.sampleSource;
    if (source === undefined) return;
    const length = Math.min(this.sampleEnd - this.sampleStart, SAMPLE_BYTES);
    this.sample.set(source.subarray(this.sampleStart, this.sampleStart + length));
    this.sampleLength = length;
    this.sampleSource = undefined;
  }

  /** An unfinished line was lost to truncation or rotation: it may have been a request. */
  droppedPartial(): void {
    this.tally.droppedPartials++;
    this.tally.countReal(-1);
  }

  /** The most recent real request seen (per batch), parsed on demand. */
  lastRequest(): RequestSample | undefined {
    if (this.sampleLength === 0) return undefined;
    const line = new ParsedLine();
    if (!this.sampleParser.parse(this.sample, 0, this.sampleLength, line)) return undefined;
    let method = line.has(Field.method) ? line.text(Field.method) : undefined;
    let path = line.has(Field.uri) ? line.text(Field.uri) : undefined;
    if ((method === undefined || path === undefined) && line.has(Field.request)) {
      const [m, p] = line.text(Field.request).split(' ');
      method ??= m;
      path ??= p;
    }
    const forwarded = line.has(Field.forwardedFor) ? line.text(Field.forwardedFor) : '-';
    const client = forwarded !== '-' && forwarded !== '' ? forwarded : line.text(Field.address);
    const status = line.status();
    return {
      ...(client !== '' ? { client } : {}),
      ...(method !== undefined ? { method } : {}),
      ...(path !== undefined ? { path: path.split('?')[0] } : {}),
      ...(status >= 0 ? { status } : {}),
    };
  }
}
