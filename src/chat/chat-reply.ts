/**
 * One answer, rendered for each platform: Slack blocks in mrkdwn (buttons carry the command they
 * stand for), DingTalk markdown, a Feishu interactive card, WeCom markdown. User-supplied text is
 * escaped where the platform's markup would otherwise act on it (a Slack `<!channel>` must not
 * ping a channel).
 */

export interface ChatReply {
  title: string;
  lines: readonly string[];
  /** Buttons where the platform has them; elsewhere "reply `command`" lines. */
  actions?: readonly { label: string; command: string }[];
}

/** Slack: `&`, `<` and `>` are its markup's control characters. */
export function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function slackReply(reply: ChatReply): Record<string, unknown> {
  const blocks: Record<string, unknown>[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: [`*${escapeSlack(reply.title)}*`, ...reply.lines.map(escapeSlack)].join('\n'),
      },
    },
  ];
  if (reply.actions !== undefined && reply.actions.length > 0) {
    blocks.push({
      type: 'actions',
      elements: reply.actions.map((action, index) => ({
        type: 'button',
        action_id: `drainctl-${index}`,
        text: { type: 'plain_text', text: action.label },
        value: action.command,
      })),
    });
  }
  return { response_type: 'in_channel', text: reply.title, blocks };
}

function actionLines(reply: ChatReply): string[] {
  return (reply.actions ?? []).map((action) => `${action.label}: reply \`${action.command}\``);
}

/** DingTalk and WeCom markdown: no raw HTML is rendered; `<` is shown as is. */
export function dingtalkReply(reply: ChatReply): Record<string, unknown> {
  return {
    msgtype: 'markdown',
    markdown: {
      title: reply.title,
      text: [`### ${reply.title}`, '', ...reply.lines, ...actionLines(reply)].join('\n\n'),
    },
  };
}

export function wecomReply(
  reply: ChatReply,
  toUser: string,
  agentId?: string,
): Record<string, unknown> {
  return {
    touser: toUser,
    msgtype: 'markdown',
    ...(agentId === undefined ? {} : { agentid: Number(agentId) }),
    markdown: { content: [`**${reply.title}**`, ...reply.lines, ...actionLines(reply)].join('\n') },
  };
}

/**
 * The body of Feishu's reply-message API: an interactive card (its content is a JSON string).
 * Card buttons call back to a separate card-callback URL, so actions are written as replies.
 */
export function feishuReply(reply: ChatReply): Record<string, unknown> {
  const card = {
    config: { wide_screen_mode: true },
    header: { title: { tag: 'plain_text', content: reply.title } },
    elements: [{ tag: 'markdown', content: [...reply.lines, ...actionLines(reply)].join('\n') }],
  };
  return { msg_type: 'interactive', content: JSON.stringify(card) };
}
