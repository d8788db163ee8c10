/**
 * `drainctl run` refuses before changing anything: without --yes on a non-terminal stdin, and
 * when the plan is not the approved one (--plan-sha256); runs the approved one to completion
 * and reports each node (kernel and weight before/after). `status` without runs says so. A
 * new run after a completed one starts; with skipIfCompliant it skips servers already patched.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainctl, endState, type RunEnv, startRunEnv } from '#support/rollout-on-emulator.js';

let env: RunEnv;
beforeAll(async () => {
  env = await startRunEnv({});
});
afterAll(async () => {
  await env?.close();
});

const OLD = '3.10.0-1160.el7.x86_64';
const NEW = '3.10.0-1160.119.1.el7.x86_64';

describe('drainctl run', () => {
  it('says there is no run yet', async () => {
    const status = await drainctl(env, ['status']);
    expect(status.code).toBe(3);
    expect(status.stderr).toContain('NO_RUNS');
  });

  it('refuses without --yes when stdin is not a terminal, changing nothing', async () => {
    const run = await drainctl(env, ['run', env.workflow]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('refusing to change anything: stdin is not a terminal');
    expect(run.stderr).toContain(`drainctl run ${env.workflow} --yes --plan-sha256`);
    // Refused before the runbook: a script reads one line, not a runbook and then a refusal.
    expect(run.stdout).toBe('');
    expect(endState(env).kernels['i-emu-web-1']).toBe(OLD);
  });

  it('refuses a plan that differs from the approved sha256', async () => {
    const run = await drainctl(env, [
      'run',
      env.workflow,
      '--yes',
      '--plan-sha256',
      'a'.repeat(64),
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('PLAN_CHANGED: the plan changed since it was approved');
    expect(endState(env).kernels['i-emu-web-1']).toBe(OLD);
  });

  it('runs the approved plan and reports every node', async () => {
    const plan = await drainctl(env, ['plan', env.workflow, '--json']);
    expect(plan.code).toBe(0);
    const sha = JSON.parse(plan.stdout).sha256 as string;
    const run = await drainctl(env, ['run', env.workflow, '--yes', '--json', '--plan-sha256', sha]);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ outcome: 'completed', exitCode: 0 });
    expect(doc.report.planSha256).toBe(sha);
    expect(
      doc.report.nodes.map((n: Record<string, unknown>) => [
        n.id,
        n.state,
        n.kernelBefore,
        n.kernelAfter,
        n.weightBefore,
        n.weightAfter,
      ]),
    ).toEqual([
      ['i-emu-web-1', 'done', OLD, NEW, 100, 100],
      ['i-emu-web-2', 'done', OLD, NEW, 100, 100],
      ['i-emu-web-3', 'done', OLD, NEW, 100, 100],
    ]);
    const status = await drainctl(env, ['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`run ${doc.runId} (crash-three): completed`);
    expect(status.stdout).toContain(
      `web-2 (i-emu-web-2) batch 2: done, weight 100 → 100, ${OLD} → ${NEW}`,
    );
    // Nothing to continue: no resume hint.
    expect(status.stdout).not.toContain('drainctl resume');
  }, 120_000);

  it('after a completed run, a new one starts; with skipIfCompliant it skips servers already patched', async () => {
    const text = await readFile(env.workflow, 'utf8');
    const compliant = join(dirname(env.workflow), 'compliant.yaml');
    await writeFile(
      compliant,
      text.replace(
        'verify: { command: uname -r, expect: changed }',
        `verify: { command: uname -r, expect: { equals: "${NEW}" }, skipIfCompliant: true }`,
      ),
    );
    const run = await drainctl(env, ['run', compliant, '--yes', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.report.nodes.map((n: Record<string, unknown>) => [n.id, n.state])).toEqual([
      ['i-emu-web-1', 'skipped'],
      ['i-emu-web-2', 'skipped'],
      ['i-emu-web-3', 'skipped'],
    ]);
    const journal = await readFile(join(env.home, 'runs', doc.runId, 'journal.jsonl'), 'utf8');
    expect(journal).not.toContain('"type":"intent"');
    const status = await drainctl(env, ['status', doc.runId]);
    expect(status.stdout).toContain('web-1 (i-emu-web-1) batch 1: skipped (already compliant)');
  }, 120_000);
});
