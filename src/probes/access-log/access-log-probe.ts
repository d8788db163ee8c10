/**
 * The access-log TrafficProbe: a follower (local file or SSH `tail -F`) feeding a pipeline
 * (parse → classify → count), and the drain decision on top. Opened at the end of the log:
 * history is never replayed.
 */
import { InvalidInputError } from '../../errors/index.js';
import type {
  Clock,
  DrainOutcome,
  DrainWaitOptions,
  ErrorRateSample,
  LogFormat,
  LogSource,
  TrafficFilter,
  TrafficProbe,
} from '../../ports/index.js';
import {
  type DrainSource,
  measureErrorRate,
  newDrainMemory,
  readBetweenWaits,
  waitForDrain,
} from './drain-wait.js';
import { FileFollower, type FileFollowerOptions } from './file-follower.js';
import { checkLogFormat, createLineParser } from './line-parser.js';
import { LinePipeline } from './line-pipeline.js';
import type { FollowerEvent, FollowerSink, LogFollower } from './log-follower.js';
import { Field } from './parsed-line.js';
import { RequestClassifier } from './request-classifier.js';
import { TrafficTally } from './traffic-tally.js';

export interface AccessLogProbeOptions {
  source: LogSource;
  format: LogFormat;
  filter: TrafficFilter;
  clock: Clock;
  /** Poll and progress interval (default 1000 ms). */
  tickMs?: number;
  /** Things that happened to the log (rotation, truncation, connection), with the monotonic ms. */
  onEvent?: (event: FollowerEvent & { atMonotonic: number; at: number }) => void;
  file?: FileFollowerOptions;
  /** Opens a remote follower; the factory passes the SSH one (kept out of here for tests). */
  openRemote?: (
    source: Extract<LogSource, { type: 'ssh' }>,
    sink: FollowerSink,
  ) => Promise<LogFollower>;
}

/** The probe plus what `drainctl watch` shows beyond the port. */
export interface AccessLogProbe extends TrafficProbe {
  readonly tally: TrafficTally;
  readonly formatDescription: string;
}

/**
 * @example
 *   const probe = await openAccessLogProbe({ source: { type: 'local', path }, format: { kind: 'combined' },
 *     filter: { ignoreCidrs: ['100.64.0.0/10'], ignorePaths: [], ignoreUserAgents: [], clientAddress: 'remote_addr' },
 *     clock: systemClock });
 *   const result = await probe.waitForDrain({ quietSeconds: 30, timeoutSeconds: 600 });
 */
export async function openAccessLogProbe(options: AccessLogProbeOptions): Promise<AccessLogProbe> {
  const { clock } = options;
  const classifier = new RequestClassifier(options.filter, (reason) =>
    options.onEvent?.({
      type: 'note',
      detail: `requests from an ignored range that do not look like health checks count as real traffic, from the first: ${reason}. Behind a layer-7 listener every proxied request comes from the balancer: read the client from X-Forwarded-For (watch: --client-address x_forwarded_for, with a format that logs $http_x_forwarded_for) and name the listener's check (--health-check)`,
      atMonotonic: clock.monotonic(),
      at: clock.now(),
    }),
  );
  const sampleParser = checkLogFormat(options.format, options.filter.clientAddress, {
    path: 'format',
  });
  // The request time is read too where the format logs it: the canary's bake judges latency.
  const parser = createLineParser(
    options.format,
    new Set([...classifier.needs, Field.requestTime]),
  );
  const tally = new TrafficTally();
  const pipeline = new LinePipeline(parser, classifier, tally, clock, sampleParser);
  const sink: FollowerSink = {
    beginBatch: () => pipeline.beginBatch(),
    onLine: pipeline.onLine,
    endBatch: () => pipeline.endBatch(),
    droppedPartial: () => pipeline.droppedPartial(),
    event: (event) =>
      options.onEvent?.({ ...event, atMonotonic: clock.monotonic(), at: clock.now() }),
  };
  let follower: LogFollower;
  let closed = false;
  if (options.source.type === 'local') {
    const file = new FileFollower(options.source.path, sink, clock, options.file);
    await file.start();
    follower = file;
  } else {
    if (options.openRemote === undefined) {
      throw new InvalidInputError('no SSH support was given to this probe', {
        path: 'source.type',
      });
    }
    follower = await options.openRemote(options.source, sink);
  }
  const source: DrainSource = {
    clock,
    tally,
    tickMs: options.tickMs ?? 1000,
    poll: () => follower.poll(),
    available: () => follower.available,
    availableSince: () => follower.availableSince,
    lastRequest: () => pipeline.lastRequest(),
    memory: newDrainMemory(),
  };
  // Once a wait has ended the log is read on until the next one (the engine patches the node
  // meanwhile): a wait that continues the decision judges the time in between as it happened.
  let between: ReturnType<typeof readBetweenWaits> | undefined;
  const exclusive = async <T>(task: () => Promise<T>): Promise<T> => {
    await between?.stop();
    between = undefined;
    return task();
  };
  return {
    tally,
    formatDescription: parser.description,
    waitForDrain: (wait: DrainWaitOptions): Promise<DrainOutcome> =>
      exclusive(() => waitForDrain(source, wait)).finally(() => {
        if (!closed) between = readBetweenWaits(source);
      }),
    measureErrorRate: (measure): Promise<ErrorRateSample> =>
      exclusive(() => measureErrorRate(source, measure)),
    close: async () => {
      closed = true;
      await between?.stop();
      await follower.close();
    },
  };
}
