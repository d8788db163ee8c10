/**
 * What the process does when it is signalled or loses its terminal. The rule: any signal is a
 * request to stop safely, never death. SIGINT, SIGTERM and SIGHUP (the SSH session dropped
 * mid-drain) abort the running command, which undoes or finishes its current step. Only a person
 * at the terminal can insist: a second Ctrl-C while stdin is a TTY leaves at once — after saying
 * which nodes are out of service right now. A second SIGTERM (a second `drainctl abort`,
 * systemd, a supervisor) is only logged: nobody is there to take over. Output streams whose
 * reader went away (EPIPE) are ignored rather than allowed to crash a run mid-drain.
 */

export const LEAVE_AT_ONCE_EXIT_CODE = 130;

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

export interface SignalDeps {
  /** Where the handlers are installed (process in production). */
  on(signal: StopSignal, handler: () => void): void;
  /** Whether a person is at a terminal now (stdin is a TTY, and it was not hung up). */
  interactive: boolean;
  /** A line on stderr; never throws. */
  say(text: string): void;
  /** Nodes out of service right now, one line each. */
  outOfService(): string[];
  exit(code: number): void;
}

/** Install the stop handlers; the first stop signal aborts `controller`. */
export function installStopSignals(controller: AbortController, deps: SignalDeps): void {
  let interactive = deps.interactive;
  for (const name of STOP_SIGNALS) {
    deps.on(name, () => {
      // The terminal is gone: nobody can press Ctrl-C on it any more.
      if (name === 'SIGHUP') interactive = false;
      if (!controller.signal.aborted) {
        controller.abort(new Error(`received ${name}`));
        return;
      }
      if (name === 'SIGINT' && interactive) {
        leaveAtOnce(deps);
        return;
      }
      deps.say(
        `drainctl: received ${name} again: already stopping safely (each node ends serving or named); ` +
          'a second Ctrl-C at the terminal leaves at once',
      );
    });
  }
}

function leaveAtOnce(deps: SignalDeps): void {
  const out = deps.outOfService();
  deps.say('drainctl: second Ctrl-C: leaving at once; `drainctl resume <run-id>` picks the run up');
  if (out.length === 0) {
    deps.say('  no node is out of service');
  } else {
    deps.say('  OUT OF SERVICE NOW (needs a person or `drainctl resume`):');
    for (const line of out) deps.say(`    ${line}`);
  }
  deps.exit(LEAVE_AT_ONCE_EXIT_CODE);
}

const GONE_READER = new Set(['EPIPE', 'EIO', 'ERR_STREAM_DESTROYED']);

/**
 * A stdout/stderr whose reader went away (the terminal closed, `| head` exited) must not crash
 * a run: writes to it are dropped from then on. Any other stream error is still thrown.
 */
export function ignoreGoneReader(stream: NodeJS.EventEmitter): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (!GONE_READER.has(error.code ?? '')) throw error;
  });
}
