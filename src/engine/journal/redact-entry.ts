/**
 * What of a journal entry is masked before it is written. Text — commands, their output, details,
 * summaries, messages — is masked for every known secret and secret-looking value. Identifiers
 * the run reads back — ids, names, states, addresses, DNS values, times, the observed inventory
 * a resume re-plans from — are masked only for secrets that cannot be ordinary text: a secret
 * that is a plain word or a number (`web`, `1`) may look like part of `i-web-1`, which is not
 * the secret, and a journal with its ids masked would resume the wrong run.
 */
import { redact, redactString } from '../../log/index.js';
import type { JournalEntry } from './entries.js';

/** Keys whose values (and everything below them) are identifiers, in entries and in the plan. */
const IDENTIFIER_KEYS: ReadonlySet<string> = new Set([
  // every entry
  'seq',
  'ts',
  'type',
  'node',
  'step',
  'opId',
  'op',
  // states and outcomes the fold and the report branch on
  'status',
  'action',
  'phase',
  'state',
  'from',
  'outcome',
  'kind',
  'health',
  // the run and its plan
  'runId',
  'sha256',
  'id',
  'name',
  'file',
  'region',
  'nodes',
  'groupPeers',
  'inventory',
  'ref',
  // what a change targeted or found, read back by resume's reconciliation
  'request',
  'loadBalancerId',
  'serverId',
  'serverIds',
  'instanceId',
  'invocationId',
  'address',
  'protocol',
  'via',
  'domain',
  'rr',
  'recordId',
  'value',
]);

/**
 * Redact an entry. The plan is redacted value by value only: its keys are the plan contract's
 * (`privateKeyPath` is a path, not a key), while a secret interpolated into a command is masked.
 */
export function redactEntry(entry: JournalEntry): JournalEntry {
  const options = { identifierKeys: IDENTIFIER_KEYS };
  if (entry.type !== 'plan') return redact(entry, options);
  const masked = redact(entry.plan, { ...options, byKey: false });
  // Nothing masked: the entry keeps the plan as given, so the journal's entry and the run's state
  // hold one plan, not two (a fleet plan of 1,000 servers is about 20 MiB as objects).
  const unchanged = sameJson(masked, entry.plan);
  return {
    ...redact({ ...entry, plan: undefined }, options),
    plan: unchanged ? entry.plan : masked,
    redacted: entry.redacted || !unchanged,
  };
}

/** Whether two values would be written as the same JSON (without writing either). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameJson(item ?? null, b[i] ?? null));
  }
  const written = (o: object) =>
    Object.entries(o).filter(([, v]) => v !== undefined && typeof v !== 'function');
  const left = written(a);
  const right = new Map(written(b));
  if (left.length !== right.size) return false;
  return left.every(([key, value]) => right.has(key) && sameJson(value, right.get(key)));
}

/**
 * A command's output as the journal keeps it (the text of an entry, not an identifier): what a
 * run folds back from its journal — the baseline a verify compares with — is in this form, so
 * fresh output must be put in it before the two are compared.
 */
export function asJournaledText(text: string): string {
  return redactString(text);
}
