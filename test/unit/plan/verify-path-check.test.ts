/**
 * How the planner has `lb.verify-path` prove the path: an HTTP request whenever the service is
 * known to speak HTTP (an http listener, or a tcp one with a verify path or an HTTP health
 * check), a bare TCP connect otherwise — and the runbook line says which.
 */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { type Plan, planRollout, type Step } from '#src/plan/index.js';
import { emulatorWorld } from '#support/observed-inventory.js';
import { loadExample, workflowFrom } from '#support/workflows.js';

type VerifyPath = Extract<Step, { action: 'lb.verify-path' }>;

function verifyPath(plan: Plan): VerifyPath {
  const found = plan.steps.find((s): s is VerifyPath => s.action === 'lb.verify-path');
  if (found === undefined) throw new Error('no lb.verify-path step');
  return found;
}

const created = (listener: string, verify = '') => `name: w
region: cn-hangzhou
loadBalancer:
  create: { name: web-slb }
  listeners:
    - ${listener}
${verify}backends:
  instances: [i-emu-web-1, i-emu-web-2]
drain:
  probe: { kind: none, waitSeconds: 1 }
  timeoutSeconds: 60
`;

function planOf(text: string): Plan {
  const { spec, source } = workflowFrom(text);
  return planRollout(spec, emulatorWorld(), source, sha256Hex);
}

describe('lb.verify-path: the planner decides how the path is proven', () => {
  it.each<[string, string, string, 'http' | 'tcp', string]>([
    [
      'a tcp listener with an HTTP health check requests its URI',
      '{ protocol: tcp, port: 8080, backendPort: 8080, healthCheck: { type: http, uri: /healthz } }',
      '',
      'http',
      '/healthz',
    ],
    [
      'a tcp listener with a tcp check but a verify path requests that path',
      '{ protocol: tcp, port: 8080, backendPort: 8080 }',
      '  verify: { path: /ping }\n',
      'http',
      '/ping',
    ],
    [
      'an http listener requests over http',
      '{ protocol: http, port: 80, backendPort: 8080, healthCheck: { uri: /status } }',
      '',
      'http',
      '/status',
    ],
    [
      'a tcp listener with a tcp check and no verify path only connects',
      '{ protocol: tcp, port: 8080, backendPort: 8080 }',
      '',
      'tcp',
      '/',
    ],
    [
      'a verify block without a path does not make a plain tcp service HTTP',
      '{ protocol: tcp, port: 8080, backendPort: 8080 }',
      '  verify: { timeoutSeconds: 30 }\n',
      'tcp',
      '/',
    ],
  ])('%s', (_name, listener, verify, check, path) => {
    const step = verifyPath(planOf(created(listener, verify)));
    expect(step.params.check).toBe(check);
    expect(step.params.path).toBe(path);
    if (check === 'http') {
      expect(step.description).toMatch(new RegExp(`^Request ${path} over HTTP through web-slb`));
      expect(step.description).toContain('like curl --resolve');
    } else {
      expect(step.description).toMatch(/^Connect over TCP through web-slb/);
      expect(step.description).toContain('no HTTP request');
      expect(step.description).not.toContain('curl');
    }
  });

  it('the seed story (TCP 8080 with an HTTP check) proves /healthz over HTTP', () => {
    const seed = loadExample('workflows/kernel-patch.yaml');
    const step = verifyPath(planRollout(seed.spec, emulatorWorld(), seed.source, sha256Hex));
    expect(step.params).toMatchObject({
      protocol: 'tcp',
      port: 8080,
      check: 'http',
      path: '/healthz',
      expectStatus: [200],
    });
  });
});
