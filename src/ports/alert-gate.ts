/**
 * The alert gate: "is anything firing that says this is no time to take a server out of
 * service?" asked of a monitoring system (Prometheus) right before each node leaves service.
 * The answer fails closed: a system that cannot be asked, or answers something unreadable,
 * blocks with the reason.
 */

/** Basic or bearer credentials for the query endpoint, taken from the environment. */
export type AlertGateAuth = { bearerToken: string } | { username: string; password: string };

/** What to ask and where. */
export interface AlertGateQuery {
  /** The server's base URL (`http://prometheus:9090`); `/api/v1/query` is appended. */
  prometheusUrl: string;
  /** Any PromQL instant query; every series it returns that the label filter keeps blocks. */
  query: string;
  /** A series blocks only if it has each of these labels with this exact value. */
  labels: Record<string, string>;
  /** The whole request (connect, answer, body) must finish within this. */
  timeoutMs: number;
  auth?: AlertGateAuth;
}

/** One series that matched: what blocks the gate. */
export interface AlertMatch {
  /** The series' labels (`alertname`, `severity`, …). */
  labels: Record<string, string>;
}

export interface AlertGateVerdict {
  blocked: boolean;
  /** One line: the alerts that block (cut to a readable length), why it could not ask, or "open". */
  reason: string;
  matches: AlertMatch[];
}

export interface AlertGateChecker {
  /** Never rejects: a question that cannot be answered is a blocked verdict with its reason. */
  check(query: AlertGateQuery, signal?: AbortSignal): Promise<AlertGateVerdict>;
}
