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
      message: transportMessage(message),
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

/**
 * The HTTP layer (httpx) glues the request line onto the socket error without a space and with
 * the whole query string: "connect ECONNREFUSED 127.0.0.1:1POST http://127.0.0.1:1/?Action=…
 * failed.". Keep the network error, then the request it was for, without the query (long, and
 * it carries the call's parameters): "connect ECONNREFUSED 127.0.0.1:1 (POST
 * http://127.0.0.1:1/)". Its timeouts ("ConnectTimeout: Connect <url> failed.", "ReadTimeout:
 * 10000. POST <path> failed.") read the same way.
 */
function transportMessage(message: string): string {
  const connect = /^ConnectTimeout: Connect (\S+) failed\.$/s.exec(message);
  if (connect?.[1] !== undefined) {
    return `ConnectTimeout: no connection in time (${withoutQuery(connect[1])})`;
  }
  const glued = /^(.*?)\s*(GET|POST|PUT|DELETE|HEAD|PATCH|OPTIONS) (\S+) failed\.$/s.exec(message);
  if (glued?.[2] === undefined || glued[3] === undefined) return message;
  const request = `${glued[2]} ${withoutQuery(glued[3])}`;
  const cause = (glued[1] ?? '')
    .trim()
    .replace(/^ReadTimeout[:(]\s*(\d+)\)?\.?$/, 'ReadTimeout: no answer within $1 ms');
  return cause === '' ? `no answer (${request})` : `${cause} (${request})`;
}

function withoutQuery(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : url.slice(0, at);
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
