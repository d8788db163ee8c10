import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { workflowJsonSchema, workflowJsonSchemaText } from '#src/workflow/index.js';
import { repoRoot, runDrainctl } from '#support/cli-runner.js';

describe('the JSON Schema of workflows', () => {
  it('is committed as workflows/workflow.schema.json and up to date', () => {
    const committed = readFileSync(`${repoRoot}workflows/workflow.schema.json`, 'utf8');
    // Stale? Regenerate: npx drainctl schema > workflows/workflow.schema.json && npm run format
    // (compared as data: the formatter lays the committed file out its own way).
    expect(JSON.parse(committed)).toEqual(workflowJsonSchema());
  });

  it('is what `drainctl schema` prints, as valid JSON (its privateKey field is a name, not a secret)', async () => {
    const printed = await runDrainctl(['schema']);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).not.toContain('[REDACTED]');
    expect(JSON.parse(printed.stdout)).toEqual(workflowJsonSchema());
  }, 20_000);

  it('describes every top-level field, rejects unknown keys and accepts references for typed values', () => {
    const schema = JSON.parse(workflowJsonSchemaText()) as {
      additionalProperties: boolean;
      required: string[];
      properties: Record<string, { description?: string; anyOf?: unknown[] }>;
    };
    expect(schema.additionalProperties).toBe(false);
    // loadBalancer is optional: a workflow without it is a fleet workflow.
    expect(schema.required).toEqual(['name', 'backends', 'drain']);
    for (const [key, property] of Object.entries(schema.properties)) {
      expect(property.description, key).toBeTruthy();
    }
    expect(JSON.stringify(schema.properties.region)).toContain('\\\\$\\\\{');
  });

  it('is referenced by the first line of every example workflow', () => {
    const examples = readdirSync(`${repoRoot}workflows`).filter((file) => file.endsWith('.yaml'));
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const file of examples) {
      const first = readFileSync(`${repoRoot}workflows/${file}`, 'utf8').split('\n')[0];
      expect(first, file).toBe('# yaml-language-server: $schema=./workflow.schema.json');
    }
  });
});
