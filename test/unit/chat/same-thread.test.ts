/**
 * `sameThread`: a message meant for the requester's thread and the approver's goes once when they
 * are one conversation — by value, since a handle read back after a restart is another object.
 */
import { describe, expect, it } from 'vitest';
import { type ReplyHandle, sameThread } from '#src/chat/index.js';

const slack = (threadTs?: string): ReplyHandle => ({
  platform: 'slack',
  channel: 'C0OPS',
  ...(threadTs === undefined ? {} : { threadTs }),
});

describe('sameThread', () => {
  it('is true for equal handles that are different objects', () => {
    expect(sameThread(slack('1700000000.000100'), slack('1700000000.000100'))).toBe(true);
    const a: ReplyHandle = {
      platform: 'dingtalk',
      conversationId: 'cid1',
      sessionWebhook: 'https://a',
    };
    const b: ReplyHandle = {
      platform: 'dingtalk',
      conversationId: 'cid1',
      sessionWebhook: 'https://b',
    };
    expect(sameThread(a, b)).toBe(true);
    expect(
      sameThread(
        { platform: 'feishu', chatId: 'oc_1', messageId: 'om_1' },
        { platform: 'feishu', chatId: 'oc_1', messageId: 'om_2' },
      ),
    ).toBe(true);
  });

  it('tells other threads, channels, conversations and platforms apart', () => {
    expect(sameThread(slack('1700000000.000100'), slack('1700000000.000200'))).toBe(false);
    expect(sameThread(slack('1700000000.000100'), slack())).toBe(false);
    expect(sameThread(slack(), { platform: 'wecom', toUser: 'C0OPS' })).toBe(false);
    expect(
      sameThread({ platform: 'wecom', toUser: 'alice' }, { platform: 'wecom', toUser: 'bob' }),
    ).toBe(false);
  });
});
