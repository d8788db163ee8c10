/**
 * The Slack user groups a sender belongs to, among those serve.yaml names: each named group's
 * members from `usergroups.users.list` (bot token, scope `usergroups:read`), kept for a few
 * minutes so a busy channel does not spend Slack's rate limit (Tier 2, 20+ a minute). Any group
 * that cannot be read fails the whole look-up: a caller refuses rather than judge on half.
 */
import type { ChatConfig } from '../../chat/index.js';
import { DrainctlError } from '../../errors/index.js';
import { platformBaseUrl, requestPlatformJson } from './platform-request.js';

/** Membership changes reach authorization within this long. */
export const GROUP_MEMBERS_TTL_MS = 5 * 60_000;

/** A platform would not say which groups a sender is in: the command is refused, saying why. */
export class ChatGroupsError extends DrainctlError {
  constructor(what: string, options: { cause?: unknown } = {}) {
    super('CHAT_GROUPS_UNRESOLVED', what, options);
  }
}

export interface SlackUserGroupsOptions {
  config: ChatConfig;
  /** The user group ids serve.yaml names (S…). */
  groupIds: readonly string[];
  botToken: string;
  now: () => number;
  fetch?: typeof fetch;
}

export class SlackUserGroups {
  private readonly members = new Map<string, { users: Set<string>; expiresAtMs: number }>();
  private readonly fetch: typeof fetch;

  constructor(private readonly options: SlackUserGroupsOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** The named groups `userId` is in; throws ChatGroupsError when Slack does not tell. */
  async groupsOf(userId: string): Promise<string[]> {
    const groups: string[] = [];
    for (const groupId of this.options.groupIds) {
      if ((await this.membersOf(groupId)).has(userId)) groups.push(groupId);
    }
    return groups;
  }

  private async membersOf(groupId: string): Promise<Set<string>> {
    const cached = this.members.get(groupId);
    if (cached !== undefined && cached.expiresAtMs > this.options.now()) return cached.users;
    const url = `${platformBaseUrl(this.options.config, 'slack')}/api/usergroups.users.list?usergroup=${encodeURIComponent(groupId)}`;
    const answer = await requestPlatformJson(
      this.fetch,
      url,
      { method: 'GET', headers: { authorization: `Bearer ${this.options.botToken}` } },
      (json) => (json.ok === true ? undefined : String(json.error ?? 'not ok')),
      (what, cause) =>
        new ChatGroupsError(
          `slack user group ${groupId}: ${what}`,
          cause === undefined ? {} : { cause },
        ),
    );
    const users = new Set(
      Array.isArray(answer.users)
        ? answer.users.filter((user): user is string => typeof user === 'string')
        : [],
    );
    this.members.set(groupId, { users, expiresAtMs: this.options.now() + GROUP_MEMBERS_TTL_MS });
    return users;
  }
}
