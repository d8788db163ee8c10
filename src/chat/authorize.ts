/**
 * One authorization rule for chat: (who, action, workflow, config) → allowed, or refused with
 * what the person lacks, phrased for the chat reply and the journal. `deny` is the approvers'
 * decision; `status` is open to anyone listed for the workflow in any role.
 */
import type { ChatAction, ChatConfig, ChatPlatform } from './chat-config.js';

export interface ChatPrincipal {
  platform: ChatPlatform;
  userId: string;
  /** Groups or departments the platform reported for the sender, when it reports them. */
  groups?: readonly string[];
  /** Why the sender's groups could not be read: a refusal says so (groups never grant then). */
  groupsUnresolved?: string;
}

export type AuthorizedAction = ChatAction | 'deny' | 'status';

export type Authorization = { allowed: true } | { allowed: false; lacks: string };

export function authorize(
  principal: ChatPrincipal,
  action: AuthorizedAction,
  workflow: string,
  config: ChatConfig,
): Authorization {
  const rules = Object.hasOwn(config.workflows, workflow) ? config.workflows[workflow] : undefined;
  if (rules === undefined) {
    return {
      allowed: false,
      lacks: `${workflow} is not open to chat (no chat.workflows.${workflow})`,
    };
  }
  const roles: readonly ChatAction[] =
    action === 'status'
      ? ['plan', 'run', 'approve', 'abort']
      : [action === 'deny' ? 'approve' : action];
  if (roles.some((role) => listed(principal, rules[role]))) return { allowed: true };
  const what = action === 'status' ? 'any role' : `the ${roles[0]} permission`;
  return {
    allowed: false,
    lacks:
      principal.groupsUnresolved === undefined
        ? `${what} on ${workflow}: ${principal.platform} user ${principal.userId} is not listed (nor any of their groups)`
        : `${what} on ${workflow}: ${principal.platform} user ${principal.userId} is not listed, and their groups could not be read (${principal.groupsUnresolved})`,
  };
}

function listed(
  principal: ChatPrincipal,
  people: ChatConfig['workflows'][string]['plan'],
): boolean {
  const onPlatform = people[principal.platform];
  if (onPlatform === undefined) return false;
  if (onPlatform.users.includes(principal.userId)) return true;
  return (principal.groups ?? []).some((group) => onPlatform.groups.includes(group));
}

/** How long a request for `workflow` waits for approval. */
export function approvalTimeLimitMs(workflow: string, config: ChatConfig): number {
  const rules = Object.hasOwn(config.workflows, workflow) ? config.workflows[workflow] : undefined;
  return (rules?.approvalTimeLimitMinutes ?? config.approvalTimeLimitMinutes) * 60_000;
}
