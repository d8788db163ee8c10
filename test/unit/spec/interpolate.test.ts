// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the syntax under test
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '#src/errors/index.js';
import { parseWorkflow } from '#src/workflow/index.js';
import { interpolateText } from '#src/workflow/interpolate.js';
import type { RawIssue } from '#src/workflow/issue.js';

const MINIMAL = (extra: string) => `
name: web
region: cn-hangzhou
loadBalancer: { id: lb-abc }
backends: { tags: { app: web } }
drain: { probe: { kind: none, waitSeconds: 5 }, timeoutSeconds: 60 }
${extra}`;

function text(template: string, env: Record<string, string | undefined>) {
  const issues: RawIssue[] = [];
  return { value: interpolateText(template, ['x'], env, issues), issues };
}

describe('${VAR} interpolation', () => {
  it.each([
    ['${A}', { A: 'one' }, 'one'],
    ['pre-${A}-post', { A: 'one' }, 'pre-one-post'],
    ['${A:-fallback}', {}, 'fallback'],
    ['${A:-fallback}', { A: '' }, 'fallback'],
    ['${A:-}', {}, ''],
    ['${A}${B}', { A: 'x', B: 'y' }, 'xy'],
    ['$${A}', { A: 'no' }, '${A}'],
    ['cost: $5', {}, 'cost: $5'],
    ['${A:-a:-b}', {}, 'a:-b'],
  ])('%s with %j is %s', (template, env, expected) => {
    const result = text(template, env);
    expect(result.issues).toEqual([]);
    expect(result.value).toBe(expected);
  });

  it.each([
    ['${MISSING}', 'environment variable MISSING to be set'],
    ['${1BAD}', 'a variable reference like'],
    ['${A B}', 'a variable reference like'],
    ['${OPEN', 'a closed variable reference'],
    ['${A:-${B}}', 'nested references like'],
    ['x ${A:-${B:-c}} y', 'nested references like'],
  ])('%s is an issue: %s', (template, expected) => {
    const result = text(template, {});
    expect(result.value).toBeUndefined();
    expect(result.issues[0]?.expected).toContain(expected);
  });

  it('gives a plain whole reference the type of its text, and keeps a quoted one text', () => {
    const { spec } = parseWorkflow(
      {
        file: 'w.yaml',
        text: MINIMAL(
          // Block style: in a flow mapping ({ … }) a plain ${X} is a YAML error; quote it there.
          'rollout:\n  maxUnavailable: ${MAX:-2}\n  stopOnFailure: ${STOP}\ndescription: "${MAX:-2}"',
        ),
      },
      { STOP: 'false' },
    );
    expect(spec.rollout.maxUnavailable).toBe(2);
    expect(spec.rollout.stopOnFailure).toBe(false);
    expect(spec.description).toBe('2');
  });

  it('names the path and the variable when one is not set, and reports every one', () => {
    let error: unknown;
    try {
      parseWorkflow(
        { file: 'w.yaml', text: MINIMAL('dns: { domain: "${ZONE}", record: "${RR}" }') },
        {},
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    const invalid = error as InvalidInputError;
    expect(invalid.exitCode).toBe(3);
    expect(invalid.issues.map((issue) => issue.path)).toEqual(['dns.domain', 'dns.record']);
    expect(invalid.message).toContain('w.yaml:');
    expect(invalid.message).toContain('dns.domain');
    expect(invalid.message).toContain('ZONE');
    // The unresolved text is not reported a second time as a bad domain name.
    expect(invalid.issues).toHaveLength(2);
  });

  it('takes the region from ALIBABA_CLOUD_REGION_ID when the workflow names none', () => {
    const text = MINIMAL('').replace('region: cn-hangzhou\n', '');
    expect(
      parseWorkflow({ file: 'w.yaml', text }, { ALIBABA_CLOUD_REGION_ID: 'cn-beijing' }).spec
        .region,
    ).toBe('cn-beijing');
    expect(() => parseWorkflow({ file: 'w.yaml', text }, {})).toThrow(
      /region: expected a region id/,
    );
  });
});
