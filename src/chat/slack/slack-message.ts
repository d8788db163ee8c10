/**
 * A verified Slack body as a ChatRequest: a slash command (form-encoded), an interactive
 * payload (a button of ours: `payload=` JSON whose action value is the command), or an Events
 * API callback (`app_mention`, or a direct `message`); Slack's URL check is answered.
 */
import { type ChatRequest, ignored, type ParsedMessage } from '../chat-request.js';
import { isObject, objectField, parseObject, stringField } from '../json-object.js';

export function parseSlackMessage(body: string): ParsedMessage {
  return body.trimStart().startsWith('{') ? parseEvent(body) : parseForm(new URLSearchParams(body));
}

/**
 * A Socket Mode envelope's payload: the same slash command (as fields, not a form), button
 * click or Events API callback the HTTP endpoint receives, read by the same rules.
 */
export function parseSlackEnvelope(
  type: 'slash_commands' | 'interactive' | 'events_api',
  payload: unknown,
): ParsedMessage {
  if (!isObject(payload)) return ignored(`a ${type} envelope without a payload`);
  switch (type) {
    case 'slash_commands': {
      const form = new URLSearchParams();
      for (const [key, value] of Object.entries(payload)) {
        if (typeof value === 'string') form.set(key, value);
      }
      return form.has('payload')
        ? ignored('a slash command with a payload field')
        : parseForm(form);
    }
    case 'interactive':
      return parseInteractive(JSON.stringify(payload));
    case 'events_api':
      return parseEvent(JSON.stringify(payload));
  }
}

function parseForm(form: URLSearchParams): ParsedMessage {
  const payload = form.get('payload');
  if (payload !== null) return parseInteractive(payload);
  const user = form.get('user_id');
  const channel = form.get('channel_id');
  const triggerId = form.get('trigger_id');
  if (user === null || channel === null || triggerId === null || form.get('command') === null) {
    return ignored('a form body that is not a slash command');
  }
  return request({
    user: { id: user, ...optionalName(form.get('user_name')) },
    channel,
    reply: { platform: 'slack', channel, ...optional('responseUrl', form.get('response_url')) },
    text: form.get('text') ?? '',
    eventId: triggerId,
  });
}

function parseInteractive(text: string): ParsedMessage {
  const payload = parseObject(text);
  if (payload === undefined || stringField(payload, 'type') !== 'block_actions') {
    return ignored('an interactive payload that is not a button');
  }
  const user = stringField(objectField(payload, 'user'), 'id');
  const channel = stringField(objectField(payload, 'channel'), 'id');
  const triggerId = stringField(payload, 'trigger_id');
  const actions = payload.actions;
  const action = Array.isArray(actions) && actions.length === 1 ? actions[0] : undefined;
  const command = stringField(action, 'value');
  if (
    user === undefined ||
    channel === undefined ||
    triggerId === undefined ||
    command === undefined
  ) {
    return ignored('a button payload without user, channel, trigger_id or one action value');
  }
  const container = objectField(payload, 'container');
  const threadTs = stringField(container, 'thread_ts') ?? stringField(container, 'message_ts');
  return request({
    user: { id: user, ...optionalName(stringField(objectField(payload, 'user'), 'username')) },
    channel,
    reply: {
      platform: 'slack',
      channel,
      ...optional('threadTs', threadTs),
      ...optional('responseUrl', stringField(payload, 'response_url')),
    },
    text: command,
    eventId: triggerId,
  });
}

function parseEvent(text: string): ParsedMessage {
  const body = parseObject(text);
  if (body === undefined) return ignored('a JSON body that is not an object');
  const type = stringField(body, 'type');
  if (type === 'url_verification') {
    const challenge = stringField(body, 'challenge');
    return challenge === undefined
      ? ignored('url_verification without a challenge')
      : { ok: true, kind: 'url-verification', challenge };
  }
  const event = objectField(body, 'event');
  const eventId = stringField(body, 'event_id');
  if (type !== 'event_callback' || event === undefined || eventId === undefined) {
    return ignored('not an event callback');
  }
  const eventType = stringField(event, 'type');
  const direct = eventType === 'message' && stringField(event, 'channel_type') === 'im';
  if (eventType !== 'app_mention' && !direct) return ignored(`the ${eventType ?? 'untyped'} event`);
  if (isObject(event) && (Object.hasOwn(event, 'bot_id') || Object.hasOwn(event, 'subtype'))) {
    return ignored('a bot message or an edit');
  }
  const user = stringField(event, 'user');
  const channel = stringField(event, 'channel');
  const ts = stringField(event, 'ts');
  const messageText = stringField(event, 'text');
  if (
    user === undefined ||
    channel === undefined ||
    ts === undefined ||
    messageText === undefined
  ) {
    return ignored('an event without user, channel, ts or text');
  }
  return request({
    user: { id: user },
    channel,
    reply: { platform: 'slack', channel, threadTs: stringField(event, 'thread_ts') ?? ts },
    text: messageText,
    eventId,
  });
}

function request(fields: Omit<ChatRequest, 'platform'>): ParsedMessage {
  return { ok: true, kind: 'request', request: { platform: 'slack', ...fields } };
}

function optional<K extends string>(
  key: K,
  value: string | null | undefined,
): Partial<Record<K, string>> {
  return value === null || value === undefined || value === ''
    ? {}
    : ({ [key]: value } as Record<K, string>);
}

function optionalName(name: string | null | undefined): { name?: string } {
  return optional('name', name);
}
