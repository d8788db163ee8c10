/**
 * The Feishu long-connection stand-in against the official SDK's `WSClient`: an event pushed as
 * soon as the stand-in reports the app connected is answered, connection after connection. The
 * SDK listens for frames only a few promise turns after its socket opens, so a stand-in that
 * sends on the handshake's heels loses events (7 of 40 did) and a test waits for ever.
 */
import { LoggerLevel, WSClient } from '@larksuiteoapi/node-sdk';
import { afterEach, expect, it, vi } from 'vitest';
import { type ChatPlatforms, startChatPlatforms } from '#mocks/chat-platforms/index.js';

const FEISHU = {
  appId: 'cli_a1b2c3d4e5f60718',
  appSecret: 'feishu-app-secret-for-stand-in-test',
  encryptKey: 'unused',
  verificationToken: 'unused',
};
const ROUNDS = 40;

let chat: ChatPlatforms | undefined;
let client: WSClient | undefined;
afterEach(async () => {
  client?.close({ force: true });
  await chat?.close();
});

it(`answers ${ROUNDS} events, each pushed the moment a fresh connection is reported`, async () => {
  chat = await startChatPlatforms({
    drainctlUrl: 'http://127.0.0.1:9',
    secrets: { feishu: FEISHU },
  });
  client = new WSClient({
    appId: FEISHU.appId,
    appSecret: FEISHU.appSecret,
    domain: chat.url,
    loggerLevel: LoggerLevel.error,
  });
  let invoked = 0;
  const dispatcher = {
    invoke() {
      invoked += 1;
      return Promise.resolve(undefined);
    },
  };
  void client.start({ eventDispatcher: dispatcher as never });
  const stand = chat.feishuLongConnection;
  const unanswered: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const before = stand.opened();
    if (round > 0) stand.drop();
    const wanted = round > 0 ? before + 1 : 1;
    await vi.waitUntil(() => stand.opened() >= wanted && stand.connected(), {
      timeout: 10_000,
      interval: 5,
    });
    const answer = await Promise.race([
      stand.push({ schema: '2.0', header: { event_id: `e${round}` }, event: {} }),
      new Promise<undefined>((resolve) => setTimeout(resolve, 3_000, undefined)),
    ]);
    if (answer === undefined) unanswered.push(round);
    else expect(JSON.parse(answer.payload)).toEqual({ code: 200 });
  }
  expect(unanswered).toEqual([]);
  expect(invoked).toBe(ROUNDS);
}, 120_000);
