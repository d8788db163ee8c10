/**
 * What an SDK error says, whichever SDK threw it. `@alicloud/openapi-client` (SLB) throws a
 * tea `ResponseError` (`code`, `data` = body + statusCode); `@alicloud/openapi-core` (ECS,
 * Alidns) throws `ThrottlingError`/`ClientError`/`ServerError` (`code`, `statusCode`,
 * `requestId`, `retryAfter`); the HTTP layer (httpx) throws `RequestTimeoutError` or Node socket
 * errors (`ECONNRESET`, …) when no answer arrived. Pure.
 */

export interface SdkFailure {
  /** The cloud's Code; for transport failures a Node/httpx code (ECONNRESET, ReadTimeout). */
  code: string;
  httpStatus: number | undefined;
  requestId: string | undefined;
  /** The cloud's Message (without the SDK's "code: 400, … request id: …" wrapping). */
  message: string;
  /** Milliseconds the cloud asked us to wait (`x-acs-retry-after`), when the SDK surfaces it. */
  retryAfterMs: number | undefined;
  /** No HTTP answer: timeout, reset, refused, name resolution. */
  transport: boolean;
}

export function readSdkFailure(error: unknown): SdkFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const data = (typeof e.data === 'object' && e.data !== null ? e.data : {}) as Record<
    string,
    unknown
  >;
  const message = error instanceof Error ? error.message : String(error);
  const httpStatus = numberOrUndefined(e.statusCode) ?? numberOrUndefined(data.statusCode);

  if (httpStatus === undefined) {
    return {
      code: transportCode(e, message),
      httpStatus: undefined,
      requestId: undefined,
      message,
      retryAfterMs: undefined,
      transport: true,
    };
  }
  const code = stringOrUndefined(data.Code) ?? stringOrUndefined(e.code) ?? `HTTP${httpStatus}`;
  return {
    code,
    httpStatus,
    requestId: stringOrUndefined(data.RequestId) ?? stringOrUndefined(e.requestId),
    message: stringOrUndefined(data.Message) ?? unwrapMessage(message),
    retryAfterMs: numberOrUndefined(e.retryAfter),
    transport: false,
  };
}

function transportCode(e: Record<string, unknown>, message: string): string {
  if (typeof e.code === 'string' && e.code !== '') return e.code;
  if (/ReadTimeout/.test(message)) return 'ReadTimeout';
  if (/ConnectTimeout/.test(message)) return 'ConnectTimeout';
  if (e.name === 'RequestTimeoutError') return 'ReadTimeout';
  return typeof e.name === 'string' && e.name !== 'Error' ? e.name : 'TransportError';
}

/** "Throttling.User: code: 400, Request was denied request id: X" → "Request was denied". */
function unwrapMessage(message: string): string {
  const match = /code: \d+, (.*) request id: .*$/s.exec(message);
  return match?.[1] ?? message;
}

function numberOrUndefined(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value !== 'undefined' ? value : undefined;
}
