/**
 * Asking Prometheus whether the alert gate is open. Fails closed: unreachable, a timeout, a
 * non-success answer or one that cannot be read is a blocked verdict saying why — a gate that
 * cannot be evaluated blocks. Blocked while any series the query returns passes the label filter.
 */
import type { AlertGateQuery, AlertGateVerdict, AlertMatch } from '../ports/index.js';
import { describeMatches } from './alert-reason.js';
import { readPrometheusAnswer } from './prometheus-answer.js';

export interface CheckAlertGateOptions {
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Cancels the question (a stopping run); the verdict is then blocked. */
  signal?: AbortSignal;
}

/**
 * @example const verdict = await checkAlertGate({ prometheusUrl: 'http://127.0.0.1:9090', query: 'ALERTS{alertstate="firing"}', labels: {}, timeoutMs: 5000 });
 */
export async function checkAlertGate(
  gate: AlertGateQuery,
  options: CheckAlertGateOptions = {},
): Promise<AlertGateVerdict> {
  const url = queryUrl(gate);
  if (url === undefined) return closed(`"${gate.prometheusUrl}" is not a URL`);
  const timeout = AbortSignal.timeout(gate.timeoutMs);
  const signal =
    options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  let status: number;
  let body: string;
  try {
    const response = await (options.fetch ?? fetch)(url, {
      headers: { accept: 'application/json', ...authorization(gate) },
      signal,
      redirect: 'error',
    });
    status = response.status;
    body = await response.text();
  } catch (error) {
    if (timeout.aborted) {
      return closed(`Prometheus at ${url.origin} did not answer within ${gate.timeoutMs} ms`);
    }
    if (options.signal?.aborted) return closed('the question was cancelled');
    return closed(`Prometheus at ${url.origin} cannot be reached: ${describeFailure(error)}`);
  }
  const answer = readPrometheusAnswer(status, body);
  if (!answer.ok) return closed(`Prometheus at ${url.origin} answered ${answer.error}`);
  const matches: AlertMatch[] = answer.series
    .filter((labels) => Object.entries(gate.labels).every(([key, value]) => labels[key] === value))
    .map((labels) => ({ labels }));
  if (matches.length > 0) {
    return { blocked: true, reason: describeMatches(filtered(gate), matches), matches };
  }
  return { blocked: false, reason: `open: nothing matches ${filtered(gate)}`, matches: [] };
}

/** The query with its label filter, as a person reads what was asked. */
function filtered(gate: AlertGateQuery): string {
  const labels = Object.entries(gate.labels);
  if (labels.length === 0) return gate.query;
  return `${gate.query} with ${labels.map(([key, value]) => `${key}="${value}"`).join(', ')}`;
}

function closed(why: string): AlertGateVerdict {
  return {
    blocked: true,
    reason: `cannot evaluate the alert gate (fails closed): ${why}`,
    matches: [],
  };
}

/** `/api/v1/query` under the base URL, path prefix kept (`http://host/prometheus/`). */
function queryUrl(gate: AlertGateQuery): URL | undefined {
  try {
    const base = gate.prometheusUrl.endsWith('/') ? gate.prometheusUrl : `${gate.prometheusUrl}/`;
    const url = new URL('api/v1/query', base);
    url.searchParams.set('query', gate.query);
    return url;
  } catch {
    return undefined;
  }
}

function authorization(gate: AlertGateQuery): Record<string, string> {
  const auth = gate.auth;
  if (auth === undefined) return {};
  if ('bearerToken' in auth) return { authorization: `Bearer ${auth.bearerToken}` };
  const basic = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
  return { authorization: `Basic ${basic}` };
}

/** fetch hides the system error (ECONNREFUSED…) in its cause. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code)
      ? `${cause.message} (${code})`
      : cause.message;
  }
  return error.message;
}
