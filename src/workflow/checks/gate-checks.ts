/**
 * `gates`: placeholders the node can fill, and names that tell two gates of one side apart in the
 * plan and the journal. (A command's timeout on the server: cloud-assistant-checks.ts.)
 */
import type { RawIssue } from '../issue.js';
import { unknownPlaceholders } from '../path-template.js';
import type { Check } from './check-context.js';

export const checkGates: Check = ({ doc }) => {
  const issues: RawIssue[] = [];
  for (const when of ['before', 'after'] as const) {
    const seen = new Set<string>();
    doc.gates[when].forEach((gate, index) => {
      if (seen.has(gate.name)) {
        issues.push({
          path: ['gates', when, index, 'name'],
          expected: `a name no other ${when}-gate has`,
          found: gate.name,
        });
      }
      seen.add(gate.name);
      const template = gate.type === 'command' ? gate.command : gate.host;
      const unknown = template === undefined ? [] : unknownPlaceholders(template);
      if (unknown.length > 0) {
        issues.push({
          path: ['gates', when, index, gate.type === 'command' ? 'command' : 'host'],
          expected: 'placeholders among {instanceId}, {name}, {privateIp}',
          found: unknown.map((name) => `{${name}}`).join(', '),
        });
      }
    });
  }
  return issues;
};
