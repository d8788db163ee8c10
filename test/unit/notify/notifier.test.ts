import { describe, expect, it } from 'vitest';
import { registerSecret } from '#src/log/index.js';
import { createNotifier, eventSelected, type NotifyEvent } from '#src/notify/index.js';
import { captureLogs } from '#support/emulator-adapters.js';
import { ManualClock } from '#support/manual-clock.js';
import { untilAsleep } from '#support/waits.js';

/** Move the clock in small steps, letting the notifier run between them, until `done` holds. */
async function stepUntil(clock: ManualClock, done: () => boolean, stepMs = 100): Promise<void> {
  for (let i = 0; i < 10_000 && !done(); i += 1) {
    await new Promise((resolve) => setImmediate(resolve));
    if (done()) return;
    await clock.advance(stepMs);
  }
}

const URL_ = 'https://oapi.dingtalk.com/robot/send?access_token=tok-123456';

function nodeDone(node: string): Extract<NotifyEvent, { kind: 'node-done' }> {
  return {
    kind: 'node-done',
    workflow: 'kernel-patch',
    runId: 'r-1',
    at: '2026-11-21T02:00:00Z',
    node,
    before: '5.10.0-1',
    after: '5.10.0-2',
  };
}

/** A fetch that answers from a script (then 200 ok) and records what it was sent. */
function scriptedFetch(answers: Array<{ status: number; body: string } | 'hang'> = []) {
  const sent: Array<{ url: string; body: string }> = [];
  const fetch = (async (url: string | URL, init?: RequestInit): Promise<Response> => {
    sent.push({ url: String(url), body: String(init?.body) });
    const next = answers.shift() ?? { status: 200, body: '{"errcode":0,"errmsg":"ok"}' };
    if (next === 'hang') {
      return new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      );
    }
    return new Response(next.body, { status: next.status });
  }) as typeof globalThis.fetch;
  return { fetch, sent };
}

const texts = (sent: Array<{ body: string }>) =>
  sent.map((s) => (JSON.parse(s.body) as { markdown: { text: string } }).markdown.text);

