/**
 * `drainctl plan`, `drainctl inspect` and the SLB adapter's `ensureListener` (what `run` does at
 * `lb.ensure-listener`) give the same verdict on an existing listener, against the emulator over
 * HTTP: one that differs from the workflow only in its scheduler or a health-check threshold is
 * refused by all three — never passed by the plan and then refused in the middle of a run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectWorkflowFile } from '#src/app/inspect.js';
import { observeInventory } from '#src/app/observe-inventory.js';
import { loadWorkflow } from '#src/app/workflow-file.js';
import { readEnvironment } from '#src/config/index.js';
import { sha256Hex } from '#src/engine/sha256.js';
import { DrainctlError, InvalidInputError } from '#src/errors/index.js';
import { planRollout } from '#src/plan/index.js';
import { listenerConfig } from '#src/plan/listener-config.js';
import type { ListenerConfig } from '#src/ports/index.js';
import { useAliyunEnv } from '#support/emulator-adapters.js';

const env = useAliyunEnv();
const scratch = mkdtempSync(join(tmpdir(), 'drainctl-listener-agreement-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const workflowText = (loadBalancerId: string) => `name: agree
region: cn-hangzhou
loadBalancer:
  id: ${loadBalancerId}
  listeners:
    - protocol: tcp
      port: 8080
      backendPort: 8080
      healthCheck: { type: http, uri: /healthz }
backends:
  instances: [i-emu-web-1, i-emu-web-2]
drain:
  probe: { kind: none, waitSeconds: 1 }
  timeoutSeconds: 60
`;

interface Verdicts {
  plan: string[];
  inspect: { ok: boolean; listener: string };
  ensureListener: string;
}

/** A balancer someone built with `live`, then the three verdicts on the workflow's listener. */
async function verdicts(
  name: string,
  live: (wanted: ListenerConfig) => ListenerConfig,
): Promise<Verdicts> {
  const { ports, emu } = env();
  const lb = await ports.loadBalancer.create({
    name: `agree-${name}`,
    addressType: 'intranet',
    tags: {},
    clientToken: `agree-${name}`,
  });
  const file = join(scratch, `${name}.yaml`);
  writeFileSync(file, workflowText(lb.id));
  const { spec, source } = await loadWorkflow(file, {});
  const wanted = listenerConfig(spec.loadBalancer.listeners[0] ?? expect.fail('no listener'));
  await ports.loadBalancer.ensureListener(lb.id, live(wanted));

  let plan: string[] = [];
  try {
    planRollout(spec, await observeInventory(spec, ports, { file }), source, sha256Hex);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    plan = [error.message];
  }
  const report = await inspectWorkflowFile(file, {
    env: {},
    environment: readEnvironment({ DRAINCTL_CLOUD_ENDPOINT: emu.endpoint }, scratch),
    ports,
  });
  const line = report.checklist.find((l) => l.id === 'listener:tcp:8080');
  const ensureListener = await ports.loadBalancer.ensureListener(lb.id, wanted).then(
    () => 'accepted',
    (error: unknown) => {
      if (error instanceof DrainctlError) return `${error.code}: ${error.message}`;
      throw error;
    },
  );
  return {
    plan,
    inspect: { ok: report.ok, listener: `${line?.status}: ${line?.detail}` },
    ensureListener,
  };
}

describe('plan, inspect and the adapter agree on an existing listener', () => {
  it.each<[string, (wanted: ListenerConfig) => ListenerConfig, string]>([
    ['scheduler', (w) => ({ ...w, scheduler: 'rr' }), 'scheduler: live rr, workflow wrr'],
    [
      'healthy-threshold',
      (w) => ({ ...w, healthCheck: { ...w.healthCheck, healthyThreshold: 5 } }),
      'healthCheck.healthyThreshold: live 5, workflow 3',
    ],
  ])(
    'a listener differing only in %s is refused by all three, naming it',
    async (name, live, difference) => {
      const seen = await verdicts(name, live);
      expect(seen.plan).toEqual([
        expect.stringMatching(
          new RegExp(`loadBalancer\\.listeners\\[0\\].*${escapeRegExp(difference)}`),
        ),
      ]);
      expect(seen.inspect.ok).toBe(false);
      expect(seen.inspect.listener).toBe(`fail: exists but differs: ${difference}`);
      expect(seen.ensureListener).toMatch(
        new RegExp(
          `^LISTENER_CONFIG_DIFFERS: .*differs from the workflow: ${escapeRegExp(difference)}$`,
        ),
      );
    },
  );

  it('a listener created from a config that leaves optional settings out is the one then found', async () => {
    // The emulator's own default HTTP codes (http_2xx) are not the comparison's: the adapter
    // must send the comparison's defaults when it creates the listener.
    const { ports } = env();
    const lb = await ports.loadBalancer.create({
      name: 'agree-sparse',
      addressType: 'intranet',
      tags: {},
      clientToken: 'agree-sparse',
    });
    const sparse: ListenerConfig = {
      protocol: 'tcp',
      port: 8080,
      backendPort: 8080,
      scheduler: 'wrr',
      healthCheck: {
        enabled: true,
        type: 'http',
        uri: '/healthz',
        intervalSeconds: 2,
        timeoutSeconds: 5,
        healthyThreshold: 3,
        unhealthyThreshold: 3,
      },
    };
    const created = await ports.loadBalancer.ensureListener(lb.id, sparse);
    expect(created.healthCheck).toMatchObject({ httpCodes: ['http_2xx', 'http_3xx'] });
    await expect(ports.loadBalancer.ensureListener(lb.id, sparse)).resolves.toEqual(created);
  });

  it('the listener the workflow describes is accepted by all three', async () => {
    const seen = await verdicts('same', (wanted) => wanted);
    expect(seen.plan).toEqual([]);
    expect(seen.inspect.listener).toBe('pass: exists, stopped; the run starts it');
    expect(seen.ensureListener).toBe('accepted');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
