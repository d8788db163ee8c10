/**
 * Stand-ins for the chat platforms drainctl serve talks to (docs/emulator.md, "Chat
 * platforms"): they send users' messages signed and encrypted as each platform does, and record
 * the replies drainctl sends back. Never imports src/.
 */
export {
  type ChatPlatformSecrets,
  type ChatPlatforms,
  type PlatformName,
  type RecordedReply,
  type SentMessage,
  startChatPlatforms,
} from './chat-platforms.js';
export { DINGTALK_ROBOT_TOPIC, type DingtalkStreamStandIn } from './dingtalk-stream.js';
export type { FeishuLongConnectionStandIn } from './feishu-long-connection.js';
export {
  type Delivery,
  dingtalkDelivery,
  feishuDelivery,
  slackDelivery,
  type WecomKeys,
  wecomDelivery,
  wecomEncrypt,
  wecomUrlCheck,
} from './platform-signing.js';
export type { SlackEnvelopeType, SlackSocketModeStandIn } from './slack-socket-mode.js';
