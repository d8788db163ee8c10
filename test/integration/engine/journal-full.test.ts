/**
 * The run's journal stops taking writes mid-run, through the real binary against the emulator:
 * the process runs under a file-size limit (`ulimit -f`), so the kernel takes a journal line only
 * in part and refuses the rest — what a DRAINCTL_HOME filling up does. The run stops at once,
 * says JOURNAL_WRITE_FAILED (not a lost lock: there is no other writer) with the file, what
 * happened and each node's state, changes nothing it did not journal first, and `resume`
 * finishes it once the file can be written again. Under a limit of 0 not even the lock file
 * can be written: nothing starts, nothing is left behind.
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binPath, type CliRun } from '#support/cli-runner.js';
import {
  drainctl,
  endState,
  journal,
  latestRunId,
  NODES,
  type RunEnv,
  runEnvPerTest,
} from '#support/rollout-on-emulator.js';

const startEnv = runEnvPerTest();

const NEW = '3.10.0-1160.119.1.el7.x86_64';

/** `drainctl <args>` with every file it writes limited to `blocks` × 512 bytes. */
function limitedDrainctl(env: RunEnv, blocks: number, args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'sh',
      ['-c', `ulimit -f ${blocks} && exec "$@"`, 'sh', process.execPath, binPath, ...args],
      { cwd: env.dir, env: { ...process.env, NO_COLOR: '1', ...env.env }, stdio: 'pipe' },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('a journal that can no longer be written', () => {
  it('stops the run at once with JOURNAL_WRITE_FAILED and the nodes as last journaled; resume finishes it once the file can grow', async () => {
    const env = await startEnv();
    // The plan entry fits; a few kilobytes later — inside the first node's sequence — a line is
    // cut at the limit.
    const plan = await drainctl(env, ['plan', env.workflow, '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    const blocks = Math.ceil((Buffer.byteLength(plan.stdout) + 4096) / 512);
    const run = await limitedDrainctl(env, blocks, ['run', env.workflow, '--yes']);

    expect(run.code, run.stderr).toBe(1);
    const runId = await latestRunId(env);
    const line = run.stderr.trim().split('\n').at(-1) ?? '';
    expect(line).toMatch(
      new RegExp(
        `^drainctl: JOURNAL_WRITE_FAILED: cannot write the run journal ${escapeRegExp(join(env.home, 'runs', runId, 'journal.jsonl'))}: the file is too large .*\\(EFBIG\\); run ${runId} stopped at once and changed nothing more .*; nodes as last journaled: web-1 \\(i-emu-web-1\\) `,
      ),
    );
    expect(line).toContain(`then \`drainctl resume ${runId}\``);
    expect(run.stderr).not.toMatch(/LOCK_LOST|lock lost|another writer/);

    // Fail closed: every weight the run moved has its intent in the journal.
    const entries = await journal(env, runId);
    const weights = endState(env).weights;
    for (const node of NODES) {
      if (weights[node] === 100) continue;
      expect(
        entries.some((e) => e.type === 'intent' && e.op === 'set-weight' && e.node === node),
      ).toBe(true);
    }
    expect(weights['i-emu-web-3']).toBe(100);

    const status = await drainctl(env, ['status', runId]);
    expect(status.stdout).toContain(`run ${runId} (crash-three): interrupted`);
    expect(status.stdout).toContain(`\`drainctl resume ${runId}\``);

    // The disk takes writes again (no limit): resume reconciles and finishes.
    const resumed = await drainctl(env, ['resume', runId, '--yes', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(endState(env).weights).toEqual({
      'i-emu-web-1': 100,
      'i-emu-web-2': 100,
      'i-emu-web-3': 100,
    });
    expect(Object.values(endState(env).kernels)).toEqual([NEW, NEW, NEW]);
  }, 180_000);

  it('when not even the lock file can be written, nothing starts and nothing is left behind', async () => {
    const env = await startEnv();
    const run = await limitedDrainctl(env, 0, ['run', env.workflow, '--yes']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(
      /^drainctl: LOCK_WRITE_FAILED: cannot take the lock on load balancer lb-\S+: cannot write .*\.lock: the file is too large .*\(EFBIG\); nothing was changed \(hint: .*then try again\)$/,
    );
    expect(await readdir(join(env.home, 'locks'))).toEqual([]);
    expect(await readdir(join(env.home, 'runs')).catch(() => [])).toEqual([]);
    expect(endState(env).weights).toEqual({
      'i-emu-web-1': 100,
      'i-emu-web-2': 100,
      'i-emu-web-3': 100,
    });
  }, 60_000);
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
