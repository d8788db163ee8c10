/**
 * What the cross-field checks share: the validated document, what interpolation learned, and
 * the fleet when the file itself names it.
 */
import type { Interpolation } from '../interpolate.js';
import type { RawIssue } from '../issue.js';
import type { WorkflowDocument } from '../schema/workflow-schema.js';

export interface CheckContext {
  doc: WorkflowDocument;
  interpolation: Interpolation;
  /** Instance ids in `backends.instances` (unique, in order); undefined for tags / all. */
  fleet: string[] | undefined;
}

export type Check = (context: CheckContext) => RawIssue[];

/** Instance ids of `backends.instances`, whether written as text or as {id, …}. */
export function listedInstanceIds(doc: WorkflowDocument): string[] | undefined {
  return doc.backends.instances?.map((entry) => (typeof entry === 'string' ? entry : entry.id));
}
