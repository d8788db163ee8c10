/**
 * The CLI's signal rules as a table: every stop signal (SIGHUP too) is a safe abort; only a
 * second Ctrl-C from a terminal leaves at once, and it names the nodes out of service first;
 * a second SIGTERM is logged; a reader that went away (EPIPE) does not crash the process.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  ignoreGoneReader,
  installStopSignals,
  LEAVE_AT_ONCE_EXIT_CODE,
  type StopSignal,
} from '#src/cli/signals.js';

function harness(interactive: boolean, outOfService: string[] = []) {
  const handlers = new Map<StopSignal, () => void>();
  const said: string[] = [];
  const exits: number[] = [];
  const controller = new AbortController();
  installStopSignals(controller, {
    on: (name, handler) => handlers.set(name, handler),
    interactive,
    say: (text) => said.push(text),
    outOfService: () => outOfService,
    exit: (code) => {
      exits.push(code);
    },
  });
  const send = (name: StopSignal) => handlers.get(name)?.();
  return { controller, said, exits, send };
}

describe('stop signals', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s aborts the command safely', (name) => {
    const h = harness(true);
    h.send(name);
    expect(h.controller.signal.aborted).toBe(true);
    expect((h.controller.signal.reason as Error).message).toBe(`received ${name}`);
    expect(h.exits).toEqual([]);
  });

  it('a second Ctrl-C on a terminal leaves at once, naming the nodes out of service', () => {
    const h = harness(true, ['web-1 (i-emu-web-1) of run r-1: rebooting, weight 0']);
    h.send('SIGINT');
    h.send('SIGINT');
    expect(h.exits).toEqual([LEAVE_AT_ONCE_EXIT_CODE]);
    expect(h.said.join('\n')).toContain('OUT OF SERVICE NOW');
    expect(h.said.join('\n')).toContain('web-1 (i-emu-web-1) of run r-1: rebooting, weight 0');
  });

  it('leaving at once with nothing out of service says so', () => {
    const h = harness(true);
    h.send('SIGINT');
    h.send('SIGINT');
    expect(h.exits).toEqual([LEAVE_AT_ONCE_EXIT_CODE]);
    expect(h.said.join('\n')).toContain('no node is out of service');
  });

  it('a second SIGINT without a terminal is only logged', () => {
    const h = harness(false);
    h.send('SIGINT');
    h.send('SIGINT');
    expect(h.exits).toEqual([]);
    expect(h.said.join('\n')).toContain('received SIGINT again: already stopping safely');
  });

  it('a second SIGTERM (a second `drainctl abort`) is only logged, even on a terminal', () => {
    const h = harness(true);
    h.send('SIGTERM');
    h.send('SIGTERM');
    h.send('SIGTERM');
    expect(h.exits).toEqual([]);
    expect(h.said).toHaveLength(2);
  });

  it('after SIGHUP the terminal is gone: a later SIGINT does not leave at once', () => {
    const h = harness(true);
    h.send('SIGHUP');
    h.send('SIGINT');
    expect(h.exits).toEqual([]);
  });
});

describe('output streams whose reader went away', () => {
  it('EPIPE and EIO are ignored; other errors are not', () => {
    const stream = new EventEmitter();
    ignoreGoneReader(stream);
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    const eio = Object.assign(new Error('write EIO'), { code: 'EIO' });
    expect(() => stream.emit('error', epipe)).not.toThrow();
    expect(() => stream.emit('error', eio)).not.toThrow();
    const other = Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    expect(() => stream.emit('error', other)).toThrow('disk full');
  });
});
