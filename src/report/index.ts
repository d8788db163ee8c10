/**
 * A run's timeline and its rendering: the model built from a journal (timeline.ts, with the
 * runbook's progress), and one self-contained HTML page of it (render-html.ts) that `drainctl
 * report --html` writes and `drainctl serve` shows. Pure: no node:*, no clock (time is handed
 * in), no I/O (lint-enforced); callers read the journal and write the file.
 */

export { escapeHtml } from './gantt-svg.js';
export { type DocumentParts, renderDocument, renderReport, renderTimeline } from './render-html.js';
export type { RunbookProgress, RunbookStep, StepStatus } from './runbook-progress.js';
export {
  buildTimeline,
  type DrainView,
  type GateView,
  type Phase,
  type PhaseSpan,
  type ServerRow,
  type Timeline,
  type TimelineInput,
  type TimelineOutcome,
} from './timeline.js';
