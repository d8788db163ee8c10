/**
 * `patch.kind: nginx-hot-upgrade` in the plan: one step per step of the upgrade, in order, each
 * with the settings the engine runs and its way back as the undo the runbook prints; no
 * command, no reboot.
 */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { planRollout, renderRunbook } from '#src/plan/index.js';
import { undoLine } from '#src/plan/undo.js';
import { balancer, emulatorWorld } from '#support/observed-inventory.js';
import { loadExample } from '#support/workflows.js';

const example = loadExample('workflows/nginx-hot-upgrade.yaml', { LOAD_BALANCER_ID: 'lb-emu-1' });
const world = emulatorWorld({
  loadBalancer: balancer([
    { id: 'i-emu-web-1', weight: 100 },
    { id: 'i-emu-web-2', weight: 100 },
    { id: 'i-emu-web-3', weight: 100 },
  ]),
});
const { tags: _byTags, ...backends } = example.spec.backends;
const plan = planRollout(
  { ...example.spec, backends: { ...backends, instances: ['i-emu-web-1', 'i-emu-web-2'] } },
  world,
  example.source,
  sha256Hex,
);
const upgrade = plan.steps.filter(
  (s) => s.node === 'i-emu-web-1' && s.action === 'node.nginx-upgrade',
);

describe('the nginx hot upgrade in the plan', () => {
  it('plans its five steps after the drain and before the health check, no patch command or reboot', () => {
    const actions = plan.steps.filter((s) => s.node === 'i-emu-web-1').map((s) => s.action);
    expect(actions).not.toContain('node.patch');
    expect(actions).not.toContain('node.reboot');
    const first = actions.indexOf('node.nginx-upgrade');
    expect(actions[first - 1]).toBe('node.wait-drained');
    expect(actions[first + 5]).toBe('node.wait-healthy');
    expect(upgrade.map((s) => s.action === 'node.nginx-upgrade' && s.params.step)).toEqual([
      'install',
      'usr2',
      'new-master',
      'winch',
      'quit-old',
    ]);
  });

  it("carries the settings with the server's own URL", () => {
    const [install] = upgrade;
    const privateIp = world.instances.find((i) => i.id === 'i-emu-web-1')?.privateIp;
    expect(install?.params).toMatchObject({
      step: 'install',
      upgrade: {
        binary: '/usr/sbin/nginx',
        newBinary: '/opt/nginx-1.26/sbin/nginx',
        pidFile: '/run/nginx.pid',
        url: `http://${privateIp}/healthz`,
        stepTimeoutSeconds: 30,
      },
    });
  });

  it('prints each step with its way back as the undo; none after QUIT', () => {
    const runbook = renderRunbook(plan);
    for (const step of upgrade) expect(runbook).toContain(`${step.index}. ${step.description}`);
    expect(upgrade.map((s) => undoLine(s.inverse))).toEqual([
      'put /usr/sbin/nginx.drainctl-old back as /usr/sbin/nginx on i-emu-web-1 (web-1) (node.nginx-upgrade)',
      'the way back on i-emu-web-1 (web-1): /usr/sbin/nginx.drainctl-old back as /usr/sbin/nginx, HUP to the old master (its workers start again), QUIT to the new one (node.nginx-upgrade)',
      'nothing to undo (read-only)',
      'the way back on i-emu-web-1 (web-1): /usr/sbin/nginx.drainctl-old back as /usr/sbin/nginx, HUP to the old master (its workers start again), QUIT to the new one (node.nginx-upgrade)',
      'none — the old master has exited: going back now is another upgrade, to the old binary',
    ]);
    expect(upgrade.map((s) => s.mutates)).toEqual([true, true, false, true, true]);
  });
});
