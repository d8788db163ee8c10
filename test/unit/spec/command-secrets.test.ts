// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the syntax under test
import { describe, expect, it } from 'vitest';
import { parseWorkflow } from '#src/workflow/index.js';

const workflow = (extra: string) => `
name: web
region: cn-hangzhou
loadBalancer: { id: lb-abc }
backends: { tags: { app: web } }
drain: { probe: { kind: none, waitSeconds: 5 }, timeoutSeconds: 60 }
${extra}`;

const load = (extra: string, env: Record<string, string> = {}) =>
  parseWorkflow({ file: 'w.yaml', text: workflow(extra) }, env);

describe('secrets in command fields', () => {
  it('returns every ${VAR} value a command uses, whatever the variable is called', () => {
    const { secrets, warnings } = load(
      [
        'patch:',
        "  commands: ['mysql -uroot -p${DB_PASS} -e \"select 1\"', 'echo ${GREETING} ${PLAIN:-kernel}']",
        '  verify: { command: "check --key ${VERIFY_KEY}", expect: changed }',
        'hooks:',
        '  before: [{ on: local, command: "notify ${HOOK_TOKEN_VALUE}" }]',
        '  after: [{ command: "echo ${AFTER_VALUE}" }]',
        'rollout:',
        '  maxUnavailable: ${MAX_UNAVAILABLE}',
      ].join('\n'),
      {
        DB_PASS: 'MARK-db-pass-1',
        GREETING: 'MARK-greeting-2',
        VERIFY_KEY: 'MARK-verify-3',
        HOOK_TOKEN_VALUE: 'MARK-hook-4',
        AFTER_VALUE: 'MARK-after-5',
        MAX_UNAVAILABLE: '100%',
      },
    );
    expect(secrets).toEqual(
      expect.arrayContaining([
        'MARK-db-pass-1',
        'MARK-greeting-2',
        'MARK-verify-3',
        'MARK-hook-4',
        'MARK-after-5',
      ]),
    );
    // Only the values: not whole commands, not defaults written in the file, not other fields.
    expect(secrets).not.toContain('kernel');
    expect(secrets).not.toContain('100%');
    expect(secrets.every((s) => s.startsWith('MARK-'))).toBe(true);
    // References are how secrets should be written: no warning.
    expect(warnings).toEqual([]);
  });

  it('returns a short value and the word a command glues it into, and warns once per variable', () => {
    const { secrets, warnings } = load(
      [
        'patch:',
        "  commands: ['mysql -p${PIN} -e \"select 1\"', 'echo ${PIN} ${LONG_VALUE}']",
      ].join('\n'),
      { PIN: 'q7z', LONG_VALUE: 'MARK-long-1' },
    );
    expect(secrets).toEqual(expect.arrayContaining(['q7z', 'pq7z', 'MARK-long-1']));
    // A distinctive value is masked even glued: no word of its own, no warning.
    expect(secrets).not.toContain('pMARK-long-1');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^patch\.commands\[0\]: the value of \$\{PIN\} could be ordinary text/,
    );
    expect(warnings[0]).not.toContain('q7z');
  });

  it('warns about a secret written literally in a command, naming the path but not the value', () => {
    const { warnings } = load(
      [
        'patch:',
        "  commands: ['yum update kernel -y', 'export API_SECRET=lit3ral-value && mysql -uroot -pS3cretPass']",
        'hooks:',
        '  before: [{ on: local, command: "curl -H \'Authorization: Bearer eyJhbGciOi.J9x\' http://h/" }]',
      ].join('\n'),
    );
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^patch\.commands\[1\]: writes a secret literally/);
    expect(warnings[0]).toContain('${VAR}');
    expect(warnings[1]).toMatch(/^hooks\.before\[0\]\.command: .*Authorization header/);
    const text = warnings.join('\n');
    for (const value of ['lit3ral-value', 'S3cretPass', 'eyJhbGciOi']) {
      expect(text).not.toContain(value);
    }
  });
});
