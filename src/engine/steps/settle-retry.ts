/**
 * The failure policy's own weight change (roll back, pull to 0) is tried again after these
 * waits before the node is named as left out with the error: a throttled or briefly failing API
 * must not leave a server half in service, and a refusal that lasts must not go unreported.
 */
export const SETTLE_RETRY_DELAYS_MS = [1_000, 4_000];
