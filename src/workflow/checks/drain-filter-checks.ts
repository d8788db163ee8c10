/**
 * Drain filters that would make every request (or connection) "not traffic", so the drain
 * passes at once while clients are still on the server: ranges holding every client, path
 * patterns matching every path, alone or together (judgeTrafficFilter decides), and user-agent
 * substrings too short to mean one client. Refused with the reason, for workflows and for
 * `drainctl watch`.
 */
import type { PathSegment, RawIssue } from '../issue.js';
import type { DrainSpec } from '../schema/drain-schema.js';
import { judgeTrafficFilter } from '../traffic-filter/judge.js';
import type { Check } from './check-context.js';

/** A user-agent substring shorter than this matches almost every client. */
export const MIN_USER_AGENT_LENGTH = 3;

export const checkDrainFilters: Check = ({ doc }) =>
  drainFilterIssues(doc.drain).map((issue) => ({ ...issue, path: ['drain', ...issue.path] }));

/** The problems of a drain block's filter, with paths inside the block (`probe.filter…`). */
export function drainFilterIssues(drain: DrainSpec): RawIssue[] {
  const probe = drain.probe;
  if (probe.kind === 'none') return [];
  const base: PathSegment[] = probe.kind === 'access-log' ? ['probe', 'filter'] : ['probe'];
  const rules =
    probe.kind === 'access-log'
      ? probe.filter
      : { ignoreCidrs: probe.ignoreCidrs, ignorePaths: [], ignoreUserAgents: [] };
  const issues: RawIssue[] = [];
  const judgement = judgeTrafficFilter(rules);
  const blocked = new Set<string>();
  if (!judgement.countsTraffic) {
    for (const blocker of judgement.blockers) {
      const path = [...base, blocker.rule, ...(blocker.index === undefined ? [] : [blocker.index])];
      blocked.add(path.join('.'));
      issues.push({ path, expected: blocker.expected, found: blocker.found });
    }
  }
  rules.ignoreUserAgents.forEach((text, index) => {
    const path = [...base, 'ignoreUserAgents', index];
    if (text.trim().length < MIN_USER_AGENT_LENGTH && !blocked.has(path.join('.'))) {
      issues.push({
        path,
        expected: `a user-agent substring of at least ${MIN_USER_AGENT_LENGTH} characters, like kube-probe (a shorter one matches nearly every client)`,
        found: JSON.stringify(text),
      });
    }
  });
  return issues;
}
