// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is workflow syntax
/**
 * `patch.neededWhen` and `patch.verify.skipIfCompliant` as the schema and the cross-checks see
 * them: defaults, and one exit-3 line naming the path for every way to get them wrong.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '#src/errors/index.js';
import { parseWorkflow } from '#src/workflow/index.js';

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

function parse(patch: string, env: Record<string, string> = {}) {
  return parseWorkflow({ file: 'w.yaml', text: `${BASE}patch:\n${patch}` }, env);
}

function problems(patch: string): Array<{ path: string; expected: string; found?: string }> {
  try {
    parse(patch);
  } catch (error) {
    if (error instanceof InvalidInputError) {
      expect(error.exitCode).toBe(3);
      return error.issues.map(({ path, expected, found }) => ({ path, expected, found }));
    }
    throw error;
  }
  throw new Error('the workflow was accepted');
}

describe('patch.neededWhen', () => {
  it('defaults to no checks, and skipIfCompliant to unset (the planner decides)', () => {
    const { spec } = parse('  commands: [yum update kernel -y]\n');
    expect(spec.patch.neededWhen).toEqual([]);
    expect(spec.patch.verify).toEqual({
      command: 'uname -r',
      expect: 'changed',
      timeoutSeconds: 60,
    });
  });

  it('takes a command and the exit code that means needed; each check may take 60 s by default', () => {
    const { spec } = parse(
      '  neededWhen:\n    - { command: yum -q check-update kernel, exitCode: 100 }\n    - { command: needs-restarting -r, exitCode: 1, timeoutSeconds: 30 }\n',
    );
    expect(spec.patch.neededWhen).toEqual([
      { command: 'yum -q check-update kernel', exitCode: 100, timeoutSeconds: 60 },
      { command: 'needs-restarting -r', exitCode: 1, timeoutSeconds: 30 },
    ]);
  });

  it.each([
    ['0', 'an exit code from 1 to 255 (exit 0 means the patch is not needed)', '0'],
    ['256', 'an exit code from 1 to 255 (exit 0 means the patch is not needed)', '256'],
    ['1.5', 'an exit code from 1 to 255 (exit 0 means the patch is not needed)', '1.5'],
    ['"100"', 'an exit code from 1 to 255 (exit 0 means the patch is not needed)', '"100"'],
  ])('refuses exitCode %s naming the path', (value, expected, found) => {
    expect(problems(`  neededWhen:\n    - { command: x, exitCode: ${value} }\n`)).toContainEqual({
      path: 'patch.neededWhen[0].exitCode',
      expected,
      found,
    });
  });

  it('refuses a check without an exit code, without a command, or with an unknown key', () => {
    expect(problems('  neededWhen:\n    - { command: x }\n')).toContainEqual(
      expect.objectContaining({ path: 'patch.neededWhen[0].exitCode', found: 'nothing' }),
    );
    expect(problems('  neededWhen:\n    - { exitCode: 100 }\n')).toContainEqual(
      expect.objectContaining({ path: 'patch.neededWhen[0].command', expected: 'a shell command' }),
    );
    expect(problems('  neededWhen:\n    - { command: x, exitcode: 100 }\n')).toContainEqual({
      path: 'patch.neededWhen[0].exitcode',
      expected: 'a known key (command, exitCode, timeoutSeconds)',
      found: 'unknown key "exitcode" (did you mean "exitCode"?)',
    });
    expect(problems('  neededWhen: yum -q check-update kernel\n')).toContainEqual(
      expect.objectContaining({
        path: 'patch.neededWhen',
        expected: 'a list of checks like {command, exitCode}',
      }),
    );
  });

  it('refuses more than 10 checks', () => {
    const eleven = Array.from({ length: 11 }, () => '    - { command: x, exitCode: 1 }').join('\n');
    expect(problems(`  neededWhen:\n${eleven}\n`)).toContainEqual(
      expect.objectContaining({ path: 'patch.neededWhen', expected: 'at most 10 checks' }),
    );
  });

  it('refuses checks with verify: false (they are asked with the baseline)', () => {
    expect(problems('  neededWhen:\n    - { command: x, exitCode: 1 }\n  verify: false\n')).toEqual(
      [
        {
          path: 'patch.neededWhen',
          expected:
            'patch.verify on (the checks are asked with its baseline and judge an unchanged output; verify: false turns both off)',
          found: 'verify: false',
        },
      ],
    );
  });

  it('holds Cloud Assistant checks to its 10 s minimum timeout', () => {
    expect(
      problems('  neededWhen:\n    - { command: x, exitCode: 1, timeoutSeconds: 5 }\n'),
    ).toContainEqual(
      expect.objectContaining({ path: 'patch.neededWhen[0].timeoutSeconds', found: '5' }),
    );
  });

  it('masks a ${VAR} a check takes from the environment, like any command', () => {
    const { secrets } = parse(
      '  neededWhen:\n    - { command: "check --token ${CHECK_TOKEN}", exitCode: 1 }\n',
      { CHECK_TOKEN: 'tok-123456' },
    );
    expect(secrets).toContain('tok-123456');
  });
});

describe('patch.verify.skipIfCompliant', () => {
  it('true with expect: changed needs neededWhen checks to tell a patched server', () => {
    expect(problems('  verify: { expect: changed, skipIfCompliant: true }\n')).toEqual([
      {
        path: 'patch.verify.skipIfCompliant',
        expected:
          'verify.expect equals or matches, or patch.neededWhen checks (with changed alone there is nothing to tell a patched server from one that needs the patch)',
        found: 'true with expect: changed and no neededWhen',
      },
    ]);
    const { spec } = parse(
      '  neededWhen:\n    - { command: x, exitCode: 1 }\n  verify: { expect: changed, skipIfCompliant: true }\n',
    );
    expect(spec.patch.verify).toMatchObject({ skipIfCompliant: true });
  });
});
