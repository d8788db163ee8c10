/**
 * One chat platform (or the generic webhook): how a message is written for it, how long it may
 * be, how fast it may be sent, how a request to it is signed, and how its answer is read.
 */
import type { NotifyChannelSpec } from '../../workflow/index.js';
import type { LengthLimit } from '../cut-text.js';
import type { EventText } from '../event-text.js';

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The platform's answer, read: taken, or why not and whether trying again may help. */
export type DeliveryAnswer =
  | { ok: true }
  | { ok: false; retryable: boolean; detail: string; retryAfterMs?: number };

export interface Platform {
  /** As people name it: `DingTalk`. */
  label: string;
  limit: LengthLimit;
  /** The platform's own limit per target, where its documentation gives one. */
  ratePerMinute: number;
  /** The message's text in the platform's markup; `link` is the run's page, when there is one. */
  render(text: EventText, link: string | undefined): string;
  /** A link in the platform's markup (the tail of a cut message). */
  linkTo(label: string, url: string): string;
  request(channel: NotifyChannelSpec, message: Rendered, nowMs: number): OutgoingRequest;
  judge(status: number, body: string, headers: Headers): DeliveryAnswer;
}

/** What is sent: the title (where the platform shows one) and the text, already cut. */
export interface Rendered {
  title: string;
  text: string;
  /** The event itself, for the generic webhook's JSON body. */
  data?: unknown;
}

/**
 * Chat platforms answer 200 with an error code inside a JSON body: `errcode` (DingTalk, WeCom)
 * or `code` (Feishu). `throttled` are the codes that mean "too fast".
 */
export function judgeJsonCode(
  status: number,
  body: string,
  field: 'errcode' | 'code',
  throttled: readonly number[],
): DeliveryAnswer {
  if (status === 429 || status >= 500) {
    return { ok: false, retryable: true, detail: `HTTP ${status} ${body.slice(0, 200)}` };
  }
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = JSON.parse(body) as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  const code = parsed?.[field] ?? parsed?.StatusCode;
  if (status < 300 && (code === 0 || code === undefined) && parsed !== undefined) {
    return { ok: true };
  }
  const message = String(parsed?.errmsg ?? parsed?.msg ?? parsed?.StatusMessage ?? body).slice(
    0,
    200,
  );
  return {
    ok: false,
    retryable: typeof code === 'number' && throttled.includes(code),
    detail: `HTTP ${status}, ${field} ${String(code)}: ${message}`,
  };
}

/** Lines as a markdown list under a bold title, and the link (DingTalk and WeCom). */
export function markdownLines(
  text: EventText,
  link: string | undefined,
  title: (title: string) => string,
): string {
  const parts = [title(text.title), ...text.lines.map((l) => `- ${l}`)];
  if (link !== undefined) parts.push(`[run page](${link})`);
  return parts.join('\n\n');
}
