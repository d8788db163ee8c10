/**
 * Chat-ops on `drainctl serve`: the `/chat/<platform>` endpoints, the commands they carry (on
 * the same use cases as the API), approvals, and progress told in the thread. src/chat holds the
 * platform rules (verification, parsing, grammar, authorization, the approval state machine);
 * this folder adapts them to HTTP, the run registry and the platforms' reply APIs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type ChatConfig,
  type ChatPlatform,
  chatSecretsFromEnv,
  chatSectionSchema,
  InMemoryReplayGuard,
} from '../../chat/index.js';
import { type Logger, registerSecret } from '../../log/index.js';
import type { RunEventHub } from '../events/run-events.js';
import type { RunRegistry } from '../runs/run-registry.js';
import { ApprovalBook } from './approval-book.js';
import { ChatCommands } from './chat-commands.js';
import { handleChatRequest } from './chat-endpoint.js';
import { chatReplyCredentialsFromEnv } from './reply-credentials.js';
import { ReplySender } from './reply-sender.js';
import { RunProgress } from './run-progress.js';

export { isChatPlatform } from './chat-endpoint.js';

export interface ChatOptions {
  /** serve.yaml's `chat` section (absent: no workflow is open to chat). */
  config: ChatConfig | undefined;
  catalog: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  runs: RunRegistry;
  events: RunEventHub;
  now: () => number;
  logger: Logger;
  /** Where people reach this server, when serve.yaml does not say (`chat.publicUrl`). */
  serverUrl: () => string;
}

export interface ChatEndpoints {
  /** The enabled platforms (their secrets are set). */
  platforms: readonly ChatPlatform[];
  handle(
    platform: ChatPlatform,
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
  ): Promise<void>;
  /** Resolves once the commands in progress are answered and the progress so far is sent. */
  settled(): Promise<void>;
}

/**
 * Reads the platform secrets from the environment (InvalidInputError for a half-set platform)
 * and builds the endpoints. A platform whose secrets are not set answers 404.
 */
export function startChat(options: ChatOptions): ChatEndpoints {
  const secrets = chatSecretsFromEnv(options.env);
  for (const platform of Object.values(secrets)) {
    for (const value of Object.values(platform as Record<string, string>)) registerSecret(value);
  }
  const config = options.config ?? chatSectionSchema.parse({});
  const credentials = chatReplyCredentialsFromEnv(options.env, secrets);
  const sender = new ReplySender({ config, credentials, now: options.now, logger: options.logger });
  const pageUrl = (runId: string) =>
    `${(config.publicUrl ?? options.serverUrl()).replace(/\/+$/, '')}/runs/${encodeURIComponent(runId)}`;
  const progress = new RunProgress(options.events, sender, options.logger, pageUrl);
  const commands = new ChatCommands({
    home: options.home,
    config,
    catalog: options.catalog,
    runs: options.runs,
    approvals: new ApprovalBook(options.logger),
    progress,
    sender,
    now: options.now,
    logger: options.logger,
  });
  const replay = new InMemoryReplayGuard();
  const inFlight = new Set<Promise<void>>();
  return {
    platforms: (Object.keys(secrets) as ChatPlatform[]).sort(),
    handle: (platform, request, response, url) =>
      handleChatRequest(platform, request, response, url, {
        secrets,
        replay,
        now: options.now,
        logger: options.logger,
        act(chatRequest) {
          const done = commands.handle(chatRequest).finally(() => inFlight.delete(done));
          inFlight.add(done);
        },
      }),
    async settled() {
      await Promise.all([...inFlight]);
      await progress.settled();
    },
  };
}
