/**
 * Notifications: telling chat rooms and webhooks what a run (or a schedule, or the alert gate)
 * did, signed as each platform specifies, never blocking or failing the run
 * (docs/notifications.md). Owns message text, signing, cutting, rate limits, retries and the
 * outbox per target; knows nothing of the engine: src/app turns journal entries into events.
 */
export type { NotifyEvent, NotifyEventKind } from '../ports/index.js';
export { cutText, type LengthLimit, measure } from './cut-text.js';
export { eventSelected } from './event-filter.js';
export { describeEvent, type EventText } from './event-text.js';
export {
  createNotifier,
  NOTIFY_DEFAULTS,
  type Notifier,
  type NotifierOptions,
} from './notifier.js';
export { PLATFORMS } from './platforms/index.js';
export {
  dingtalkSign,
  feishuSign,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  webhookSignature,
} from './signing.js';
export { maskedUrl, targetLabel } from './target-label.js';
