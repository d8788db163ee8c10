/**
 * Which events a channel is told about: its `events` list, or every event when it has none.
 * `done` and `failed` (the first version's names) pick a run's `finished` event by its outcome.
 */
import type { NotifyEvent } from '../ports/index.js';
import type { NotifyEventName } from '../workflow/index.js';

export function eventSelected(
  names: readonly NotifyEventName[] | undefined,
  event: NotifyEvent,
): boolean {
  if (names === undefined) return true;
  if (names.includes(event.kind)) return true;
  if (event.kind !== 'finished') return false;
  return (
    (event.outcome === 'completed' && names.includes('done')) ||
    (event.outcome === 'failed' && names.includes('failed'))
  );
}