describe('createNotifier', () => {
  it('keeps to the rate limit and sums up what piled up over it in one message', async () => {
    const clock = new ManualClock();
    const { fetch, sent } = scriptedFetch();
    const { logger } = captureLogs();
    const notifier = createNotifier([{ type: 'dingtalk', url: URL_, ratePerMinute: 2 }], {
      clock,
      logger,
      fetch,
    });
    for (const node of ['web-1', 'web-2', 'web-3', 'web-4', 'web-5'])
      notifier.notify(nodeDone(node));
    await expect.poll(() => sent.length).toBe(2);
    // The third waits for the first one's minute to pass, then goes with the two after it.
    await stepUntil(clock, () => sent.length === 3, 500);
    expect(clock.monotonic()).toBe(60_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toHaveLength(3);
    const summary = texts(sent)[2] ?? '';
    expect(summary).toContain('3 notifications, summed up');
    for (const node of ['web-3', 'web-4', 'web-5']) expect(summary).toContain(node);
    await notifier.close();
  });

  it('tries a 500 again with backoff, and a message gets through', async () => {
    const clock = new ManualClock();
    const { fetch, sent } = scriptedFetch([
      { status: 500, body: 'oops' },
      { status: 200, body: '{"errcode":130101,"errmsg":"send too fast"}' },
    ]);
    const { logger, logs } = captureLogs();
    const notifier = createNotifier([{ type: 'dingtalk', url: URL_ }], { clock, logger, fetch });
    notifier.notify(nodeDone('web-1'));
    await stepUntil(clock, () => sent.length === 2);
    expect(clock.monotonic()).toBe(1000); // the first backoff
    await stepUntil(clock, () => sent.length === 3);
    expect(clock.monotonic()).toBe(3000); // doubled
    for (let i = 0; i < 5; i += 1) await clock.advance(10_000); // nothing more: delivered
    expect(sent).toHaveLength(3);
    await notifier.close();
    expect(logs.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('does not retry a refusal, and logs a failing target once, its token masked', async () => {
    const clock = new ManualClock();
    const refusal = { status: 200, body: '{"errcode":310000,"errmsg":"sign not match"}' };
    const { fetch, sent } = scriptedFetch([refusal, refusal]);
    const { logger, logs } = captureLogs();
    const notifier = createNotifier([{ type: 'dingtalk', url: URL_ }], { clock, logger, fetch });
    notifier.notify(nodeDone('web-1'));
    notifier.notify(nodeDone('web-2'));
    await expect.poll(() => sent.length).toBe(2);
    await notifier.close();
    const warnings = logs.filter((l) => l.level === 'warn').map((l) => String(l.msg));
    expect(warnings[0]).toContain('dingtalk https://oapi.dingtalk.com/robot/…');
    expect(warnings[0]).toContain('310000');
    expect(warnings.join('\n')).not.toContain('tok-123456');
    expect(warnings.filter((w) => w.includes('not delivered:'))).toHaveLength(1);
  });

  it('close() gives up on a target that never answers within its bound', async () => {
    const clock = new ManualClock();
    const { fetch } = scriptedFetch(['hang']);
    const { logger } = captureLogs();
    const notifier = createNotifier(
      [{ type: 'slack', url: 'https://hooks.slack.com/services/T/B/X' }],
      {
        clock,
        logger,
        fetch,
        closeTimeoutMs: 3000,
      },
    );
    notifier.notify(nodeDone('web-1'));
    let closed = false;
    const closing = notifier.close().then(() => {
      closed = true;
    });
    await untilAsleep(clock);
    await clock.advance(2999);
    expect(closed).toBe(false);
    await clock.advance(1);
    await closing;
    expect(closed).toBe(true);
  });

  it('never sends a registered secret', async () => {
    registerSecret('s3cret-passw0rd-in-a-detail');
    const clock = new ManualClock();
    const { fetch, sent } = scriptedFetch();
    const { logger } = captureLogs();
    const notifier = createNotifier([{ type: 'dingtalk', url: URL_ }], { clock, logger, fetch });
    notifier.notify({
      kind: 'node-left-out',
      workflow: 'w',
      runId: 'r-1',
      at: '2026-11-21T02:00:00Z',
      node: 'web-1',
      reason: 'error',
      detail: 'command failed: mysql -p s3cret-passw0rd-in-a-detail',
    });
    await expect.poll(() => sent.length).toBe(1);
    await notifier.close();
    expect(sent[0]?.body).not.toContain('s3cret-passw0rd-in-a-detail');
  });

  it('cuts a long message to the platform limit and links the run page', async () => {
    const clock = new ManualClock();
    const { fetch, sent } = scriptedFetch([{ status: 200, body: '{"errcode":0}' }]);
    const { logger } = captureLogs();
    const notifier = createNotifier(
      [{ type: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' }],
      {
        clock,
        logger,
        fetch,
        pageUrl: (runId) => `https://drainctl.example/runs/${runId}`,
      },
    );
    notifier.notify({ ...nodeDone('web-1'), after: '补丁'.repeat(3000) });
    await expect.poll(() => sent.length).toBe(1);
    await notifier.close();
    const content = (JSON.parse(sent[0]?.body ?? '{}') as { markdown: { content: string } })
      .markdown.content;
    expect(new TextEncoder().encode(content).length).toBeLessThanOrEqual(4096);
    expect(content.endsWith('[full report](https://drainctl.example/runs/r-1)')).toBe(true);
  });
});

describe('eventSelected', () => {
  const finished = (outcome: 'completed' | 'halted' | 'failed'): NotifyEvent => ({
    kind: 'finished',
    workflow: 'w',
    runId: 'r',
    at: '',
    outcome,
    summary: '',
    patched: [],
    leftOut: [],
    durationMs: 0,
  });
  it('takes every event without a list, and done/failed as a finished run of that outcome', () => {
    expect(eventSelected(undefined, finished('halted'))).toBe(true);
    expect(eventSelected(['done'], finished('completed'))).toBe(true);
    expect(eventSelected(['done'], finished('failed'))).toBe(false);
    expect(eventSelected(['failed'], finished('failed'))).toBe(true);
    expect(eventSelected(['finished'], finished('halted'))).toBe(true);
    expect(eventSelected(['started'], nodeDone('web-1'))).toBe(false);
  });
});
