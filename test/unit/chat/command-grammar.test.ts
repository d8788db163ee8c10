import { describe, expect, it } from 'vitest';
import { helpText, parseCommand } from '#src/chat/command-grammar.js';

const catalog = ['web-night', 'db.replica'];

describe('the chat command grammar', () => {
  it.each([
    ['plan web-night', { verb: 'plan', workflow: 'web-night' }],
    ['  RUN   web-night  ', { verb: 'run', workflow: 'web-night' }],
    ['@drainctl run web-night', { verb: 'run', workflow: 'web-night' }],
    ['<@U0LAN0Z89> plan db.replica', { verb: 'plan', workflow: 'db.replica' }],
    ['@_user_1 plan WEB-NIGHT', { verb: 'plan', workflow: 'web-night' }],
    ['/drain run web-night', { verb: 'run', workflow: 'web-night' }],
    [
      `approve r-20260115-020000-ab12 ${'ab12'.repeat(16)}`,
      { verb: 'approve', runId: 'r-20260115-020000-ab12', planSha256: 'ab12'.repeat(16) },
    ],
    ['approve r-1 0123456789AB', { verb: 'approve', runId: 'r-1', planSha256: '0123456789AB' }],
    ['Deny r-1', { verb: 'deny', runId: 'r-1' }],
    ['abort r-1', { verb: 'abort', runId: 'r-1' }],
    ['status', { verb: 'status' }],
    ['status r-1', { verb: 'status', runId: 'r-1' }],
    ['help', { verb: 'help' }],
    ['\u3000plan\u3000web-night', { verb: 'plan', workflow: 'web-night' }],
  ])('%j', (text, command) => {
    expect(parseCommand(text, catalog)).toEqual({ ok: true, command });
  });

  it.each([
    ['', ''],
    ['@drainctl', ''],
    ['deploy web-night', 'I do not know `deploy`.'],
    ['plan', '`plan` takes one workflow name.'],
    ['run web-night now', '`run` takes one workflow name.'],
    ['run ../../etc/passwd', '`../../etc/passwd` is not a workflow I may run from chat.'],
    ['run /etc/workflows/web-night.yaml', 'is not a workflow I may run from chat.'],
    ['approve', '`approve` takes a run id and the plan sha256'],
    ['approve r-1', '`approve` takes a run id and the plan sha256'],
    ['approve r-1 0123456789a', '`0123456789a` is not a plan sha256'],
    ['abort ../r-1', '`../r-1` is not a run id.'],
    ['help me', '`help` takes nothing after it.'],
  ])('refuses %j with a helpful answer', (text, why) => {
    const parsed = parseCommand(text, catalog);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.answer).toContain(why);
    expect(parsed.answer).toContain(helpText(catalog));
  });

  it('does not guess between catalog names that differ only in case', () => {
    expect(parseCommand('run web', ['Web', 'WEB']).ok).toBe(false);
    expect(parseCommand('run Web', ['Web', 'WEB'])).toEqual({
      ok: true,
      command: { verb: 'run', workflow: 'Web' },
    });
  });

  it('lists every command and the catalog in help', () => {
    const text = helpText(catalog);
    for (const word of [
      'plan NAME',
      'run NAME',
      'approve RUN',
      'deny RUN',
      'status [RUN]',
      'abort RUN',
      'help',
    ]) {
      expect(text).toContain(word);
    }
    expect(text).toContain('`web-night`, `db.replica`');
  });
});
