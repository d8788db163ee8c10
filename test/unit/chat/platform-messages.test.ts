/**
 * Each platform's message format into one ChatRequest, on the platforms' documented examples,
 * and the replies rendered for each.
 */
import { describe, expect, it } from 'vitest';
import {
  dingtalkReply,
  feishuReply,
  isDingtalkSessionWebhook,
  parseDingtalkMessage,
  parseFeishuEvent,
  parseSlackEnvelope,
  parseSlackMessage,
  parseWecomMessage,
  slackReply,
  wecomReply,
} from '#src/chat/index.js';

describe('Slack messages', () => {
  it("parses Slack's documented slash command", () => {
    // The body of Slack's request-signing example (api.slack.com/authentication/verifying-requests-from-slack).
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(parseSlackMessage(body)).toEqual({
      ok: true,
      kind: 'request',
      request: {
        platform: 'slack',
        user: { id: 'U2CERLKJA', name: 'roadrunner' },
        channel: 'G8PSS9T3V',
        reply: {
          platform: 'slack',
          channel: 'G8PSS9T3V',
          responseUrl:
            'https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN',
        },
        text: '',
        eventId: '398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
      },
    });
  });

  it('parses an app_mention in a thread, and a button of ours', () => {
    const mention = JSON.stringify({
      type: 'event_callback',
      event_id: 'Ev0PV52K21',
      event: {
        type: 'app_mention',
        user: 'U1',
        text: '<@U0BOT> run web-night',
        ts: '1515449522.000016',
        thread_ts: '1515449000.000001',
        channel: 'C1',
      },
    });
    expect(parseSlackMessage(mention)).toMatchObject({
      ok: true,
      request: {
        text: '<@U0BOT> run web-night',
        eventId: 'Ev0PV52K21',
        reply: { threadTs: '1515449000.000001' },
      },
    });
    const button = new URLSearchParams({
      payload: JSON.stringify({
        type: 'block_actions',
        user: { id: 'U2', username: 'bob' },
        channel: { id: 'C1' },
        trigger_id: 't-1',
        response_url: 'https://hooks.slack.com/actions/x',
        container: { message_ts: '1.2' },
        actions: [{ action_id: 'drainctl-0', value: 'approve r-1' }],
      }),
    }).toString();
    expect(parseSlackMessage(button)).toMatchObject({
      ok: true,
      request: {
        user: { id: 'U2', name: 'bob' },
        text: 'approve r-1',
        eventId: 't-1',
        reply: { threadTs: '1.2' },
      },
    });
  });

  it('answers the Events API URL check and ignores bot messages and other events', () => {
    expect(parseSlackMessage('{"type":"url_verification","challenge":"abc","token":"t"}')).toEqual({
      ok: true,
      kind: 'url-verification',
      challenge: 'abc',
    });
    const bot = {
      type: 'event_callback',
      event_id: 'E',
      event: { type: 'app_mention', bot_id: 'B', user: 'U', text: 'x', ts: '1', channel: 'C' },
    };
    expect(parseSlackMessage(JSON.stringify(bot)).ok).toBe(false);
    expect(
      parseSlackMessage(JSON.stringify({ ...bot, event: { type: 'reaction_added' } })).ok,
    ).toBe(false);
  });
});

