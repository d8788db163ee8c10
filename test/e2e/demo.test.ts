/**
 * `npm start` as a user sees it: `drainctl demo --json` as a real process. Zero failed requests,
 * every kernel changed, every weight back to its original, DNS on the load balancer — checked
 * against the report's raw figures, not only its verdict.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DemoReport } from '#src/demo/index.js';
import { runDrainctl } from '#support/cli-runner.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('drainctl demo', () => {
  it('patches four kernels under load with zero failed requests and every promise kept', {
    timeout: 180_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drainctl-demo-'));
    dirs.push(dir);
    const run = await runDrainctl(['demo', '--json'], {
      env: { DRAINCTL_HOME: dir },
      timeoutMs: 170_000,
    });
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    const report = JSON.parse(run.stdout) as DemoReport;
    // Without a terminal the demo prints the run's own progress lines (as `drainctl run` does),
    // on stderr beside the JSON, and never a cursor code.
    expect(run.stderr).toMatch(/^\d\d:\d\d:\d\d \S+ \(i-\S+\): pending → draining$/m);
    expect(run.stderr).toMatch(/^\d\d:\d\d:\d\d run completed: /m);
    expect(run.stderr).not.toContain(String.fromCharCode(27));

    expect(report.requests.total).toBeGreaterThan(5000);
    expect(report.requests.failed).toBe(0);
    expect(report.nodes).toHaveLength(4);
    for (const node of report.nodes) {
      expect(node.kernelBefore).toBe('3.10.0-1160.el7.x86_64');
      expect(node.kernelAfter).toBe('3.10.0-1160.119.1.el7.x86_64');
      expect(node.weightBefore).toBe(100);
      expect(node.weightAfter).toBe(node.weightBefore);
    }
    expect(report.dns.before?.value).not.toBe(report.dns.loadBalancerAddress);
    expect(report.dns.after?.value).toBe(report.dns.loadBalancerAddress);
    expect(report.invariants.every((v) => v.held)).toBe(true);
    expect(report.ok).toBe(true);
  });
});
