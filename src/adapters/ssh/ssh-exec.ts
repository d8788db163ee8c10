/**
 * Running commands on an open SSH connection: to completion (exit code and bounded output) or
 * as a stream (`tail -F`).
 */
import type { Client, ClientChannel } from 'ssh2';
import { DrainctlError } from '../../errors/index.js';
import { tailFromLineStart } from '../../log/index.js';
import { setLongTimeout } from '../long-timer.js';

export interface ExecResult {
  /** null when the command never reported one (killed, connection lost). */
  exitCode: number | null;
  signal?: string;
  /**
   * stdout and stderr interleaved as they arrived; at most the last `maxOutputBytes`, from a
   * line start when anything was cut.
   */
  output: string;
  timedOut: boolean;
  /** The connection went away before the command finished. */
  disconnected: boolean;
}

/** Quote a word for a POSIX shell. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function openExec(client: Client, command: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error)
        reject(
          new DrainctlError('SSH_EXEC_FAILED', `SSH exec failed: ${error.message}`, {
            cause: error,
            retryable: true,
          }),
        );
      else resolve(channel);
    });
  });
}

/** Run `command` and wait for it; never rejects once the command has started. */
export async function execCommand(
  client: Client,
  command: string,
  options: { timeoutMs: number; signal?: AbortSignal; maxOutputBytes?: number },
): Promise<ExecResult> {
  const channel = await openExec(client, command);
  const limit = options.maxOutputBytes ?? 64 * 1024;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let dropped = false;
    let exitCode: number | null = null;
    let signal: string | undefined;
    let timedOut = false;
    let done = false;
    const keep = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      while (size - (chunks[0]?.length ?? 0) >= limit && chunks.length > 1) {
        size -= chunks.shift()?.length ?? 0;
        dropped = true;
      }
    };
    const finish = (disconnected: boolean) => {
      if (done) return;
      done = true;
      timer.clear();
      options.signal?.removeEventListener('abort', onAbort);
      client.removeListener('close', onClientClose);
      const all = Buffer.concat(chunks);
      const cut = Math.max(0, all.length - limit);
      resolve({
        exitCode,
        ...(signal !== undefined ? { signal } : {}),
        // Masked later: cut at a line start, never inside a secret (output-tail.ts).
        output: tailFromLineStart(all.subarray(cut), dropped || cut > 0),
        timedOut,
        disconnected,
      });
    };
    const stop = () => {
      channel.signal('KILL');
      channel.close();
    };
    const timer = setLongTimeout(() => {
      timedOut = true;
      stop();
      finish(false);
    }, options.timeoutMs);
    const onAbort = () => {
      stop();
      finish(false);
    };
    const onClientClose = () => finish(true);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    client.once('close', onClientClose);
    channel.on('data', keep);
    channel.stderr.on('data', keep);
    channel.on('exit', (code: number | null, signalName?: string) => {
      exitCode = code;
      if (signalName) signal = signalName;
    });
    channel.on('close', () => finish(exitCode === null && signal === undefined));
  });
}
