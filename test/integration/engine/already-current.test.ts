/**
 * Servers that need nothing, through the real binary against the emulator (whose Cloud
 * Assistant answers `yum -q check-update kernel` with 100 while a newer kernel is available and
 * `needs-restarting -r` with 1 while one waits for a reboot):
 * - with `patch.neededWhen`, a server already current is skipped — no drain, no reboot;
 * - with the skip turned off, a patch that had nothing to do (`expect: changed`, output
 *   unchanged, the checks find nothing needed) puts the server back through its ramp;
 * - a check that cannot answer leaves the server untouched and halts, naming it;
 * - without checks, an unchanged output still leaves the server out, `unpatched`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTopology } from '#mocks/index.js';
import {
  drainctl,
  endState,
  journal,
  type RunEnv,
  startRunEnv,
} from '#support/rollout-on-emulator.js';

const OLD = '3.10.0-1160.el7.x86_64';
const NEW = '3.10.0-1160.119.1.el7.x86_64';
const CHECKS =
  "  neededWhen:\n    - { command: 'yum -q check-update kernel', exitCode: 100 }\n    - { command: 'needs-restarting -r', exitCode: 1 }\n";

let env: RunEnv;
beforeAll(async () => {
  // web-2 already runs the newest kernel.
  env = await startRunEnv({
    emulator: {
      topology: {
        ...defaultTopology,
        instances: (defaultTopology.instances ?? []).map((instance) =>
          instance.id === 'i-emu-web-2' ? { ...instance, kernel: NEW } : instance,
        ),
      },
    },
  });
});
afterAll(async () => {
  await env?.close();
});

/** The environment's workflow with its `patch` section changed. */
async function variant(
  name: string,
  change: { checks?: string; verify?: string },
): Promise<string> {
  let text = await readFile(env.workflow, 'utf8');
  if (change.checks !== undefined) {
    text = text.replace('patch:\n  commands:', `patch:\n${change.checks}  commands:`);
  }
  if (change.verify !== undefined) {
    text = text.replace('verify: { command: uname -r, expect: changed }', change.verify);
  }
  const file = join(env.dir, `${name}.yaml`);
  await writeFile(file, text);
  return file;
}

interface RunDoc {
  runId: string;
  outcome: string;
  report: {
    summary: string;
    haltReason?: string;
    nodes: Array<{
      id: string;
      state: string;
      reason?: string;
      detail?: string;
      weightAfter?: number;
    }>;
  };
}

async function intentsOf(runId: string): Promise<Array<{ type: string; [k: string]: unknown }>> {
  return (await journal(env, runId)).filter((e) => e.type === 'intent');
}

describe('servers that need nothing', () => {
  it('with neededWhen, a server already current is skipped: no drain, no reboot', async () => {
    const workflow = await variant('checks', { checks: CHECKS });
    const run = await drainctl(env, ['run', workflow, '--yes', '--json']);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    const doc = JSON.parse(run.stdout) as RunDoc;
    expect(doc.report.summary).toBe('all 3 node(s) done (1 skipped, already compliant)');
    expect(doc.report.nodes.map((n) => [n.id, n.state])).toEqual([
      ['i-emu-web-1', 'done'],
      ['i-emu-web-2', 'skipped'],
      ['i-emu-web-3', 'done'],
    ]);
    expect(doc.report.nodes[1]?.detail).toBe(
      'already compliant: no check says the patch is needed (`yum -q check-update kernel` exited 0, `needs-restarting -r` exited 0) before its drain; no drain, no patch, no reboot',
    );
    const intents = await intentsOf(doc.runId);
    expect(intents.filter((e) => e.node === 'i-emu-web-2')).toEqual([]);
    expect(intents.filter((e) => e.node === 'i-emu-web-1').map((e) => e.op)).toContain('reboot');
    expect(endState(env).kernels).toEqual({
      'i-emu-web-1': NEW,
      'i-emu-web-2': NEW,
      'i-emu-web-3': NEW,
    });
  }, 120_000);

  it('a patch that had nothing to do (changed, unchanged, the checks say current) returns the server to service', async () => {
    const workflow = await variant('no-skip', {
      checks: CHECKS,
      verify: 'verify: { command: uname -r, expect: changed, skipIfCompliant: false }',
    });
    const run = await drainctl(env, ['run', workflow, '--yes', '--json']);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    const doc = JSON.parse(run.stdout) as RunDoc;
    expect(doc.outcome).toBe('completed');
    expect(doc.report.summary).toBe('all 3 node(s) done (3 unchanged: already current)');
    for (const node of doc.report.nodes) {
      expect(node).toMatchObject({ state: 'done', weightAfter: 100 });
      expect(node.detail).toBe(
        `unchanged: already current: still ${NEW}, and no check says the patch is needed (\`yum -q check-update kernel\` exited 0, \`needs-restarting -r\` exited 0); the patch had nothing to do`,
      );
    }
    // They were really drained and rebooted (the skip was off), and came back through the ramp.
    const ops = (await intentsOf(doc.runId)).map((e) => e.op);
    expect(ops.filter((op) => op === 'reboot')).toHaveLength(3);
    expect(endState(env).weights).toEqual({
      'i-emu-web-1': 100,
      'i-emu-web-2': 100,
      'i-emu-web-3': 100,
    });
    const status = await drainctl(env, ['status', doc.runId]);
    expect(status.stdout).toContain(
      `web-1 (i-emu-web-1) batch 1: done, weight 100 → 100, ${NEW} → ${NEW}`,
    );
    expect(status.stdout).toContain('      unchanged: already current: still');
  }, 120_000);

  it('a check that cannot answer leaves the server untouched and halts, naming it', async () => {
    const workflow = await variant('broken-check', {
      checks: "  neededWhen:\n    - { command: 'false', exitCode: 100 }\n",
    });
    const run = await drainctl(env, ['run', workflow, '--yes', '--json']);
    expect(run.code, run.stderr.slice(-2000)).toBe(2);
    const doc = JSON.parse(run.stdout) as RunDoc;
    expect(doc.outcome).toBe('halted');
    expect(doc.report.haltReason).toMatch(
      /^web-1 \(i-emu-web-1\): cannot tell whether web-1 needs the patch, so nothing was done to it: `false` answered failed, exit 1, .*expected exit 0 \(current\) or 100 \(needs the patch\)$/,
    );
    expect(doc.report.nodes.map((n) => n.state)).toEqual(['pending', 'pending', 'pending']);
    expect(await intentsOf(doc.runId)).toEqual([]);
    expect(Object.values(endState(env).weights)).toEqual([100, 100, 100]);
  }, 120_000);

  it('without checks, an unchanged output still leaves the server out, unpatched', async () => {
    const run = await drainctl(env, ['run', env.workflow, '--yes', '--json', '--new-run']);
    expect(run.code, run.stderr.slice(-2000)).toBe(2);
    const doc = JSON.parse(run.stdout) as RunDoc;
    expect(doc.report.nodes[0]).toMatchObject({
      id: 'i-emu-web-1',
      state: 'left-out',
      reason: 'unpatched',
      detail: expect.stringContaining(`unchanged: still ${NEW} (the patch did not take effect)`),
    });
    expect(doc.report.nodes.slice(1).map((n) => n.state)).toEqual(['pending', 'pending']);
    expect(endState(env).weights['i-emu-web-1']).toBe(0);
    expect(endState(env).kernels['i-emu-web-1']).not.toBe(OLD);
  }, 120_000);
});
