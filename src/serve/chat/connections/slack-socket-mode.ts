/**
 * Slack Socket Mode through the official SDK (`@slack/socket-mode`): `apps.connections.open`
 * with the app-level token hands out a WebSocket URL, and Slack sends over it the same slash
 * commands, button clicks and Events API callbacks it would POST to `/chat/slack`, each in an
 * envelope serve acknowledges with its `envelope_id`. The payload is read by the HTTP path's
 * parser (`parseSlackEnvelope`), claimed and acted on like an HTTP one; answers go to the
 * command's `response_url` or, with the bot token, `chat.postMessage`, as over HTTP.
 *
 * The SDK's Web API base is `<apiBaseUrl>/api/` (tests: mocks/), and its log lines go to
 * serve's logger: its default logger writes to the console, and serve's stdout carries only
 * its `listening=` line. Reconnecting (after Slack's `disconnect` or a lost pong) is the SDK's.
 */
import { LogLevel, type Logger as SlackLogger, SocketModeClient } from '@slack/socket-mode';
import { parseSlackEnvelope } from '../../../chat/index.js';
import type { Logger } from '../../../log/index.js';
import type { ChatConnection, ConnectionOptions } from './chat-connection.js';

const DEFAULT_API_BASE_URL = 'https://slack.com';
/** The envelopes that carry what the HTTP endpoint takes; the others are acknowledged only. */
const ENVELOPE_TYPES = ['slash_commands', 'interactive', 'events_api'] as const;

interface SlackEnvelope {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  envelope_id?: string;
  type?: string;
  body?: unknown;
}

export function openSlackSocketMode(
  credentials: { appToken: string },
  options: ConnectionOptions,
): ChatConnection {
  const base = (options.apiBaseUrl ?? DEFAULT_API_BASE_URL).replace(/\/+$/, '');
  const client = new SocketModeClient({
    appToken: credentials.appToken,
    logger: slackLogger(options.logger),
    clientOptions: { slackApiUrl: `${base}/api/` },
  });
  client.on('slack_event', (envelope: SlackEnvelope) => {
    void receive(envelope, options);
  });
  client.on('connected', () => {
    options.logger.info({ platform: 'slack' }, 'chat: the Slack Socket Mode connection is up');
  });
  client.on('reconnecting', () => {
    options.logger.info({ platform: 'slack' }, 'chat: Slack Socket Mode reconnecting');
  });
  // serve listens without waiting for Slack: the SDK retries an unreachable Slack by itself;
  // what it gives up on (a token Slack refuses) leaves Socket Mode off until serve restarts.
  // The SDK's reconnect calls `this.start` from a timer without a catch, so a token revoked
  // between two connections would reject unhandled and stop serve, mid-night: every start,
  // the first and the SDK's own, goes through this one that logs instead.
  const startOnce = client.start.bind(client);
  const start = () =>
    startOnce().catch((error: unknown) => {
      options.logger.error(
        { err: error, platform: 'slack' },
        'chat: Slack refused the Socket Mode connection (check DRAINCTL_SLACK_APP_TOKEN); Slack is off until serve restarts',
      );
      return undefined;
    });
  Object.assign(client, { start });
  void start();
  return {
    platform: 'slack',
    async close() {
      await client.disconnect();
    },
  };
}

/**
 * One envelope: claimed, then acknowledged (Slack sends an unacknowledged one again, and shows
 * the user an error after 3 seconds), then acted on. A claim that could not be stored is not
 * acknowledged, so Slack delivers it again.
 */
async function receive(envelope: SlackEnvelope, options: ConnectionOptions): Promise<void> {
  const type = ENVELOPE_TYPES.find((known) => known === envelope.type);
  try {
    if (type !== undefined) {
      await options.inbox.receive('slack', parseSlackEnvelope(type, envelope.body));
    }
    await envelope.ack();
  } catch (error) {
    options.logger.warn(
      { err: error, platform: 'slack', envelopeId: envelope.envelope_id },
      'chat: a Slack Socket Mode envelope could not be taken; Slack will send it again',
    );
  }
}

/** The SDK's logger interface on serve's logger; its debug lines (whole payloads) are dropped. */
function slackLogger(logger: Logger): SlackLogger {
  const line = (parts: unknown[]) => `chat: slack socket mode: ${parts.map(String).join(' ')}`;
  return {
    debug: () => undefined,
    info: (...parts: unknown[]) => logger.info({ platform: 'slack' }, line(parts)),
    warn: (...parts: unknown[]) => logger.warn({ platform: 'slack' }, line(parts)),
    error: (...parts: unknown[]) => logger.warn({ platform: 'slack' }, line(parts)),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}
