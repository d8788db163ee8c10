/**
 * drainctl's notifier against the mock receivers over HTTP on loopback: each platform's
 * signature is checked by the receiver's own code (mocks/receivers), a refusal is not retried,
 * a 500 is, and a target that is down costs the run nothing but close()'s bound.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECEIVER_TYPES, type Receivers, startReceivers } from '#mocks/receivers/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { createNotifier, type NotifyEvent } from '#src/notify/index.js';
import { captureLogs } from '#support/emulator-adapters.js';

const started: NotifyEvent = {
  kind: 'started',
  workflow: 'kernel-patch',
  runId: 'r-20261121-020000-1a2b',
  at: '2026-11-21T02:00:00Z',
  planSha256: 'a'.repeat(64),
  nodes: ['web-1', 'web-2'],
  resumed: false,
};
const finished: NotifyEvent = {
  kind: 'finished',
  workflow: 'kernel-patch',
  runId: 'r-20261121-020000-1a2b',
  at: '2026-11-21T02:10:00Z',
  outcome: 'completed',
  summary: '2 of 2 servers patched',
  patched: [{ node: 'web-1', before: '5.10.0-1', after: '5.10.0-2' }],
  leftOut: [],
  durationMs: 600_000,
};

const fast = { backoffMs: 20, maxBackoffMs: 50, closeTimeoutMs: 5000 };

let receivers: Receivers;
beforeAll(async () => {
  receivers = await startReceivers({ token: 'tok-int-test', secret: 'SECint-test-secret' });
});
afterAll(async () => {
  await receivers.close();
});

async function clear(type: (typeof RECEIVER_TYPES)[number]) {
  await fetch(`${receivers.byType[type].admin}/messages`, { method: 'DELETE' });
}

describe('each platform against its receiver', () => {
  for (const type of RECEIVER_TYPES) {
    it(`${type}: validly signed messages are taken`, async () => {
      await clear(type);
      const receiver = receivers.byType[type];
      const { logger, logs } = captureLogs();
      const notifier = createNotifier(
        [{ type, url: receiver.url, ...(receiver.secret ? { secret: receiver.secret } : {}) }],
        { clock: systemClock, logger, ...fast, pageUrl: (id) => `http://127.0.0.1/runs/${id}` },
      );
      notifier.notify(started);
      notifier.notify(finished);
      await notifier.close();
      const messages = receiver.messages();
      expect(messages.map((m) => m.accepted)).toEqual([true, true]);
      expect(messages[1]?.body).toContain('web-1');
      expect(messages[1]?.body).toContain('5.10.0-1 → 5.10.0-2');
      expect(logs.filter((l) => l.level === 'warn')).toEqual([]);
    });
  }

  for (const type of ['dingtalk', 'feishu', 'webhook'] as const) {
    it(`${type}: a wrong secret is refused as the platform refuses it, and not tried again`, async () => {
      await clear(type);
      const { logger, logs } = captureLogs();
      const notifier = createNotifier(
        [{ type, url: receivers.byType[type].url, secret: 'SECnot-the-right-one' }],
        { clock: systemClock, logger, ...fast },
      );
      notifier.notify(started);
      await notifier.close();
      const messages = receivers.byType[type].messages();
      expect(messages).toHaveLength(1);
      expect(messages[0]?.accepted).toBe(false);
      const expected = { dingtalk: '310000', feishu: '19021', webhook: 'HTTP 401' }[type];
      expect(`HTTP ${messages[0]?.answer.status} ${messages[0]?.answer.body}`).toContain(expected);
      const warning = logs.find((l) => l.level === 'warn');
      expect(String(warning?.msg)).toContain(expected);
      expect(String(warning?.msg)).not.toContain('tok-int-test');
    });
  }
});

describe('delivery', () => {
  it('a receiver that answers 500 then 200 gets the message on the second try', async () => {
    await clear('wecom');
    const receiver = receivers.byType.wecom;
    await fetch(`${receiver.admin}/fail`, {
      method: 'POST',
      body: JSON.stringify({ status: 500, count: 1 }),
    });
    const { logger } = captureLogs();
    const notifier = createNotifier([{ type: 'wecom', url: receiver.url }], {
      clock: systemClock,
      logger,
      ...fast,
    });
    notifier.notify(started);
    await notifier.close();
    expect(receiver.messages().map((m) => [m.answer.status, m.accepted])).toEqual([
      [500, false],
      [200, true],
    ]);
  });

  it('a receiver that is down costs nothing but the bound of close()', async () => {
    const port = await closedPort();
    const { logger, logs } = captureLogs();
    const notifier = createNotifier(
      [{ type: 'slack', url: `http://127.0.0.1:${port}/services/T/B/X` }],
      { clock: systemClock, logger, backoffMs: 400, maxBackoffMs: 400, closeTimeoutMs: 1000 },
    );
    const before = performance.now();
    for (let i = 0; i < 30; i += 1) notifier.notify(started);
    expect(performance.now() - before).toBeLessThan(50); // notify never waits
    await notifier.close();
    expect(performance.now() - before).toBeLessThan(2500);
    const warnings = logs.filter((l) => l.level === 'warn').map((l) => String(l.msg));
    expect(warnings.filter((w) => w.includes('not delivered:'))).toHaveLength(1);
    expect(warnings.join('\n')).toContain('slack http://127.0.0.1');
  });
});

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
