/**
 * One chat message, whatever the platform: who sent it, where, how to answer in the same thread,
 * the text for the command grammar and the event id for the replay guard. Each platform's
 * parser produces it from a verified request; nothing unverified ever becomes one.
 */
import type { ChatPlatform } from './chat-config.js';

/** How to answer in the thread the message came from, per platform. */
export type ReplyHandle =
  | {
      platform: 'slack';
      channel: string;
      /** The thread to answer in (absent for a slash command outside a thread). */
      threadTs?: string;
      /** Slash commands and interactive payloads: answers for 30 minutes, 5 times. */
      responseUrl?: string;
    }
  | {
      platform: 'dingtalk';
      conversationId: string;
      /** The per-conversation webhook DingTalk hands each message, until it expires. */
      sessionWebhook: string;
      sessionWebhookExpiresAtMs?: number;
    }
  | {
      platform: 'feishu';
      chatId: string /** Replied to with the reply-message API. */;
      messageId: string;
    }
  | { platform: 'wecom'; toUser: string; agentId?: string };

/**
 * Whether two handles answer into the same thread (what people see as one conversation), so a
 * message meant for both is sent once: Slack by channel and thread, DingTalk by conversation,
 * Feishu by chat, WeCom by the user written to. Handles are compared by value: one read back
 * from the approval store after a restart is another object.
 */
export function sameThread(a: ReplyHandle, b: ReplyHandle): boolean {
  switch (a.platform) {
    case 'slack':
      return b.platform === 'slack' && a.channel === b.channel && a.threadTs === b.threadTs;
    case 'dingtalk':
      return b.platform === 'dingtalk' && a.conversationId === b.conversationId;
    case 'feishu':
      return b.platform === 'feishu' && a.chatId === b.chatId;
    case 'wecom':
      return b.platform === 'wecom' && a.toUser === b.toUser;
  }
}

export interface ChatRequest {
  platform: ChatPlatform;
  user: { id: string; name?: string };
  /** Groups or departments, when serve has resolved them. */
  groups?: readonly string[];
  /** Why serve could not read the sender's groups (the platform's API failed). */
  groupsUnresolved?: string;
  channel: string;
  reply: ReplyHandle;
  text: string;
  eventId: string;
}

export type ParsedMessage =
  | { ok: true; kind: 'request'; request: ChatRequest }
  /** Slack's Events API URL check arrives signed, as an event. */
  | { ok: true; kind: 'url-verification'; challenge: string }
  /** Verified but not a command (another event type, a bot's own message, an image): answer 200, do nothing. */
  | { ok: false; ignored: string };

export function ignored(why: string): ParsedMessage {
  return { ok: false, ignored: why };
}

/**
 * How soon each platform wants its HTTP answer (then follow up through the reply APIs):
 * Slack 3 s (then it shows an error and retries events); Feishu 3 s for events and 1 s for
 * url_verification; WeCom 5 s (then retries three times) and 1 s for the GET URL check;
 * DingTalk documents none for its outgoing robot, so answer at once as well.
 */
export const ANSWER_DEADLINE_MS: Readonly<Record<ChatPlatform, number>> = {
  slack: 3000,
  dingtalk: 3000,
  feishu: 3000,
  wecom: 5000,
};
export const URL_VERIFICATION_DEADLINE_MS = 1000;
