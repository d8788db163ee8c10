/**
 * A follower reads an access log as it grows, wherever it lives, and hands the bytes to a
 * pipeline. Local files are read when the file system reports a change and when polled; remote
 * ones are pushed by `tail -F` over SSH as they arrive.
 */
import type { LineHandler } from './line-splitter.js';

/** Things about the log itself that people should see in the timeline. */
export interface FollowerEvent {
  type: 'missing' | 'appeared' | 'rotated' | 'truncated' | 'disconnected' | 'connected' | 'note';
  detail: string;
}

/** Where a follower delivers lines; implemented by LinePipeline plus the probe's event log. */
export interface FollowerSink {
  beginBatch(): void;
  onLine: LineHandler;
  endBatch(): void;
  droppedPartial(): void;
  event(event: FollowerEvent): void;
}

export interface LogFollower {
  /** Read what has been written since the last call (a no-op for pushed sources). */
  poll(): Promise<void>;
  /** False while the log cannot be read (not there yet, connection down): nothing can be concluded. */
  readonly available: boolean;
  /**
   * Monotonic ms since which the log has been readable without a break (meaningful while
   * `available`): it may have become readable between two polls, and quiet counts from then.
   */
  readonly availableSince: number;
  close(): Promise<void>;
}
