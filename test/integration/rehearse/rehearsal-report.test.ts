import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFaultSpec } from '#src/app/rehearsal-faults.js';
import {
  faultEffect,
  readRehearsalReport,
  refuseUnlessRehearsed,
} from '#src/app/rehearsal-report.js';
import { InvalidInputError } from '#src/errors/index.js';
import type { Plan } from '#src/plan/types.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rehearsal-report-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const plan = { sha256: 'f'.repeat(64), workflow: { file: 'night.yaml' } } as Plan;

describe('run --rehearsal', () => {
  it('lets the rehearsed plan through and refuses another with exit 3', async () => {
    const file = join(dir, 'report.json');
    await writeFile(
      file,
      JSON.stringify({
        kind: 'drainctl-rehearsal',
        planSha256: plan.sha256,
        mirrorPlanSha256: plan.sha256,
      }),
    );
    const report = await readRehearsalReport(file);
    expect(() => refuseUnlessRehearsed(plan, report, file)).not.toThrow();
    const other = { ...plan, sha256: 'e'.repeat(64) };
    expect(() => refuseUnlessRehearsed(other, report, file)).toThrow(InvalidInputError);
    expect(() => refuseUnlessRehearsed(other, report, file)).toThrow(
      /mirrorPlanSha256: the rehearsed plan ffffffffffff… is not this plan eeeeeeeeeeee…/,
    );
  });

  it('refuses a file that is not a rehearsal report', async () => {
    const file = join(dir, 'plan.json');
    await writeFile(file, JSON.stringify({ sha256: plan.sha256 }));
    await expect(readRehearsalReport(file)).rejects.toThrow(/kind: expected a rehearsal report/);
    await expect(readRehearsalReport(join(dir, 'missing.json'))).rejects.toThrow(InvalidInputError);
  });
});

describe('faultEffect', () => {
  const run = {
    runId: 'r-1',
    outcome: 'halted' as const,
    summary: '',
    nodes: [
      { id: 'i-6', name: 'web-6', state: 'done', weightAfter: 100 },
      { id: 'i-7', name: 'web-7', state: 'left-out', weightAfter: 0, reason: 'unreachable' },
      ...Array.from({ length: 13 }, (_, i) => ({
        id: `i-${i + 8}`,
        name: `web-${i + 8}`,
        state: 'pending',
      })),
    ],
  };

  it("tells a server fault's outcome in one line", () => {
    expect(faultEffect(parseFaultSpec('boot-failure:web-7'), 'i-7', run, new Map())).toBe(
      'web-7 left out at weight 0 (unreachable), night halted, web-8…web-20 untouched',
    );
  });

  it('tells how often the cloud answered an API fault', () => {
    const calls = new Map([
      ['SetBackendServers', { total: 9, failed: new Map([['Throttling.User', 3]]) }],
    ]);
    expect(faultEffect(parseFaultSpec('throttle:SetBackendServers'), undefined, run, calls)).toBe(
      'SetBackendServers answered Throttling.User 3 times of 9 calls, night halted, web-8…web-20 untouched',
    );
  });
});
