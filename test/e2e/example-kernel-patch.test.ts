/**
 * workflows/kernel-patch.yaml runs unchanged against `drainctl emulator` with its default
 * topology and the environment of .env.example — the promise its header comment makes to the
 * people who copy it, "a re-run is safe" included: run again, it creates nothing, drains
 * nobody, reboots nobody.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runDrainctl } from '#support/cli-runner.js';
import { type EmulatorProcess, startEmulatorProcess } from '#support/emulator-process.js';
import { clientsOfBalancer } from '#support/example-clients.js';

const NEW_KERNEL = '3.10.0-1160.119.1.el7.x86_64';
let emulator: EmulatorProcess;

beforeAll(async () => {
  emulator = await startEmulatorProcess();
});
afterAll(async () => {
  await emulator?.stop();
});

describe('workflows/kernel-patch.yaml', () => {
  it('moves www behind a new SLB and patches web-1 and web-2; a re-run creates nothing twice and drains nobody', {
    timeout: 360_000,
  }, async () => {
    const workflow = join(repoRoot, 'workflows', 'kernel-patch.yaml');
    // The ramps are judged on real requests: clients on the balancer, as in production.
    const clients = clientsOfBalancer(emulator, 40);
    const run = await runDrainctl(['run', workflow, '--yes', '--json'], {
      cwd: emulator.dir,
      env: emulator.env,
      timeoutMs: 200_000,
    }).finally(() => clients.stop());
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    const result = JSON.parse(run.stdout) as { outcome: string; report: { leftOut: unknown[] } };
    expect(result.outcome).toBe('completed');
    expect(result.report.leftOut).toEqual([]);

    const state = await emulator.state();
    expect(state.loadBalancers).toHaveLength(1);
    const [balancer] = state.loadBalancers;
    expect(balancer?.backends.map((b) => [b.serverId, b.weight])).toEqual([
      ['i-emu-web-1', 100],
      ['i-emu-web-2', 100],
    ]);
    for (const id of ['i-emu-web-1', 'i-emu-web-2']) {
      expect(state.instances.find((i) => i.id === id)?.kernel).toBe(NEW_KERNEL);
    }
    const www = state.records.find((r) => r.name === 'www.example.com');
    expect(www?.value).toBe(balancer?.address);
    expect(www?.ttl).toBe(10); // raised back to what it was

    // The balancer is found again by name and tags: the re-run's plan creates nothing.
    const again = await runDrainctl(['plan', workflow, '--json'], {
      cwd: emulator.dir,
      env: emulator.env,
    });
    expect(again.code, again.stderr).toBe(0);
    const plan = JSON.parse(again.stdout) as { steps: Array<{ action: string }> };
    expect(plan.steps.map((s) => s.action)).not.toContain('lb.create');
    expect((await emulator.state()).loadBalancers).toHaveLength(1);

    // Run again: both servers are on the newest kernel, so neither is drained nor rebooted.
    const rerun = await runDrainctl(['run', workflow, '--yes', '--json'], {
      cwd: emulator.dir,
      env: emulator.env,
      timeoutMs: 200_000,
    });
    expect(rerun.code, rerun.stderr.slice(-3000)).toBe(0);
    const second = JSON.parse(rerun.stdout) as {
      runId: string;
      outcome: string;
      report: {
        summary: string;
        leftOut: unknown[];
        nodes: Array<{
          id: string;
          state: string;
          weightBefore: number;
          weightAfter: number;
          detail?: string;
        }>;
      };
    };
    expect(second.outcome).toBe('completed');
    expect(second.report.summary).toBe('all 2 node(s) done (2 skipped, already compliant)');
    expect(second.report.leftOut).toEqual([]);
    expect(second.report.nodes.map((n) => [n.id, n.state, n.weightBefore, n.weightAfter])).toEqual([
      ['i-emu-web-1', 'skipped', 100, 100],
      ['i-emu-web-2', 'skipped', 100, 100],
    ]);
    for (const node of second.report.nodes) {
      expect(node.detail).toContain(
        'already compliant: no check says the patch is needed (`yum -q check-update kernel` exited 0, `needs-restarting -r` exited 0)',
      );
    }
    const journal = (
      await readFile(
        join(emulator.env.DRAINCTL_HOME ?? '', 'runs', second.runId, 'journal.jsonl'),
        'utf8',
      )
    )
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { type: string; op?: string });
    // Not one weight change, command or reboot: the run only looked.
    expect(journal.filter((e) => e.type === 'intent').map((e) => e.op)).toEqual([]);
    const after = await emulator.state();
    expect(after.loadBalancers[0]?.backends.map((b) => [b.serverId, b.weight])).toEqual([
      ['i-emu-web-1', 100],
      ['i-emu-web-2', 100],
    ]);
    expect(after.records.find((r) => r.name === 'www.example.com')).toEqual(www);
  });
});
