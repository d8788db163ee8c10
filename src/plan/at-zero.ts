/**
 * Servers found at weight 0 that the workflow does not bring into service. Such a server is out
 * either because a run drained it and never finished — then the weight that run saved on the
 * balancer says where it goes back to — or because someone parked it there. Taking 0 as its
 * weight would patch it and leave it out for good under a run that reads "completed"; so
 * without a saved weight or the operator's word (`--restore-weight`, `--leave-at-zero`) it is
 * left exactly as found, named, and the run does not end as a plain success.
 */
import { InvalidInputError, type InvalidInputIssue } from '../errors/index.js';
import { describeSavedWeight } from './saved-weight-tag.js';
import type { AtZeroDecision, SavedWeight, ZeroWeightChoices } from './types.js';

export const RESTORE_WEIGHT_FLAG = '--restore-weight';
export const LEAVE_AT_ZERO_FLAG = '--leave-at-zero';

/** What happens to a server found at weight 0: the operator's word first, then a saved weight. */
export function decideAtZero(
  id: string,
  saved: SavedWeight | undefined,
  choices: ZeroWeightChoices,
): AtZeroDecision {
  const withSaved = saved === undefined ? {} : { saved };
  if (choices.leaveAtZero?.includes(id))
    return { action: 'leave', acknowledged: true, ...withSaved };
  const given = choices.restoreWeight?.[id];
  if (given !== undefined)
    return { action: 'restore', weight: given, from: 'operator', ...withSaved };
  if (saved !== undefined) return { action: 'restore', weight: saved.weight, from: 'saved', saved };
  return { action: 'leave', acknowledged: false };
}

/** How the fleet sees one server, for checking the choices that name it. */
export interface ZeroCandidate {
  id: string;
  label: string;
  /** Weight on the balancer now; undefined when the plan adds it. */
  observedWeight?: number;
  bringIntoService: boolean;
}

/**
 * Every choice names a server of the fleet found at weight 0 (one the workflow does not bring
 * into service), once, with a weight from 1 to 100; else one InvalidInputError (exit 3).
 */
export function checkZeroChoices(
  choices: ZeroWeightChoices,
  fleet: readonly ZeroCandidate[],
): void {
  const issues: InvalidInputIssue[] = [];
  const byId = new Map(fleet.map((node) => [node.id, node]));
  const leave = choices.leaveAtZero ?? [];
  const named = (flag: string, id: string, value?: number) => {
    const node = byId.get(id);
    const shown = value === undefined ? id : `${id}=${value}`;
    const issue = (expected: string, found: string) =>
      issues.push({ path: `${flag} ${shown}`, expected, found });
    if (node === undefined) {
      issue(
        'a server of this workflow',
        `${id}, which is not one (${fleet.map((n) => n.id).join(', ') || 'none'})`,
      );
    } else if (node.observedWeight === undefined) {
      issue('a server found at weight 0', `${node.label}, which this run adds to the balancer`);
    } else if (node.bringIntoService) {
      issue('a server found at weight 0', `${node.label}, which the workflow brings into service`);
    } else if (node.observedWeight !== 0) {
      issue('a server found at weight 0', `${node.label} at weight ${node.observedWeight}`);
    }
  };
  for (const [id, weight] of Object.entries(choices.restoreWeight ?? {})) {
    if (!Number.isInteger(weight) || weight < 1 || weight > 100) {
      issues.push({
        path: `${RESTORE_WEIGHT_FLAG} ${id}=${weight}`,
        expected: 'a weight from 1 to 100',
        found: String(weight),
      });
    }
    named(RESTORE_WEIGHT_FLAG, id, weight);
    if (leave.includes(id)) {
      issues.push({
        path: `${RESTORE_WEIGHT_FLAG} ${id}=${weight}`,
        expected: `either ${RESTORE_WEIGHT_FLAG} or ${LEAVE_AT_ZERO_FLAG} for a server`,
        found: `both for ${id}`,
      });
    }
  }
  for (const id of leave) named(LEAVE_AT_ZERO_FLAG, id);
  const [first] = issues;
  if (first === undefined) return;
  const line = (issue: InvalidInputIssue) =>
    `${issue.path}: expected ${issue.expected}, found ${issue.found}`;
  // The CLI prints the further issues on lines of their own.
  throw new InvalidInputError(line(first), {
    path: first.path,
    expected: first.expected,
    ...(first.found === undefined ? {} : { found: first.found }),
    issues,
  });
}

/** The choices as the plan keeps them: only what was given, in a stable order. */
export function normalizeZeroChoices(choices: ZeroWeightChoices): ZeroWeightChoices | undefined {
  const restore = Object.entries(choices.restoreWeight ?? {}).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const leave = [...new Set(choices.leaveAtZero ?? [])].sort();
  if (restore.length === 0 && leave.length === 0) return undefined;
  return {
    ...(restore.length === 0 ? {} : { restoreWeight: Object.fromEntries(restore) }),
    ...(leave.length === 0 ? {} : { leaveAtZero: leave }),
  };
}

/** Why a server found at 0 goes back to its weight: "run r-… saved weight 100 before draining it". */
export function restoreReason(id: string, decision: AtZeroDecision): string {
  if (decision.action !== 'restore') return '';
  if (decision.from === 'saved') return describeSavedWeight(id, decision.saved);
  return `${RESTORE_WEIGHT_FLAG} ${id}=${decision.weight}`;
}

/**
 * Where the plan brings a server back to when that is not the weight it is found at: the weight
 * decided for one found at 0, or the saved weight of one found serving below it (a ramp that
 * stopped). Such a server is never skipped: it comes back only through the full proof.
 */
export function boundFor(
  id: string,
  node: { atZero?: AtZeroDecision; belowSaved?: SavedWeight },
): { weight: number; reason: string } | undefined {
  if (node.atZero?.action === 'restore') {
    return { weight: node.atZero.weight, reason: restoreReason(id, node.atZero) };
  }
  if (node.belowSaved !== undefined) {
    return { weight: node.belowSaved.weight, reason: describeSavedWeight(id, node.belowSaved) };
  }
  return undefined;
}

/** One sentence for the runbook, the report and `status`. */
export function describeAtZero(label: string, id: string, decision: AtZeroDecision): string {
  const saved = decision.saved === undefined ? '' : describeSavedWeight(id, decision.saved);
  if (decision.action === 'restore') {
    const also =
      decision.from === 'operator' && saved !== ''
        ? ` (instead of the saved ${decision.saved?.weight}: ${saved})`
        : '';
    return `${label} is at weight 0; ${restoreReason(id, decision)}${also}: it is maintained like the others and restored to ${decision.weight}.`;
  }
  if (decision.acknowledged) {
    return `${label} is at weight 0: left as found (no gate, drain, patch or reboot), as ${LEAVE_AT_ZERO_FLAG} says${saved === '' ? '' : `; ${saved}, and that tag stays`}.`;
  }
  return `${label} is at weight 0 and no drainctl run saved its weight: left as found (no gate, drain, patch or reboot), and the run ends halted (exit 2); ${choicesHint(id)}.`;
}

/** The two ways on for a server left at weight 0 as found. */
export function choicesHint(id: string): string {
  return `to patch it and bring it back, run again with ${RESTORE_WEIGHT_FLAG} ${id}=<weight>; to leave it at 0 on purpose, with ${LEAVE_AT_ZERO_FLAG} ${id}`;
}
