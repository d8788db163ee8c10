// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the syntax for environment references
/**
 * `serve.yaml` is read like a workflow: every problem with file, path, expected and found (exit
 * 3); tokens only as `${VAR}` (hashed when read) or as their sha256; catalog paths relative to
 * the file and each a valid workflow.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, InvalidInputError } from '#src/errors/index.js';
import { loadServeConfig, serveJsonSchemaText } from '#src/serve/config/index.js';
import { workflowText } from '#support/rollout-on-emulator.js';

const OPERATOR = 'operator-token-0123456789abcdef';
const ENV = {
  LOAD_BALANCER_ID: 'lb-test',
  OP_TOKEN: OPERATOR,
  ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou',
};
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drainctl-serve-config-'));
  await writeFile(join(dir, 'three.yaml'), workflowText({ drainProbe: 'none' }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function load(text: string, env: Record<string, string> = ENV) {
  const file = join(dir, `serve-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, text);
  return { file, config: () => loadServeConfig(file, env) };
}

async function problem(text: string): Promise<InvalidInputError> {
  const { config } = await load(text);
  const error = await config().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InvalidInputError);
  return error as InvalidInputError;
}

describe('serve.yaml', () => {
  it('resolves catalog paths against its own folder and hashes a ${VAR} token', async () => {
    const { config } = await load(
      [
        'catalog: { three: ./three.yaml }',
        'tokens:',
        '  - { name: ops, role: operator, token: "${OP_TOKEN}" }',
        `  - { name: ro, role: viewer, sha256: ${'a'.repeat(64)} }`,
      ].join('\n'),
    );
    const loaded = await config();
    expect(loaded.catalog.get('three')).toBe(join(dir, 'three.yaml'));
    expect(loaded.tokens.map((t) => [t.name, t.role, t.sha256.toString('hex')])).toEqual([
      ['ops', 'operator', createHash('sha256').update(OPERATOR).digest('hex')],
      ['ro', 'viewer', 'a'.repeat(64)],
    ]);
    expect(loaded.metricsPublic).toBe(false);
    expect(loaded.schedules).toEqual([]);
  });

  it('refuses a literal token without echoing it', async () => {
    const error = await problem(
      `catalog: { three: three.yaml }\ntokens:\n  - { name: ops, role: operator, token: ${OPERATOR} }\n`,
    );
    expect(error.exitCode).toBe(ExitCode.invalidInput);
    expect(error.path).toBe('tokens[0].token');
    expect(error.found).toBe('a literal value');
    expect(error.message).not.toContain(OPERATOR);
    expect(error.message).toMatch(/serve-.*\.yaml:3:\d+: tokens\[0\]\.token: expected a reference/);
  });

  it('names the path, what was expected and what was found', async () => {
    const error = await problem(
      'catalog: { three: three.yaml }\ntokens:\n  - { name: ops, role: admin, sha256: abc }\n',
    );
    expect(error.issues?.map((i) => [i.path, i.expected, i.found])).toEqual([
      ['tokens[0].role', 'one of viewer, operator, approver', '"admin"'],
      ['tokens[0].sha256', 'the token’s sha256, 64 lower-case hex digits', '"abc"'],
    ]);
  });

  it('refuses a catalog entry that is not a readable file, at its path', async () => {
    const error = await problem(
      `catalog: { nope: missing.yaml }\ntokens:\n  - { name: ops, role: viewer, sha256: ${'b'.repeat(64)} }\n`,
    );
    expect(error.path).toBe('catalog.nope');
    expect(error.expected).toBe('a readable workflow file (relative to this file)');
  });

  it('refuses an unset variable', async () => {
    const error = await problem(
      'catalog: { three: three.yaml }\ntokens:\n  - { name: ops, role: operator, token: "${UNSET_TOKEN}" }\n',
    );
    expect(error.issues?.map((i) => i.path)).toEqual(['tokens[0].token']);
    expect(error.message).toContain('UNSET_TOKEN');
  });

  it('refuses two tokens with one name', async () => {
    const error = await problem(
      [
        'catalog: { three: three.yaml }',
        'tokens:',
        '  - { name: ops, role: operator, token: "${OP_TOKEN}" }',
        `  - { name: ops, role: viewer, sha256: ${'c'.repeat(64)} }`,
      ].join('\n'),
    );
    expect(error.issues?.map((i) => i.path)).toEqual(['tokens[1].name']);
  });

  it('refuses groups for a platform whose groups serve cannot resolve, naming file and path', async () => {
    const text = [
      'catalog: { three: three.yaml }',
      'tokens: [{ name: ops, role: operator, token: "${OP_TOKEN}" }]',
      'chat:',
      '  workflows:',
      '    three:',
      '      plan: { wecom: { users: [zhangsan] } }',
      '      abort: { wecom: { groups: ["2"] } }',
    ].join('\n');
    const { file, config } = await load(text);
    const error = (await config().catch((caught: unknown) => caught)) as InvalidInputError;
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.exitCode).toBe(ExitCode.invalidInput);
    expect(error.issues?.map((i) => i.path)).toEqual(['chat.workflows.three.abort.wecom.groups']);
    expect(error.message).toContain(file);
    expect(error.message).toContain('groups are not resolved for wecom yet');
  });

  it('has a JSON Schema that names every section', () => {
    const schema = JSON.parse(serveJsonSchemaText()) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual([
      'catalog',
      'tokens',
      'metrics',
      'publicUrl',
      'schedules',
      'notify',
      'alertGate',
      'chat',
    ]);
  });
});
