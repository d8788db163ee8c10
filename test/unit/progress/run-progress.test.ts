/**
 * The progress a run shows, from journals the real runner writes against the in-memory world:
 * plain lines one per change (no cursor codes), and the live frame with the drain's countdown
 * and the night's ETA moving on a ManualClock while no entry is written.
 */
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '#src/engine/journal/entries.js';
import { nightEta, RunProgress } from '#src/progress/index.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld, noFaults } from '#support/in-memory-world.js';
import { ManualClock } from '#support/manual-clock.js';

function entriesOf(world: InMemoryWorld): JournalEntry[] {
  return world.journalLines.map((line) => JSON.parse(line) as JournalEntry);
}

async function finishedRun(world: InMemoryWorld): Promise<JournalEntry[]> {
  const result = await runModel(world, buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }));
  if (result === 'crashed') throw new Error('crashed');
  return entriesOf(world);
}

const ESC = String.fromCharCode(27);

describe('plain progress lines', () => {
  it('prints one line per change of a whole run, each stamped, none with a cursor code', async () => {
    const entries = await finishedRun(new InMemoryWorld(fleet(2, [100, 50])));
    const progress = new RunProgress();
    const lines = entries.flatMap((entry) => progress.apply(entry));

    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d run r-\S+ started: .*2 server\(s\) in 2 batch\(es\)/);
    expect(lines.at(-1)).toMatch(/run completed: /);
    for (const line of lines) {
      expect(line).not.toContain(ESC);
      expect(line).toMatch(/^\d\d:\d\d:\d\d /);
    }
    const web1 = lines.filter((line) => line.includes('web-1 (i-node-1)'));
    expect(web1.filter((line) => line.includes('→ draining'))).toHaveLength(1);
    expect(web1).toContainEqual(expect.stringMatching(/weight 100 → 0 on /));
    expect(web1).toContainEqual(expect.stringMatching(/drain drained: /));
    expect(web1).toContainEqual(expect.stringMatching(/restoring → done$/));
    // Entries that change nothing a person follows (intents, ok steps, passed gates) are silent.
    expect(lines.length).toBeLessThan(entries.length / 2);
  });

  it('tells why a server was left out and that the run halts', async () => {
    const faults = noFaults();
    faults.bootFails.add('i-node-2');
    const entries = await finishedRun(new InMemoryWorld(fleet(3), faults));
    const progress = new RunProgress();
    const lines = entries.flatMap((entry) => progress.apply(entry));
    expect(lines).toContainEqual(
      expect.stringMatching(/web-2 \(i-node-2\): \w+ → left-out \(unreachable\)/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/halting: /));
    expect(lines.at(-1)).toMatch(/run halted: /);
  });

  it('continues a resumed run from its history without repeating it', async () => {
    const entries = await finishedRun(new InMemoryWorld(fleet(2)));
    const cut = entries.findIndex((e) => e.type === 'node-state' && e.state === 'drained');
    const progress = new RunProgress(entries.slice(0, cut));
    const lines = progress.apply(entries[cut] as JournalEntry);
    expect(lines).toEqual([expect.stringMatching(/web-1 \(i-node-1\): draining → drained$/)]);
  });
});

describe('the live frame', () => {
  it('counts the drain down and the night ETA on the clock, between entries', async () => {
    const all = await finishedRun(new InMemoryWorld(fleet(2, [100, 50])));
    const drained = all.findIndex((e) => e.type === 'step' && e.action === 'node.drain');
    const progress = new RunProgress();
    for (const entry of all.slice(0, drained + 1)) progress.apply(entry);
    const plan = all[0];
    if (plan?.type !== 'plan') throw new Error('no plan');
    const wait = plan.plan.steps.find((s) => s.action === 'node.wait-drained');
    if (wait?.action !== 'node.wait-drained') throw new Error('no drain wait');
    const clock = new ManualClock(Date.parse(all[drained]?.ts ?? ''));

    const first = progress.frame(clock.now());
    await clock.advance(65_000);
    const later = progress.frame(clock.now());

    expect(first[0]).toMatch(
      /^ETA \d+ min( \d+ s)? · elapsed \d+ s of \d+ min( \d+ s)? estimated · 0\/2 servers finished · run r-/,
    );
    expect(first).toContainEqual(expect.stringMatching(/^balancer /));
    expect(first).toContainEqual(
      expect.stringMatching(/^ {2}web-1 +i-node-1 +draining +weight 0 \(was 100\)$/),
    );
    expect(first).toContainEqual(
      expect.stringMatching(/^ {2}web-2 +i-node-2 +pending +weight 50$/),
    );
    const countdown = (frame: string[]) => frame.find((line) => line.includes('gives up in'));
    const timeout = wait.params.timeoutSeconds;
    expect(countdown(first)).toContain(`gives up in ${formatSeconds(timeout)}`);
    expect(countdown(later)).toContain(`gives up in ${formatSeconds(timeout - 65)}`);
    expect(first).toContainEqual(expect.stringMatching(/^ {4}step: .*/));
    for (const line of [...first, ...later]) expect(line).not.toContain(ESC);
    expect(later[0]).not.toBe(first[0]);
  });

  it('ends with the outcome and every server finished', async () => {
    const all = await finishedRun(new InMemoryWorld(fleet(2)));
    const progress = new RunProgress();
    for (const entry of all) progress.apply(entry);
    const frame = progress.frame(Date.parse(all.at(-1)?.ts ?? ''));
    expect(frame[0]).toMatch(
      /^took \d+ (s|min)\b.* \(\d+ min.* estimated\) · 2\/2 servers finished · /,
    );
    expect(frame.at(-1)).toMatch(/^completed: /);
    expect(frame.some((line) => line.includes('step:') || line.includes('gives up'))).toBe(false);
    expect(progress.ended).toBe(true);
  });
});

describe('the night ETA', () => {
  const start = '2026-11-21T02:00:00.000Z';
  it('is the estimate less the time gone, then the time over it', () => {
    expect(nightEta(600, start, Date.parse(start) + 240_000)).toEqual({
      elapsedSeconds: 240,
      estimateSeconds: 600,
      remainingSeconds: 360,
      overSeconds: 0,
    });
    expect(nightEta(600, start, Date.parse(start) + 700_000)).toMatchObject({
      remainingSeconds: 0,
      overSeconds: 100,
    });
  });
});

/** As the frame prints durations (`formatDuration`): `5 min`, `3 min 55 s`, `40 s`. */
function formatSeconds(total: number): string {
  const minutes = Math.floor(total / 60);
  const rest = total % 60;
  if (minutes > 0) return `${minutes} min${rest > 0 ? ` ${rest} s` : ''}`;
  return `${rest} s`;
}
