/**
 * Telling people what happened (chat rooms, webhooks). Sending is best effort: a notifier that
 * fails is logged and never changes the outcome of a run.
 */

export interface RunEvent {
  runId: string;
  workflow: string;
  kind: 'started' | 'node-done' | 'node-left-out' | 'halted' | 'done' | 'failed';
  node?: string;
  message: string;
}

export interface Notifier {
  notify(event: RunEvent): Promise<void>;
}
