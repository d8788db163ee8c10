// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is workflow syntax
import { describe, expect, it } from 'vitest';
import { alertGateSchema } from '#src/alert-gate/index.js';
import { InvalidInputError } from '#src/errors/index.js';
import { parseWorkflow } from '#src/workflow/index.js';

const BASE = `name: web
region: cn-hangzhou
loadBalancer:
  id: lb-abc
backends:
  instances: [i-a, i-b]
drain:
  probe:
    kind: access-log
    path: /var/log/{name}/access.log
`;

function problems(text: string, env: Record<string, string> = {}): InvalidInputError {
  try {
    parseWorkflow({ file: 'bad.yaml', text }, env);
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('the workflow was accepted');
}

describe('alertGate in a workflow', () => {
  it('defaults to firing alerts, no label filter, 5 s, a 30 min wait asked every 30 s', () => {
    expect(alertGateSchema.parse({ prometheusUrl: 'http://prom:9090' })).toEqual({
      prometheusUrl: 'http://prom:9090',
      query: 'ALERTS{alertstate="firing"}',
      labels: {},
      timeoutMs: 5000,
      maxWaitMinutes: 30,
      pollSeconds: 30,
    });
  });

  it('names the path, what was expected and what was found', () => {
    const error = problems(
      `${BASE}alertGate:\n  prometheusUrl: prom:9090\n  timeoutMs: 10\n  labels: { "bad-name": x }\n  extra: 1\n`,
    );
    const paths = error.issues.map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'alertGate.prometheusUrl',
        'alertGate.timeoutMs',
        'alertGate.labels.bad-name',
        'alertGate.extra',
      ]),
    );
  });

  it('refuses a literal token or password without echoing it; referenced ones are secrets', () => {
    const token = problems(
      `${BASE}alertGate:\n  prometheusUrl: http://prom:9090\n  auth: { bearerToken: tok-literal-1234 }\n`,
    );
    expect(token.issues[0]?.path).toBe('alertGate.auth.bearerToken');
    expect(token.message).not.toContain('tok-literal-1234');
    const password = problems(
      `${BASE}alertGate:\n  prometheusUrl: http://prom:9090\n  auth: { username: ops, password: pw-literal-1234 }\n`,
    );
    expect(password.issues[0]?.path).toBe('alertGate.auth.password');
    expect(JSON.stringify(password)).not.toContain('pw-literal-1234');

    const { secrets, spec } = parseWorkflow(
      {
        file: 'w.yaml',
        text: `${BASE}alertGate:\n  prometheusUrl: http://prom:9090\n  auth:\n    username: ops\n    password: \${PROM_PASSWORD}\n`,
      },
      { PROM_PASSWORD: 'pw-from-env-77' },
    );
    expect(secrets).toContain('pw-from-env-77');
    expect(spec.alertGate?.auth).toEqual({ username: 'ops', password: 'pw-from-env-77' });
  });
});
