/**
 * Follows a remote access log with `tail -n 0 -F` over SSH: the remote tail handles rotation
 * and truncation by name; lines are split on bytes here as they arrive. While the connection
 * is down the follower is unavailable (the drain decision does not run blind) and reconnects
 * with backoff on the injected clock; lines written during the outage are not replayed.
 */
import type { Client, ClientChannel } from 'ssh2';
import { connectSsh, type SshTarget } from '../../adapters/ssh/ssh-connection.js';
import { openExec, shellQuote } from '../../adapters/ssh/ssh-exec.js';
import { DrainctlError } from '../../errors/index.js';
import type { Clock } from '../../ports/index.js';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './line-splitter.js';
import type { FollowerSink, LogFollower } from './log-follower.js';

export interface SshFollowerOptions {
  clock: Clock;
  maxLineBytes?: number;
  /** First reconnect delay; doubles up to 30 s. */
  reconnectDelayMs?: number;
  connectTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Open the follower; rejects when the first connection fails (wrong host key, no key …). */
export async function openSshFollower(
  target: SshTarget,
  path: string,
  sink: FollowerSink,
  options: SshFollowerOptions,
): Promise<LogFollower> {
  const follower = new SshFollower(target, path, sink, options);
  await follower.connect();
  return follower;
}

class SshFollower implements LogFollower {
  private client: Client | undefined;
  private channel: ClientChannel | undefined;
  private fileMissing = false;
  private closed = false;
  private reconnecting: Promise<void> | undefined;
  private splitter: LineSplitter;
  private readonly stop = new AbortController();
  availableSince = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly target: SshTarget,
    private readonly path: string,
    private readonly sink: FollowerSink,
    private readonly options: SshFollowerOptions,
  ) {
    this.splitter = new LineSplitter(sink.onLine, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  }

  get available(): boolean {
    return this.channel !== undefined && !this.fileMissing;
  }

  async connect(): Promise<void> {
    const client = await connectSsh(this.target, {
      signal: this.stop.signal,
      ...(this.options.connectTimeoutMs !== undefined
        ? { timeoutMs: this.options.connectTimeoutMs }
        : {}),
      ...(this.options.env ? { env: this.options.env } : {}),
    });
    let channel: ClientChannel;
    try {
      // -n 0: start at the end; -F: follow the name through rotation, retry while missing.
      channel = await openExec(client, `exec tail -n 0 -F -- ${shellQuote(this.path)}`);
    } catch (error) {
      client.end();
      throw error;
    }
    this.client = client;
    this.channel = channel;
    this.availableSince = this.options.clock.monotonic();
    this.splitter = new LineSplitter(
      this.sink.onLine,
      this.options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    );
    channel.on('data', (chunk: Buffer) => {
      this.sink.beginBatch();
      this.splitter.push(chunk);
      this.sink.endBatch();
    });
    channel.stderr.on('data', (chunk: Buffer) => this.onTailMessage(chunk.toString('utf8')));
    const lost = () => this.onLost(client, channel);
    channel.on('close', lost);
    client.on('close', lost);
    client.on('error', () => {}); // 'close' follows; the reconnect loop reports
  }

  async poll(): Promise<void> {
    // Lines are pushed as they arrive; nothing to pull.
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stop.abort(new Error('follower closed'));
    this.channel?.close();
    this.client?.end();
    this.channel = undefined;
    this.client = undefined;
    await this.reconnecting?.catch(() => {});
  }

  /** GNU tail reports rotation and absence on stderr; they become timeline events. */
  private onTailMessage(text: string): void {
    for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
      const message = line.replace(/^tail: /, '');
      if (/cannot open|inaccessible|No such file/.test(message)) {
        this.fileMissing = true;
        this.sink.event({ type: 'missing', detail: `remote ${message}` });
      } else if (/has appeared|following new file|has been replaced/.test(message)) {
        if (this.fileMissing) this.availableSince = this.options.clock.monotonic();
        this.fileMissing = false;
        this.sink.event({ type: 'rotated', detail: `remote ${message}` });
      } else if (/truncated/.test(message)) {
        if (this.splitter.discardPartial()) this.sink.droppedPartial();
        this.sink.event({ type: 'truncated', detail: `remote ${message}` });
      } else {
        this.sink.event({ type: 'note', detail: `remote tail: ${message}` });
      }
    }
  }

  private onLost(client: Client, channel: ClientChannel): void {
    if (this.closed || this.channel !== channel) return;
    this.channel = undefined;
    this.client = undefined;
    client.end();
    if (this.splitter.discardPartial()) this.sink.droppedPartial();
    this.sink.event({
      type: 'disconnected',
      detail: `SSH connection to ${this.target.host} lost; reconnecting`,
    });
    this.reconnecting = this.reconnect();
  }

  private async reconnect(): Promise<void> {
    let delay = this.options.reconnectDelayMs ?? 1000;
    while (!this.closed) {
      try {
        await this.options.clock.sleep(delay, this.stop.signal);
        await this.connect();
        this.sink.event({
          type: 'connected',
          detail: `SSH connection to ${this.target.host} back; following from the end again`,
        });
        return;
      } catch (error) {
        if (this.closed) return;
        if (error instanceof DrainctlError && !error.retryable) {
          this.sink.event({ type: 'note', detail: `giving up reconnecting: ${error.message}` });
          return;
        }
        delay = Math.min(delay * 2, 30_000);
      }
    }
  }
}
