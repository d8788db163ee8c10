/**
 * A platform's HTTP request as the verifiers see it: the headers and query as the server received
 * them and the body exactly as it arrived (decoded as UTF-8, untouched: every signature covers
 * the raw bytes, so nothing may re-serialize it first).
 */
export interface ChatHttpRequest {
  method: string;
  /** Header names in any case; Node's IncomingHttpHeaders fits. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Query parameters, URL-decoded (WeCom signs with them). */
  query?: Readonly<Record<string, string | readonly string[] | undefined>>;
  rawBody: string;
}

/**
 * One header's value, looked up without regard to case. A header sent twice is no value: a
 * signature cannot be checked against two candidates.
 */
export function headerValue(request: ChatHttpRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  let found: string | undefined;
  for (const [key, value] of Object.entries(request.headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    if (found !== undefined) return undefined;
    found = single(value);
    if (found === undefined) return undefined;
  }
  return found;
}

/** One query parameter; given twice, it is no value. */
export function queryValue(request: ChatHttpRequest, name: string): string | undefined {
  const value =
    request.query === undefined
      ? undefined
      : Object.hasOwn(request.query, name)
        ? request.query[name]
        : undefined;
  return value === undefined ? undefined : single(value);
}

function single(value: string | readonly string[]): string | undefined {
  if (typeof value === 'string') return value;
  return value.length === 1 ? value[0] : undefined;
}
