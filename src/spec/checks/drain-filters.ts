/**
 * Drain filters that would make every request (or connection) "not traffic", so the drain
 * passes at once while clients are still on the server: a /0 range, a user-agent substring too
 * short to mean one client, a path pattern matching every path. Refused with the reason.
 */
import { parseCidr } from '../cidr.js';
import type { RawIssue } from '../issue.js';
import type { Check } from './context.js';

/** A user-agent substring shorter than this matches almost every client. */
export const MIN_USER_AGENT_LENGTH = 3;

export const checkDrainFilters: Check = ({ doc }) => {
  const issues: RawIssue[] = [];
  const probe = doc.drain.probe;
  if (probe.kind === 'none') return issues;
  const base = probe.kind === 'access-log' ? ['drain', 'probe', 'filter'] : ['drain', 'probe'];
  const cidrs = probe.kind === 'access-log' ? probe.filter.ignoreCidrs : probe.ignoreCidrs;
  cidrs.forEach((text, index) => {
    if (parseCidr(text)?.prefix === 0) {
      issues.push({
        path: [...base, 'ignoreCidrs', index],
        expected:
          'a range narrower than /0 (it would ignore every source, and the drain would pass at once)',
        found: text,
      });
    }
  });
  if (probe.kind !== 'access-log') return issues;
  probe.filter.ignoreUserAgents.forEach((text, index) => {
    if (text.trim().length < MIN_USER_AGENT_LENGTH) {
      issues.push({
        path: [...base, 'ignoreUserAgents', index],
        expected: `a user-agent substring of at least ${MIN_USER_AGENT_LENGTH} characters, like kube-probe (a shorter one matches nearly every client)`,
        found: JSON.stringify(text),
      });
    }
  });
  probe.filter.ignorePaths.forEach((text, index) => {
    if (text === '*' || text === '/*') {
      issues.push({
        path: [...base, 'ignorePaths', index],
        expected: 'a path or a prefix like /static/* (this one matches every request)',
        found: JSON.stringify(text),
      });
    }
  });
  return issues;
};
