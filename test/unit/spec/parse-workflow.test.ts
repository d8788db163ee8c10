// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is workflow syntax
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '#src/errors/index.js';
import { parseWorkflow } from '#src/workflow/index.js';
import { repoRoot } from '#support/cli-runner.js';

const BASE = `name: web
region: cn-hangzhou
loadBalancer:
  id: lb-abc
backends:
  instances: [i-a, i-b, i-c]
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

describe('parseWorkflow', () => {
  it('accepts the example workflows and applies the defaults', () => {
    for (const file of [
      'workflows/kernel-patch.yaml',
      'workflows/rolling-patch-existing-slb.yaml',
    ]) {
      const text = readFileSync(`${repoRoot}${file}`, 'utf8');
      const { spec } = parseWorkflow({ file, text }, { LOAD_BALANCER_ID: 'lb-emu-1' });
      expect(spec.region).toBe('cn-hangzhou');
    }
    const { spec } = parseWorkflow({ file: 'w.yaml', text: BASE }, {});
    expect(spec.rollout).toEqual({
      maxUnavailable: 1,
      minHealthy: 1,
      groups: {},
      order: 'listed',
      stopOnFailure: true,
    });
    expect(spec.drain).toMatchObject({ quietSeconds: 30, timeoutSeconds: 600, onTimeout: 'halt' });
    expect(spec.drain.probe).toMatchObject({
      source: 'local',
      format: 'combined',
      filter: { ignoreCidrs: ['100.64.0.0/10'], clientAddress: 'auto' },
    });
    expect(spec.patch.verify).toEqual({
      command: 'uname -r',
      expect: 'changed',
      timeoutSeconds: 60,
    });
    expect(spec.restore.rampPercent).toEqual([10, 50, 100]);
    expect(spec.access.via).toBe('ecs');
  });

  it('lists every problem, each with its path, line, what was expected and what was found', () => {
    const error = problems(
      `${BASE}rollout:\n  maxUnavailabel: 2\n  minHealthy: two\nrestore:\n  rampPercent: [50, 20]\n`,
    );
    expect(error.exitCode).toBe(3);
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.file).toBe('bad.yaml');
    const byPath = Object.fromEntries(error.issues.map((issue) => [issue.path, issue]));
    expect(byPath['rollout.maxUnavailabel']).toMatchObject({
      expected: expect.stringContaining('maxUnavailable'),
      found: expect.stringContaining('did you mean "maxUnavailable"'),
      line: 12,
    });
    expect(byPath['rollout.minHealthy']).toMatchObject({
      expected: 'a count like 2 or a percent like "50%"',
      found: '"two"',
    });
    expect(error.message).toMatch(/^bad\.yaml:12:3: rollout\.maxUnavailabel: expected a known key/);
    expect(error.message).toContain('and 1 more problem');
  });

  it('probe none only waits: quietSeconds and timeoutSeconds are neither needed nor checked', () => {
    const withoutDrainTiming = BASE.replace(
      /drain:\n[\s\S]*$/,
      'drain:\n  probe: { kind: none, waitSeconds: 900 }\n',
    );
    expect(
      parseWorkflow({ file: 'w.yaml', text: withoutDrainTiming }, {}).spec.drain.probe,
    ).toEqual({ kind: 'none', waitSeconds: 900 });
    const leftOver = `${withoutDrainTiming}  quietSeconds: 60\n  timeoutSeconds: 30\n`;
    expect(() => parseWorkflow({ file: 'w.yaml', text: leftOver }, {})).not.toThrow();
  });

  it('checks combinations once the shapes are right, reporting them all', () => {
    const error = problems(
      `${BASE.replace('lb-abc', 'lb-abc\n  create: { name: web-slb }')}rollout:\n  minHealthy: 3\n  groups: { pair: [i-a, i-z] }\nrestore:\n  rampPercent: [50, 20]\ndrain:\n  probe: { kind: connections, port: 8080 }\n  quietSeconds: 60\n  timeoutSeconds: 30\n`.replace(
        /drain:\n {2}probe:\n {4}kind: access-log\n {4}path: \/var\/log\/\{name\}\/access.log\n/,
        '',
      ),
    );
    const paths = error.issues.map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'loadBalancer.create',
        'loadBalancer.listeners',
        'rollout.minHealthy',
        'rollout.groups.pair[1]',
        'restore.rampPercent[1]',
        'drain.quietSeconds',
      ]),
    );
  });

  it('refuses a literal notification secret without echoing it, and returns referenced ones for redaction', () => {
    const literal = problems(
      `${BASE}notify:\n  channels:\n    - type: dingtalk\n      url: https://oapi.dingtalk.com/robot/send?access_token=abc\n      secret: SEC-literal-value\n`,
    );
    expect(literal.issues[0]?.path).toBe('notify.channels[0].secret');
    expect(JSON.stringify(literal)).not.toContain('SEC-literal-value');
    expect(literal.message).not.toContain('SEC-literal-value');

    const { secrets } = parseWorkflow(
      {
        file: 'w.yaml',
        text: `${BASE}notify:\n  channels:\n    - type: dingtalk\n      url: \${HOOK}\n      secret: \${SIGNING}\n`,
      },
      { HOOK: 'https://oapi.dingtalk.com/robot/send?access_token=t0k3n', SIGNING: 'SEC-from-env' },
    );
    expect(secrets).toEqual(
      expect.arrayContaining([
        'SEC-from-env',
        'https://oapi.dingtalk.com/robot/send?access_token=t0k3n',
      ]),
    );
  });

  it('requires a verifiable host key whenever SSH is used', () => {
    const error = problems(`${BASE}access:\n  via: ssh\n  ssh: { user: ops }\n`);
    expect(error.issues.map((issue) => issue.path)).toEqual(['access.ssh.knownHosts']);
    expect(error.issues[0]?.expected).toContain('never trusts an unknown host key');
  });

  it('rejects empty and non-mapping documents with a clear expectation', () => {
    expect(problems('').issues[0]).toMatchObject({ path: '(top level)' });
    expect(problems('- a\n- b\n').issues[0]).toMatchObject({
      path: '(top level)',
      expected: expect.stringContaining('mapping'),
      found: 'a list of 2',
    });
  });

  it("a second YAML document is one line naming where it starts, not the YAML library's advice", () => {
    const error = problems(`${BASE}---\nname: other\n`);
    expect(error.message).toBe(
      'bad.yaml:11:1: (document): expected one YAML document (one workflow per file), found a second document, started by the --- on line 11',
    );
    expect(error.message).not.toContain('parseAllDocuments');
  });
});
