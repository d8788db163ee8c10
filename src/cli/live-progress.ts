/**
 * Where a run's progress goes while `run` or `resume` executes: on a terminal, a frame redrawn in
 * place (so countdowns tick between journal entries); in pipes, CI logs, with `--json`, NO_COLOR,
 * TERM=dumb or `--no-live`, one plain line per change and never a cursor code. Both read the
 * run's journal entries as they become durable (`RunWiring.afterAppend`).
 */
import {
  composeAfterAppend,
  crashHookFromEnv,
  type DemoView,
  demoTrafficLine,
  type JournalEntry,
  renderDemoTraffic,
  systemClock,
} from '../app/index.js';
import { createLogger, type Logger } from '../log/index.js';
import { redactString } from '../log/redact.js';
import { RunProgress } from '../progress/index.js';
import type { CliContext } from './cli-context.js';
import { type FrameWriter, frameWriter } from './frame-writer.js';

export type ProgressMode = 'live' | 'plain';

type DemoStyle = Parameters<typeof renderDemoTraffic>[1];

/** Redraw only where a person watches a capable terminal; anything else gets plain lines. */
export function progressMode(options: {
  stream: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  json: boolean;
  live: boolean;
}): ProgressMode {
  const tty = (options.stream as NodeJS.WriteStream).isTTY === true;
  const noColor = options.env.NO_COLOR !== undefined && options.env.NO_COLOR !== '';
  const dumb = options.env.TERM === 'dumb';
  return tty && options.live && !options.json && !noColor && !dumb ? 'live' : 'plain';
}

export interface ProgressView {
  afterAppend(entry: JournalEntry): void;
  /** Draw the last frame (live) and stop redrawing; call before the report is printed. */
  stop(): void;
}

/** A redraw this often lets the countdowns tick without flooding a slow terminal. */
const REDRAW_MS = 500;

export function progressView(options: {
  mode: ProgressMode;
  stream: NodeJS.WritableStream;
  /** Wall-clock ms (the system clock's `now`). */
  now: () => number;
  /** What the journal held before this process went on (`resume`). */
  history?: readonly JournalEntry[];
}): ProgressView {
  const progress = new RunProgress(options.history);
  if (options.mode === 'plain') {
    return {
      afterAppend(entry) {
        for (const line of progress.apply(entry)) options.stream.write(`${redactString(line)}\n`);
      },
      stop() {},
    };
  }
  const writer: FrameWriter = frameWriter(options.stream);
  const draw = () => writer.draw(progress.frame(options.now()).map(redactString));
  const timer = setInterval(draw, REDRAW_MS);
  // A night waiting on a timer it only draws for must still end when the run does.
  timer.unref();
  return {
    afterAppend(entry) {
      progress.apply(entry);
    },
    stop() {
      clearInterval(timer);
      draw();
    },
  };
}

/**
 * What `run` and `resume` share: the view for their flags and terminal, the logger that leaves a
 * live frame alone (only warnings, unless --verbose or DRAINCTL_LOG_LEVEL says otherwise), and the hook the run is wired with (the
 * view, then the crash tests' hook).
 */
export function runProgressWiring(
  ctx: CliContext,
  options: { json: boolean; live: boolean; history?: readonly JournalEntry[] },
): { view: ProgressView; logger: Logger; afterAppend: (entry: JournalEntry) => void } {
  // With --json stdout holds only the one document: progress goes beside the runbook.
  const stream = options.json ? process.stderr : process.stdout;
  const mode = progressMode({ stream, env: process.env, json: options.json, live: options.live });
  const view = progressView({
    mode,
    stream,
    now: () => systemClock.now(),
    ...(options.history === undefined ? {} : { history: options.history }),
  });
  // A level someone chose (DRAINCTL_LOG_LEVEL, here or in .env) is theirs to keep, frame or not.
  const quiet = mode === 'live' && !ctx.verbose && (process.env.DRAINCTL_LOG_LEVEL ?? '') === '';
  const logger = quiet ? createLogger({ level: 'warn' }) : ctx.logger;
  const afterAppend =
    composeAfterAppend(view.afterAppend, crashHookFromEnv(process.env)) ?? view.afterAppend;
  return { view, logger, afterAppend };
}

/** Without a terminal, the demo's traffic is printed at most this often (logs stay readable). */
const DEMO_TRAFFIC_EVERY_SECONDS = 5;

/**
 * The demo's view: the same run progress as `run` (frame or plain lines, by the same rule) with
 * the clients' traffic drawn under the frame, or printed now and then as one line.
 */
export function demoView(options: {
  mode: ProgressMode;
  stream: NodeJS.WritableStream;
  style: DemoStyle;
}): DemoView {
  if (options.mode === 'plain') {
    let lastTrafficAt = Number.NEGATIVE_INFINITY;
    const print = (line: string) => options.stream.write(`${redactString(line)}\n`);
    return {
      progress: (lines) => {
        for (const line of lines) print(line);
      },
      frame: (_runFrame, traffic) => {
        if (traffic.elapsedSeconds - lastTrafficAt < DEMO_TRAFFIC_EVERY_SECONDS) return;
        lastTrafficAt = traffic.elapsedSeconds;
        print(demoTrafficLine(traffic));
      },
    };
  }
  const writer = frameWriter(options.stream);
  return {
    progress: () => undefined,
    frame: (runFrame, traffic) =>
      writer.draw([...renderDemoTraffic(traffic, options.style), ...runFrame.map(redactString)]),
  };
}
