/**
 * Every request a cloud adapter sends, once its answer is in: what a server's metrics count
 * (calls by action and outcome, throttling). The adapters report; whoever runs them listens.
 */
export interface CloudCallEvent {
  /** `slb`, `alidns`, `ecs`. */
  product: string;
  /** The API action: `SetBackendServers`. */
  action: string;
  /** `OK`, or the failure's code (the cloud's `Code`, or a transport error's). */
  code: string;
  /** The cloud refused the request for its rate limit (a `Throttling…` code). */
  throttled: boolean;
}
