/**
 * Chat-ops without the server: each platform's request check (pure, crypto handed in through
 * the ChatCrypto port), its message parser and reply format, the one command grammar, replay
 * protection, per-workflow authorization and the two-person approval state machine. `drainctl
 * serve` adapts these to HTTP and the use cases; docs/chat-ops.md, "Wiring into serve", lists
 * what it calls. Imports nothing of src/ but the error model and the port types.
 */

export {
  type ApprovalRequest,
  type ApprovalState,
  approve,
  beforeExecution,
  deny,
  expire,
  notStarted,
  type PlanSnapshot,
  requestApproval,
  samePerson,
  type Transition,
} from './approval.js';
export {
  type Authorization,
  type AuthorizedAction,
  approvalTimeLimitMs,
  authorize,
  type ChatPrincipal,
} from './authorize.js';
export {
  CHAT_ACTIONS,
  CHAT_PLATFORMS,
  CHAT_SECRET_VARIABLES,
  type ChatAction,
  type ChatConfig,
  type ChatPlatform,
  type ChatSecrets,
  CONNECTION_PLATFORMS,
  type ConnectionPlatform,
  chatSecretsFromEnv,
  chatSectionSchema,
  configuredGroups,
  connectionPlatforms,
  GROUP_RESOLVING_PLATFORMS,
  type WorkflowChatConfig,
} from './chat-config.js';
export type { ChatCrypto } from './chat-crypto.js';
export type { ChatHttpRequest } from './chat-http-request.js';
export {
  type ChatReply,
  dingtalkReply,
  escapeSlack,
  feishuReply,
  slackReply,
  wecomReply,
} from './chat-reply.js';
export {
  ANSWER_DEADLINE_MS,
  type ChatRequest,
  type ParsedMessage,
  type ReplyHandle,
  sameThread,
  URL_VERIFICATION_DEADLINE_MS,
} from './chat-request.js';
export {
  type ChatCommand,
  type ChatVerb,
  helpText,
  type ParsedCommand,
  parseCommand,
} from './command-grammar.js';
export { isDingtalkSessionWebhook, parseDingtalkMessage } from './dingtalk/dingtalk-message.js';
export {
  DINGTALK_REPLAY_WINDOW_MS,
  type DingtalkSecrets,
  type VerifiedDingtalkRequest,
  verifyDingtalkRequest,
} from './dingtalk/verify-dingtalk.js';
export { parseFeishuEvent } from './feishu/feishu-message.js';
export {
  FEISHU_REPLAY_WINDOW_MS,
  type FeishuSecrets,
  type VerifiedFeishuRequest,
  verifyFeishuRequest,
} from './feishu/verify-feishu.js';
export { nodeChatCrypto } from './node-chat-crypto.js';
export { InMemoryReplayGuard, type ReplayGuard, replayClaimTtlMs } from './replay-guard.js';
export { parseSlackEnvelope, parseSlackMessage } from './slack/slack-message.js';
export {
  SLACK_REPLAY_WINDOW_MS,
  type SlackSecrets,
  type VerifiedSlackRequest,
  verifySlackRequest,
} from './slack/verify-slack.js';
export type { Refusal, RefusalReason } from './verification.js';
export {
  type VerifiedWecomRequest,
  verifyWecomRequest,
  WECOM_REPLAY_WINDOW_MS,
  type WecomSecrets,
} from './wecom/verify-wecom.js';
export { parseWecomMessage } from './wecom/wecom-message.js';
