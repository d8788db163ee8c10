/**
 * What the app answers, decided without I/O: `/healthz`, and for every other path a small JSON
 * document naming the host and its running kernel (what a drain or a patch check wants to see).
 * World faults show here: an unhealthy app answers 503 to health checks, a broken deployment
 * answers 500/502 to a share of real requests.
 */

export interface AppIdentity {
  instanceId: string;
  hostname: string;
}

export interface AppRequest {
  method: string;
  url: string;
  /** Whether the request comes from a health checker (an SLB health-check address). */
  fromHealthCheck: boolean;
  /** The X-Forwarded-For header, echoed so clients can see what a layer-7 listener added. */
  forwardedFor?: string;
}

/** The app's condition at the moment of the request (driven by world faults). */
export interface AppCondition {
  kernel: string;
  /** False while the app's health endpoint fails (unhealthy after boot, flapping). */
  healthy: boolean;
  /** Share of real requests (0–1) that fail with 500/502. */
  errorRate: number;
  /** Milliseconds every real request answered 200 waits first (a slow version); 0 if none. */
  extraDelayMs?: number;
}

export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Wait this long before answering (`?delay_ms=N`, to hold a request open during a drain). */
  delayMs: number;
}

/** Longest `?delay_ms=` honoured, so a typo cannot hold a connection for hours. */
export const maxDelayMs = 60_000;

const statusText: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
};

/** The reason phrase nginx puts in the status line (Node's differ for some codes). */
export function nginxReason(status: number): string | undefined {
  return statusText[status];
}

/** nginx's own error page, as a browser would see it. */
export function nginxErrorPage(status: number): string {
  const title = `${status} ${statusText[status] ?? 'Error'}`;
  return (
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n` +
    `<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
  );
}

export function route(
  request: AppRequest,
  identity: AppIdentity,
  condition: AppCondition,
  random: () => number,
): AppResponse {
  const url = new URL(request.url, 'http://app.invalid');
  const headers: Record<string, string> = { server: 'nginx' };
  const isHealthPath = url.pathname === '/healthz';

  if (isHealthPath || request.fromHealthCheck) {
    if (!condition.healthy) {
      return { status: 503, headers: html(headers), body: nginxErrorPage(503), delayMs: 0 };
    }
    if (isHealthPath) {
      return {
        status: 200,
        headers: { ...headers, 'content-type': 'text/plain' },
        body: 'ok\n',
        delayMs: 0,
      };
    }
  } else if (condition.errorRate > 0 && random() < condition.errorRate) {
    const status = random() < 0.5 ? 500 : 502;
    return { status, headers: html(headers), body: nginxErrorPage(status), delayMs: 0 };
  }

  const requested = Number(url.searchParams.get('delay_ms') ?? 0);
  // A slow version delays real requests only: the balancer's checks still pass, as they would.
  const slow = request.fromHealthCheck ? 0 : (condition.extraDelayMs ?? 0);
  const delayMs =
    (Number.isFinite(requested) ? Math.min(Math.max(requested, 0), maxDelayMs) : 0) + slow;
  const body = `${JSON.stringify({
    hostname: identity.hostname,
    instanceId: identity.instanceId,
    kernel: condition.kernel,
    method: request.method,
    path: url.pathname,
    forwardedFor: request.forwardedFor,
  })}\n`;
  return {
    status: 200,
    headers: {
      ...headers,
      'content-type': 'application/json',
      'x-served-by': identity.hostname,
    },
    body,
    delayMs,
  };
}

function html(headers: Record<string, string>): Record<string, string> {
  return { ...headers, 'content-type': 'text/html' };
}
