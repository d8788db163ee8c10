/**
 * Mock receivers of the notification platforms drainctl sends to — DingTalk, Feishu/Lark,
 * WeCom, Slack and a generic webhook — one HTTP server each on loopback, each checking requests
 * as its platform does, answering as it does and recording what it got (docs/emulator.md,
 * "Notification receivers"). Independent of src/: the signatures are checked by code written
 * here from each platform's documentation.
 */
import { type PlatformReceiverOptions, startDingtalkReceiver } from './dingtalk.js';
import { startFeishuReceiver } from './feishu.js';
import type { Receiver } from './receiver.js';
import { startSlackReceiver } from './slack.js';
import { startWebhookReceiver } from './webhook.js';
import { startWecomReceiver } from './wecom.js';

export type { PlatformReceiverOptions } from './dingtalk.js';
export type { ReceivedMessage, Receiver } from './receiver.js';
export { REPLAY_WINDOW_SECONDS } from './webhook.js';
export {
  startDingtalkReceiver,
  startFeishuReceiver,
  startSlackReceiver,
  startWebhookReceiver,
  startWecomReceiver,
};

export const RECEIVER_TYPES = ['dingtalk', 'feishu', 'wecom', 'slack', 'webhook'] as const;
export type ReceiverType = (typeof RECEIVER_TYPES)[number];

export interface Receivers {
  byType: Record<ReceiverType, Receiver & { secret?: string }>;
  close(): Promise<void>;
}

/** Tokens and secrets of the example receivers (`drainctl emulator`, `.env.example`). */
export const EXAMPLE_RECEIVER_CREDENTIALS = {
  token: 'drainctl-example-token',
  secret: 'SECdrainctl-example-signing-secret',
} as const;

/** All five, with one token and (for the signed ones) one secret; ports from `basePort` or 0. */
export async function startReceivers(
  options: { token?: string; secret?: string; basePort?: number } = {},
): Promise<Receivers> {
  const token = options.token ?? EXAMPLE_RECEIVER_CREDENTIALS.token;
  const secret = options.secret ?? EXAMPLE_RECEIVER_CREDENTIALS.secret;
  const port = (i: number) =>
    options.basePort === undefined ? {} : { port: options.basePort + i };
  const signed: PlatformReceiverOptions = { token, secret };
  const started: Receiver[] = [];
  try {
    const start = async <R extends Receiver>(promise: Promise<R>) => {
      const receiver = await promise;
      started.push(receiver);
      return receiver;
    };
    const byType = {
      dingtalk: { ...(await start(startDingtalkReceiver({ ...signed, ...port(0) }))), secret },
      feishu: { ...(await start(startFeishuReceiver({ ...signed, ...port(1) }))), secret },
      wecom: await start(startWecomReceiver({ token, ...port(2) })),
      slack: await start(startSlackReceiver({ token, ...port(3) })),
      webhook: { ...(await start(startWebhookReceiver({ ...signed, ...port(4) }))), secret },
    };
    return { byType, close: async () => void (await Promise.all(started.map((r) => r.close()))) };
  } catch (error) {
    await Promise.all(started.map((r) => r.close()));
    throw error;
  }
}
