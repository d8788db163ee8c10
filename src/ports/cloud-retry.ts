/**
 * A cloud call the one retry policy is sending again (or that went through after retries), as
 * news for whoever runs the call: during a throttling storm a run otherwise says only
 * "draining". The adapters report; the engine decides what to journal.
 */
export interface CloudRetryEvent {
  /** `retrying`: an attempt failed and another follows; `recovered`: a later attempt succeeded. */
  kind: 'retrying' | 'recovered';
  /** `slb`, `alidns`, `ecs`. */
  product: string;
  /** The API action: `SetBackendServers`. */
  action: string;
  /** The failure being retried, or (recovered) the last one before the success. */
  code: string;
  /** Requests sent so far: the failed ones (retrying), or every one, the success included. */
  attempts: number;
  /** Since the call's first attempt. */
  elapsedMs: number;
  /** `retrying`: the wait before the next attempt. */
  delayMs?: number;
}

/** Where the events of every cloud call of a process can be listened to. */
export interface CloudRetryFeed {
  /** Returns the function that stops listening. */
  subscribe(listener: (event: CloudRetryEvent) => void): () => void;
}
