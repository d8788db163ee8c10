/**
 * `drainctl schedule list` as a user runs it: each schedule's next occurrences from a serve.yaml,
 * local and UTC, blackout days marked, as text and as JSON; a bad file is one line and exit 3.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDrainctl } from '#support/cli-runner.js';

let scratch: string;
let config: string;

/** The date `days` from today in UTC; Shanghai's is the same or the next. */
const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'drainctl-schedule-'));
  config = join(scratch, 'serve.yaml');
  // Read from the clock of the machine: the freeze covers every occurrence listed.
  await writeFile(
    config,
    `workflows: { kernel-patch: workflows/kernel-patch.yaml }
schedules:
  - name: patch-night
    workflow: kernel-patch
    cron: "0 2 * * 3"
    timezone: Asia/Shanghai
    windowMinutes: 120
  - name: frozen
    workflow: kernel-patch
    cron: "30 2 * * *"
    timezone: Europe/Berlin
    windowMinutes: 60
    blackout: [{ from: ${day(-2)}, to: ${day(30)}, reason: change freeze }]
`,
  );
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('drainctl schedule list', () => {
  it('prints each schedule and its next occurrences, local and UTC, blackout days marked', async () => {
    const run = await runDrainctl(['schedule', 'list', '--config', config, '--count', '3']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'patch-night: kernel-patch at "0 2 * * 3" Asia/Shanghai, window 120 min, missed: skip',
    );
    for (const line of lines.slice(1, 4)) {
      expect(line).toMatch(
        /^ {2}\d{4}-\d\d-\d\dT02:00:00\+08:00 {2}\d{4}-\d\d-\d\dT18:00:00\.000Z$/,
      );
    }
    expect(lines[5]).toContain('frozen: kernel-patch at "30 2 * * *" Europe/Berlin');
    for (const line of lines.slice(6, 9)) {
      expect(line).toMatch(/T02:30:00\+0[12]:00 {2}\S+Z {2}skipped: change freeze \(blackout /);
    }
    expect(lines).toHaveLength(9);
  });

  it('--json prints one document with the schedules as read and their occurrences', async () => {
    const run = await runDrainctl(['schedule', 'list', '--config', config, '--json']);
    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout) as {
      config: string;
      schedules: {
        name: string;
        missed: string;
        occurrences: { local: string; utc: string; blackout?: string }[];
      }[];
    };
    expect(document.config).toBe(config);
    expect(document.schedules.map((s) => [s.name, s.missed, s.occurrences.length])).toEqual([
      ['patch-night', 'skip', 5],
      ['frozen', 'skip', 5],
    ]);
    const [weekly, frozen] = document.schedules;
    for (const occurrence of weekly?.occurrences ?? []) {
      expect(new Date(occurrence.utc).getUTCDay()).toBe(2);
      expect(occurrence.blackout).toBeUndefined();
    }
    for (const occurrence of frozen?.occurrences ?? []) {
      expect(occurrence.blackout).toMatch(/^change freeze \(blackout /);
    }
  });

  it('a bad schedule is one line naming the file, the path, what was expected and found: exit 3', async () => {
    const bad = join(scratch, 'bad.yaml');
    await writeFile(
      bad,
      'schedules:\n  - name: n\n    workflow: w\n    cron: "0 2 * * 3"\n    timezone: Mars/Olympus\n    windowMinutes: 60\n',
    );
    const run = await runDrainctl(['schedule', 'list', '--config', bad]);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(
      `${bad}:5:5: schedules[0].timezone: expected an IANA time zone like Asia/Shanghai or Europe/Berlin, found "Mars/Olympus"`,
    );
  });
});
