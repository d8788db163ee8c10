/**
 * The long connections serve opens to the chat platforms that offer one (docs/chat-ops.md,
 * "Modes without a public endpoint"). Each adapter turns its SDK's deliveries into the same
 * ParsedMessage the HTTP endpoint's parser makes and hands it to the inbox, which claims it in
 * the replay guard and runs the command as for HTTP. The SDKs are heavy: each adapter is
 * imported only when serve.yaml puts its platform in connection mode.
 */
import type { ConnectionPlatform, ParsedMessage } from '../../../chat/index.js';
import { DrainctlError } from '../../../errors/index.js';
import type { Logger } from '../../../log/index.js';

/** A platform's connection could not be opened or was refused (logged; the SDK retries). */
export class ChatConnectionError extends DrainctlError {
  constructor(platform: ConnectionPlatform, what: string, options: { cause?: unknown } = {}) {
    super('CHAT_CONNECTION_FAILED', `${platform}: ${what}`, options);
  }
}

export interface ChatConnection {
  readonly platform: ConnectionPlatform;
  /** Stops receiving and reconnecting; resolves once the connection is closed. */
  close(): Promise<void>;
}

/** What became of a delivery: acted on, a retry or replay of one acted on, or not a command. */
export type Receipt = 'acted' | 'seen-before' | 'ignored';

export interface ConnectionInbox {
  /**
   * Claims the message and starts its command. Resolves once it is claimed (so the delivery may
   * be acknowledged), before the command has run; rejects when the claim could not be stored.
   */
  receive(platform: ConnectionPlatform, parsed: ParsedMessage): Promise<Receipt>;
}

export interface ConnectionOptions {
  inbox: ConnectionInbox;
  logger: Logger;
  /** serve.yaml's `chat.platforms.<p>.apiBaseUrl`: where the gateway is (tests: mocks/). */
  apiBaseUrl: string | undefined;
}
