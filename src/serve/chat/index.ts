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
  type ChatRequest,
  type ChatSecrets,
  type ConnectionPlatform,
  chatSecretsFromEnv,
  chatSectionSchema,
  configuredGroups,
  connectionPlatforms,
  type ReplayGuard,
  replayClaimTtlMs,
} from '../../chat/index.js';
import { InvalidInputError } from '../../errors/index.js';
import { type Logger, registerSecret } from '../../log/index.js';
import type { SharedStorage } from '../../ports/index.js';
import type { RunEventHub } from '../events/run-events.js';
import type { RunRegistry } from '../runs/run-registry.js';
import { ApprovalBook } from './approval-book.js';
import { DatabaseApprovalStore, FileApprovalStore } from './approval-store.js';
import { ChatCommands, type GroupDirectory } from './chat-commands.js';
import { handleChatRequest } from './chat-endpoint.js';
import type { ChatConnection, ConnectionInbox } from './connections/chat-connection.js';
import {
  CHAT_CONNECTION_VARIABLES,
  connectionCredentialsFromEnv,
} from './connections/connection-credentials.js';
import { openConnection } from './connections/open-connection.js';
import { claimDelivery } from './delivery-claim.js';
import { DingtalkDepartments } from './dingtalk-departments.js';
import { FileReplayGuard } from './file-replay-guard.js';
import {
  CHAT_REPLY_VARIABLES,
  type ChatReplyCredentials,
  chatReplyCredentialsFromEnv,
} from './reply-credentials.js';
import { ReplySender } from './reply-sender.js';
import { RunProgress } from './run-progress.js';
import { SlackUserGroups } from './slack-user-groups.js';

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
  /**
   * Replicas: deliveries are claimed and approval requests kept in the database, so two replicas
   * act on a message once and a request asked through one is decided through any.
   */
  shared?: SharedStorage;
}

export interface ChatEndpoints {
  /** The platforms whose HTTP endpoint answers (their secrets are set, not in connection mode). */
  platforms: readonly ChatPlatform[];
  /** The platforms serve.yaml puts in connection mode. */
  connections: readonly ChatPlatform[];
  handle(
    platform: ChatPlatform,
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
  ): Promise<void>;
  /** Opens the connection-mode platforms' connections (their SDKs load now). */
  connect(): Promise<void>;
  /** Closes them: nothing more is received. */
  disconnect(): Promise<void>;
  /** Resolves once the commands in progress are answered and the progress so far is sent. */
  settled(): Promise<void>;
}

/**
 * Reads the platform secrets from the environment (InvalidInputError for a half-set platform)
 * and builds the endpoints. A platform whose secrets are not set answers 404.
 */
export async function startChat(options: ChatOptions): Promise<ChatEndpoints> {
  const allSecrets = chatSecretsFromEnv(options.env);
  for (const platform of Object.values(allSecrets)) {
    for (const value of Object.values(platform as Record<string, string>)) registerSecret(value);
  }
  const config = options.config ?? chatSectionSchema.parse({});
  const connected = connectionPlatforms(config);
  const connectionCredentials = connectionCredentialsFromEnv(options.env, connected);
  // A platform in connection mode has no HTTP endpoint: for DingTalk that closes the door its
  // timestamp-only signature leaves open.
  const secrets: ChatSecrets = Object.fromEntries(
    Object.entries(allSecrets).filter(([platform]) => !(connected as string[]).includes(platform)),
  );
  const credentials = chatReplyCredentialsFromEnv(options.env, secrets, connected);
  const sender = new ReplySender({ config, credentials, now: options.now, logger: options.logger });
  const pageUrl = (runId: string) =>
    `${(config.publicUrl ?? options.serverUrl()).replace(/\/+$/, '')}/runs/${encodeURIComponent(runId)}`;
  const progress = new RunProgress(options.events, sender, options.logger, pageUrl);
  // Pending approvals and claimed deliveries outlive a restart (docs/chat-ops.md, "State").
  const approvals = new ApprovalBook(
    options.logger,
    options.shared === undefined
      ? await FileApprovalStore.open(options.home, options.logger, options.now())
      : await DatabaseApprovalStore.open(options.shared.approvals),
  );
  const groups = groupDirectories(config, secrets, connected, credentials, options);
  const commands = new ChatCommands({
    home: options.home,
    config,
    catalog: options.catalog,
    runs: options.runs,
    approvals,
    progress,
    sender,
    now: options.now,
    logger: options.logger,
    groups,
    ...(options.shared === undefined ? {} : { shared: options.shared }),
  });
  const replay: ReplayGuard = options.shared?.deliveryClaims ?? new FileReplayGuard(options.home);
  const inFlight = new Set<Promise<void>>();
  const act = (chatRequest: ChatRequest) => {
    const done = commands.handle(chatRequest).finally(() => inFlight.delete(done));
    inFlight.add(done);
  };
  const open: ChatConnection[] = [];
  return {
    platforms: (Object.keys(secrets) as ChatPlatform[]).sort(),
    connections: connected,
    handle: (platform, request, response, url) =>
      handleChatRequest(platform, request, response, url, {
        secrets,
        replay,
        now: options.now,
        logger: options.logger,
        act,
      }),
    async connect() {
      const inbox = connectionInbox(replay, options.now, options.logger, act);
      for (const platform of connected) {
        open.push(
          await openConnection(platform, connectionCredentials, {
            inbox,
            logger: options.logger,
            apiBaseUrl: config.platforms[platform]?.apiBaseUrl,
          }),
        );
        options.logger.info({ platform }, `chat: ${platform} connection mode on`);
      }
    },
    async disconnect() {
      await Promise.all(open.splice(0).map((connection) => connection.close()));
    },
    async settled() {
      await Promise.all([...inFlight]);
      await progress.settled();
      await approvals.flushed();
    },
  };
}

