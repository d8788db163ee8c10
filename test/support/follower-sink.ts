/**
 * A log follower's sink that keeps what it is given: the lines, the events, the partial lines
 * it had to drop.
 */
import type { FollowerEvent, FollowerSink } from '#src/probes/access-log/log-follower.js';

export function collectingSink() {
  const lines: string[] = [];
  const events: FollowerEvent[] = [];
  let dropped = 0;
  const sink: FollowerSink = {
    beginBatch: () => {},
    endBatch: () => {},
    onLine: (buf, start, end) => {
      lines.push(Buffer.from(buf.subarray(start, end)).toString('utf8'));
    },
    droppedPartial: () => {
      dropped++;
    },
    event: (event) => events.push(event),
  };
  return { sink, lines, events, dropped: () => dropped };
}
