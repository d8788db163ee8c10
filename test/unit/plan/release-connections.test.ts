// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the workflow syntax under test
/**
 * `drain.releaseConnections`: a command run on a server once it is at weight 0 (nginx's graceful
 * reload) so its keep-alive clients leave at once. The plan runs it as its own step right after
 * the drain, and again after a ramp's pull-back (the restore's undo), with the runbook saying so;
 * a workflow without it plans exactly as before.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { planRollout, renderRunbook } from '#src/plan/index.js';
import { undoLine } from '#src/plan/undo.js';
import { emulatorWorld } from '#support/observed-inventory.js';
import { workflowFrom } from '#support/workflows.js';

const seedText = readFileSync(
  new URL('../../../workflows/kernel-patch.yaml', import.meta.url),
  'utf8',
);
const withRelease = (release: string) => {
  const text = seedText.replace('  onTimeout: halt', `  onTimeout: halt\n${release}`);
  expect(text).not.toBe(seedText);
  return text;
};

function planOf(text: string, env: Record<string, string> = {}) {
  const { spec, source } = workflowFrom(text, env);
  return planRollout(spec, emulatorWorld(), source, sha256Hex);
}

describe('drain.releaseConnections in the plan', () => {
  const plan = planOf(withRelease('  releaseConnections:\n    command: nginx -s reload'));
  const steps = (node: string) => plan.steps.filter((s) => s.node === node);

  it('runs right after each drain, via the node host, with its timeout (default 60 s)', () => {
    for (const node of ['i-emu-web-1', 'i-emu-web-2']) {
      const actions = steps(node).map((s) => s.action);
      const drain = actions.indexOf('node.drain');
      expect(actions.slice(drain, drain + 3)).toEqual([
        'node.drain',
        'node.release-connections',
        'node.wait-drained',
      ]);
      const release = steps(node).find((s) => s.action === 'node.release-connections');
      expect(release?.params).toEqual({
        host: { kind: 'ecs', instanceId: node },
        command: 'nginx -s reload',
        timeoutSeconds: 60,
      });
    }
  });

  it('prints what it runs and why it has no undo', () => {
    const release = steps('i-emu-web-1').find((s) => s.action === 'node.release-connections');
    expect(release?.description).toBe(
      'Run `nginx -s reload` on i-emu-web-1 (web-1) via Cloud Assistant now that it is at weight 0, so it lets its keep-alive connections go (within 1 min; if it fails, the drain waits for them to end by themselves)',
    );
    expect(release?.mutates).toBe(true);
    expect(undoLine(release?.inverse ?? { kind: 'none' })).toBe(
      'none — connections let go are not taken back: their clients open new ones through the balancer, to the servers still serving',
    );
    const runbook = renderRunbook(plan);
    expect(runbook).toContain(release?.description);
  });

  it('runs again after a ramp pulls the node back to 0: the restore carries it and its undo says so', () => {
    const restore = steps('i-emu-web-1').find((s) => s.action === 'node.restore');
    expect(restore?.action === 'node.restore' && restore.params.releaseConnections).toEqual({
      host: { kind: 'ecs', instanceId: 'i-emu-web-1' },
      command: 'nginx -s reload',
      timeoutSeconds: 60,
    });
    expect(undoLine(restore?.inverse ?? { kind: 'none' })).toBe(
      'set i-emu-web-1 (web-1) back to weight 0, then run `nginx -s reload` on it so the connections open to it go (node.drain)',
    );
    expect(restore?.description).toContain(
      'puts it back to 0 (then `nginx -s reload` lets the connections open to it go) and halts',
    );
    expect(plan.notes?.find((n) => n.includes('layer-4 listener'))).toContain(
      'Right after a pull-back drainctl runs `nginx -s reload` on the server (drain.releaseConnections)',
    );
  });

  it('is counted in the estimate; a workflow without it plans as before', () => {
    const without = planOf(seedText);
    expect(without.steps.some((s) => s.action === 'node.release-connections')).toBe(false);
    const restore = without.steps.find((s) => s.action === 'node.restore' && s.phase === 'rollout');
    expect(restore?.action === 'node.restore' && 'releaseConnections' in restore.params).toBe(
      false,
    );
    expect(plan.estimate.totalSeconds).toBe(without.estimate.totalSeconds + 2 * 3);
  });

  it('takes its command from the environment as a secret, like every command', () => {
    const { secrets } = workflowFrom(
      withRelease('  releaseConnections:\n    command: reload-app --token ${RELOAD_TOKEN}'),
      { RELOAD_TOKEN: 'MARK-reload-9' },
    );
    expect(secrets).toContain('MARK-reload-9');
  });
});
