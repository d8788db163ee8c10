/**
 * Fleet workflows: no loadBalancer, servers selected by ids, tags or balancers; what a fleet
 * workflow may not say, and single-balancer workflows refusing to be read as one.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '#src/errors/index.js';
import { isFleetWorkflow, parseAnyWorkflow, parseWorkflow } from '#src/workflow/index.js';

const DRAIN = `drain:
  probe:
    kind: access-log
    path: /var/log/{name}/access.log
`;

const fleet = (backends: string, extra = '') =>
  `name: night\nregion: cn-hangzhou\n${extra}backends:\n${backends}\n${DRAIN}`;

function refusal(text: string): string {
  try {
    parseAnyWorkflow({ file: 'f.yaml', text }, {});
  } catch (error) {
    if (error instanceof InvalidInputError) return error.message;
    throw error;
  }
  throw new Error('the workflow was accepted');
}

describe('fleet workflows', () => {
  it('select servers by ids, by tags, or as every backend of balancers by ids or tags', () => {
    for (const backends of [
      '  instances: [i-a, i-b]',
      '  tags: { patch-night: tue }',
      '  balancers: { ids: [lb-1, lb-2] }',
      '  balancers: { tags: { tier: web } }',
    ]) {
      const { spec } = parseAnyWorkflow({ file: 'f.yaml', text: fleet(backends) }, {});
      expect(isFleetWorkflow(spec), backends).toBe(true);
    }
  });

  it('refuses all, dns, and balancers given by neither or both ids and tags', () => {
    expect(refusal(fleet('  all: true'))).toMatch(/backends\.all: expected balancers/);
    expect(
      refusal(fleet('  instances: [i-a]', 'dns:\n  domain: example.com\n  record: www\n')),
    ).toMatch(/dns: expected no dns block in a fleet workflow/);
    expect(refusal(fleet('  balancers: {}'))).toMatch(
      /backends\.balancers: expected one of ids or tags, found neither/,
    );
    expect(refusal(fleet('  balancers: { ids: [lb-1], tags: { a: b } }'))).toMatch(
      /backends\.balancers: expected one of ids or tags, found both/,
    );
  });

  it('balancers belongs to fleet workflows only', () => {
    expect(refusal(fleet('  balancers: { ids: [lb-1] }', 'loadBalancer:\n  id: lb-abc\n'))).toMatch(
      /backends\.balancers: expected instances, tags or all/,
    );
  });

  it('is refused, naming loadBalancer, where one balancer is needed', () => {
    expect(() => parseWorkflow({ file: 'f.yaml', text: fleet('  instances: [i-a]') }, {})).toThrow(
      /f\.yaml.*loadBalancer: expected a balancer \(id or create\)/,
    );
  });
});