/**
 * Messages from the long connections: no verifier runs (the SDK authenticated the connection),
 * so the event id is the one key claimed, kept as long as the longest replay window's claims.
 */
function connectionInbox(
  replay: ReplayGuard,
  now: () => number,
  logger: Logger,
  act: (request: ChatRequest) => void,
): ConnectionInbox {
  return {
    async receive(platform, parsed) {
      if (!parsed.ok || parsed.kind !== 'request') return 'ignored';
      const { request } = parsed;
      const first = await claimDelivery(
        replay,
        { platform, eventId: request.eventId },
        now(),
        replayClaimTtlMs(0),
      );
      if (!first) {
        logger.info(
          { platform, eventId: request.eventId },
          `chat delivery ${platform}:${request.eventId} seen before: acknowledged, not acted on`,
        );
        return 'seen-before';
      }
      setImmediate(() => act(request));
      return 'acted';
    },
  };
}

/**
 * The platforms whose senders' groups serve reads, for the enabled platforms serve.yaml names
 * groups on. Slack's look-up needs the bot token, DingTalk's the app's AppKey and AppSecret:
 * groups without them are refused at start.
 */
function groupDirectories(
  config: ChatConfig,
  secrets: ChatSecrets,
  connected: readonly ConnectionPlatform[],
  credentials: ChatReplyCredentials,
  options: Pick<ChatOptions, 'env' | 'now'>,
): Partial<Record<ChatPlatform, GroupDirectory>> {
  const named = (platform: ConnectionPlatform) => {
    const on = secrets[platform] !== undefined || connected.includes(platform);
    return on ? configuredGroups(config, platform) : [];
  };
  const directories: Partial<Record<ChatPlatform, GroupDirectory>> = {};
  const slackGroups = named('slack');
  if (slackGroups.length > 0) {
    const botToken = credentials.slack?.botToken;
    if (botToken === undefined) {
      throw new InvalidInputError('chat: slack groups need the bot token to be read', {
        path: CHAT_REPLY_VARIABLES.slackBotToken,
        expected: `a bot token with the usergroups:read scope (serve.yaml names slack groups ${slackGroups.join(', ')})`,
        found: `${CHAT_REPLY_VARIABLES.slackBotToken} unset`,
      });
    }
    directories.slack = new SlackUserGroups({
      config,
      groupIds: slackGroups,
      botToken,
      now: options.now,
    });
  }
  if (named('dingtalk').length > 0) {
    const { clientId, clientSecret } = CHAT_CONNECTION_VARIABLES.dingtalk;
    const appKey = options.env[clientId];
    const appSecret = options.env[clientSecret];
    if (!appKey || !appSecret) {
      throw new InvalidInputError('chat: dingtalk departments need the app key to be read', {
        path: clientId,
        expected: `${clientId} and ${clientSecret} of the app (serve.yaml names dingtalk groups)`,
        found: `${!appKey ? clientId : clientSecret} unset`,
      });
    }
    registerSecret(appSecret);
    directories.dingtalk = new DingtalkDepartments({ config, appKey, appSecret, now: options.now });
  }
  return directories;
}
