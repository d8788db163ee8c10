// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is workflow syntax
/**
 * The workflow's `alertGate` in the plan: carried as data the engine executes, shown in the
 * runbook from that data, and part of the sha256 — while a plan without one hashes as before.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { planRollout, renderRunbook } from '#src/plan/index.js';
import { repoRoot } from '#support/cli-runner.js';
import { emulatorWorld } from '#support/observed-inventory.js';
import { workflowFrom } from '#support/workflows.js';

const seedText = readFileSync(`${repoRoot}workflows/kernel-patch.yaml`, 'utf8');

function planWith(block: string, env: Record<string, string> = {}) {
  const workflow = workflowFrom(`${seedText}\n${block}`, env);
  return planRollout(workflow.spec, emulatorWorld(), workflow.source, sha256Hex);
}

const GATE = `alertGate:
  prometheusUrl: http://prometheus.internal:9090
  labels:
    severity: critical
`;

describe('the alert gate in the plan', () => {
  it('carries the gate with its defaults, and every node gate step and the runbook name it', () => {
    const plan = planWith(GATE);
    expect(plan.alertGate).toEqual({
      prometheusUrl: 'http://prometheus.internal:9090',
      query: 'ALERTS{alertstate="firing"}',
      labels: { severity: 'critical' },
      timeoutMs: 5000,
      maxWaitMinutes: 30,
      pollSeconds: 30,
    });
    const runbook = renderRunbook(plan);
    expect(runbook).toContain(
      '  - alert gate: nothing matches ALERTS{alertstate="firing"} with severity="critical" on http://prometheus.internal:9090; while it returns anything the server waits (asked every 30 s, up to 30 min), then the rollout halts with it untouched; Prometheus unreachable or an error blocks',
    );
    const gates = plan.steps.filter((step) => step.action === 'gate');
    expect(gates.length).toBeGreaterThan(0);
    for (const gate of gates) {
      expect(gate.description).toContain(
        ': first, nothing matches the alert query, else it waits in service (asked every 30 s, up to 30 min) and then the rollout halts; at least 1 healthy',
      );
    }
  });

  it('is part of the sha256: another query, label or wait is another plan', () => {
    const without = planWith('');
    const base = planWith(GATE);
    const otherQuery = planWith(`${GATE}  query: ALERTS{alertstate="firing", team="web"}\n`);
    const otherLabel = planWith(GATE.replace('critical', 'page'));
    const otherWait = planWith(`${GATE}  maxWaitMinutes: 5\n`);
    const hashes = [without, base, otherQuery, otherLabel, otherWait].map((plan) => plan.sha256);
    expect(new Set(hashes).size).toBe(5);
    // The same gate observed again is the same plan.
    expect(planWith(GATE).sha256).toBe(base.sha256);
  });

  it('shows the kind of credentials, never their value', () => {
    const plan = planWith(`${GATE}  auth:\n    bearerToken: \${PROM_TOKEN}\n`, {
      PROM_TOKEN: 'tok-3f9a7c1e55',
    });
    expect(plan.alertGate?.auth).toEqual({ bearerToken: 'tok-3f9a7c1e55' });
    const runbook = renderRunbook(plan);
    expect(runbook).toContain('on http://prometheus.internal:9090, bearer token;');
    expect(runbook).not.toContain('tok-3f9a7c1e55');
  });
});