describe('Slack Socket Mode envelopes', () => {
  // Socket Mode carries the HTTP request's content as an envelope's payload (Slack, "Using
  // Socket Mode": a slash command's fields, an interactive payload, an Events API callback).
  const command = {
    token: 'xyzz0WbapA4vBCDEFasx0q6G',
    team_id: 'T1DC2JH3J',
    channel_id: 'G8PSS9T3V',
    user_id: 'U2CERLKJA',
    user_name: 'roadrunner',
    command: '/drain',
    text: 'plan web-night',
    response_url:
      'https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN',
    trigger_id: '398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  };

  it('reads each envelope type as the HTTP endpoint reads the same request', () => {
    expect(parseSlackEnvelope('slash_commands', command)).toEqual(
      parseSlackMessage(new URLSearchParams(command).toString()),
    );
    const button = {
      type: 'block_actions',
      user: { id: 'U2', username: 'bob' },
      channel: { id: 'C1' },
      trigger_id: 't-1',
      container: { message_ts: '1.2' },
      actions: [{ action_id: 'drainctl-0', value: 'approve r-1' }],
    };
    expect(parseSlackEnvelope('interactive', button)).toEqual(
      parseSlackMessage(new URLSearchParams({ payload: JSON.stringify(button) }).toString()),
    );
    const mention = {
      type: 'event_callback',
      event_id: 'Ev0PV52K21',
      event: { type: 'app_mention', user: 'U1', text: 'help', ts: '1.5', channel: 'C1' },
    };
    expect(parseSlackEnvelope('events_api', mention)).toMatchObject({
      ok: true,
      request: { eventId: 'Ev0PV52K21', text: 'help', reply: { threadTs: '1.5' } },
    });
  });

  it('ignores a payload that is not an object, or a command smuggling a payload field', () => {
    expect(parseSlackEnvelope('slash_commands', 'text=help').ok).toBe(false);
    expect(parseSlackEnvelope('events_api', null).ok).toBe(false);
    expect(
      parseSlackEnvelope('slash_commands', {
        ...command,
        payload: JSON.stringify({ type: 'block_actions' }),
      }).ok,
    ).toBe(false);
  });
});

describe('DingTalk messages', () => {
  it("parses DingTalk's documented outgoing-robot body", () => {
    // The HTTP BODY example of DingTalk's 机器人接收消息 (open.dingtalk.com, 企业内部机器人).
    const body = JSON.stringify({
      conversationId: 'xxx',
      atUsers: [{ dingtalkId: 'xxx', staffId: 'xxx' }],
      chatbotCorpId: 'dinge8a565xxxx',
      chatbotUserId: '$:LWCP_v1:$Cxxxxx',
      msgId: 'msg0xxxxx',
      senderNick: '杨xx',
      isAdmin: true,
      senderStaffId: 'user123',
      sessionWebhookExpiredTime: 1613635652738,
      createAt: 1613630252678,
      senderCorpId: 'dinge8a565xxxx',
      conversationType: '2',
      senderId: '$:LWCP_v1:$Ff09GIxxxxx',
      conversationTitle: '机器人测试-TEST',
      isInAtList: true,
      sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=xxxxx',
      text: { content: ' 你好' },
      msgtype: 'text',
    });
    expect(parseDingtalkMessage(body)).toEqual({
      ok: true,
      kind: 'request',
      request: {
        platform: 'dingtalk',
        user: { id: 'user123', name: '杨xx' },
        channel: 'xxx',
        reply: {
          platform: 'dingtalk',
          conversationId: 'xxx',
          sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=xxxxx',
          sessionWebhookExpiresAtMs: 1613635652738,
        },
        text: ' 你好',
        eventId: 'msg0xxxxx',
      },
    });
  });
});

describe("DingTalk's reply address", () => {
  it.each([
    ['https://oapi.dingtalk.com/robot/sendBySession?session=xxxxx', undefined, true],
    ['https://api.dingtalk.com/robot/sendBySession?session=x', undefined, true],
    ['http://oapi.dingtalk.com/robot/sendBySession?session=x', undefined, false],
    ['https://oapi.dingtalk.com:8443/robot/sendBySession', undefined, false],
    ['https://oapi.dingtalk.com.evil.example/robot', undefined, false],
    ['https://user@oapi.dingtalk.com/robot/sendBySession', undefined, false],
    ['http://169.254.100.200/latest/meta-data', undefined, false],
    ['not a url', undefined, false],
    ['http://127.0.0.1:4000/dingtalk/session/s1', 'http://127.0.0.1:4000', true],
    ['http://127.0.0.1:4000/chat/dingtalk/s1', 'http://127.0.0.1:4000/chat', true],
    ['http://127.0.0.1:4000/chatter/s1', 'http://127.0.0.1:4000/chat', false],
    ['http://127.0.0.1:4001/dingtalk/session/s1', 'http://127.0.0.1:4000', false],
  ])('%s (apiBaseUrl %s): %s', (url, apiBaseUrl, expected) => {
    expect(isDingtalkSessionWebhook(url, apiBaseUrl)).toBe(expected);
  });
});

describe('Feishu events', () => {
  it('parses im.message.receive_v1 from a user', () => {
    const event = {
      schema: '2.0',
      header: {
        event_id: '5e3702a84e847582be8db7fb73283c02',
        event_type: 'im.message.receive_v1',
        token: 't',
      },
      event: {
        sender: {
          sender_id: { open_id: 'ou_84aad35d084aa403a838cf73ee18467', user_id: 'e33ggbyz' },
          sender_type: 'user',
        },
        message: {
          message_id: 'om_5ce6d572455d361153b7cb51da133945',
          chat_id: 'oc_5ce6d572455d361153b7xx51da133945',
          chat_type: 'group',
          message_type: 'text',
          content: '{"text":"@_user_1 plan web-night"}',
        },
      },
    };
    expect(parseFeishuEvent(event)).toEqual({
      ok: true,
      kind: 'request',
      request: {
        platform: 'feishu',
        user: { id: 'ou_84aad35d084aa403a838cf73ee18467' },
        channel: 'oc_5ce6d572455d361153b7xx51da133945',
        reply: {
          platform: 'feishu',
          chatId: 'oc_5ce6d572455d361153b7xx51da133945',
          messageId: 'om_5ce6d572455d361153b7cb51da133945',
        },
        text: '@_user_1 plan web-night',
        eventId: '5e3702a84e847582be8db7fb73283c02',
      },
    });
    expect(
      parseFeishuEvent({
        ...event,
        header: { ...event.header, event_type: 'im.chat.member.bot.added_v1' },
      }).ok,
    ).toBe(false);
  });
});

describe('WeCom messages', () => {
  it("parses the decrypted message of WeCom's sample", () => {
    const xml =
      '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>';
    expect(parseWecomMessage(xml)).toEqual({
      ok: true,
      kind: 'request',
      request: {
        platform: 'wecom',
        user: { id: 'mycreate' },
        channel: '218:mycreate',
        reply: { platform: 'wecom', toUser: 'mycreate', agentId: '218' },
        text: 'hello',
        eventId: '4561255354251345929',
      },
    });
  });

  it('refuses XML it does not read flat: a DOCTYPE, nesting, unknown entities, duplicates', () => {
    for (const xml of [
      '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>',
      '<xml><Content>&e;</Content></xml>',
      '<xml><A><B>x</B></A></xml>',
      '<xml><MsgType>text</MsgType><MsgType>text</MsgType></xml>',
    ]) {
      expect(parseWecomMessage(xml).ok).toBe(false);
    }
  });
});

describe('replies', () => {
  const reply = {
    title: 'web-night needs approval',
    lines: ['plan sha256 `abc`', 'asked by <!channel> & co'],
    actions: [{ label: 'Approve', command: 'approve r-1' }],
  };

  it('Slack: mrkdwn with its control characters escaped, buttons carrying the command', () => {
    const rendered = slackReply(reply);
    expect(JSON.stringify(rendered)).toContain('asked by &lt;!channel&gt; &amp; co');
    expect(rendered).toMatchObject({
      blocks: [{}, { type: 'actions', elements: [{ value: 'approve r-1' }] }],
    });
  });

  it('DingTalk, WeCom markdown and the Feishu card write actions as replies', () => {
    expect(JSON.stringify(dingtalkReply(reply))).toContain('Approve: reply `approve r-1`');
    expect(wecomReply(reply, 'mycreate', '218')).toMatchObject({
      touser: 'mycreate',
      agentid: 218,
      msgtype: 'markdown',
    });
    const card = JSON.parse(String(feishuReply(reply).content));
    expect(card.header.title.content).toBe('web-night needs approval');
    expect(card.elements[0].content).toContain('Approve: reply `approve r-1`');
  });
});
