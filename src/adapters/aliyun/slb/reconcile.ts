/**
 * After a non-idempotent mutation fails (a timeout after the request left, a 5xx, an error
 * such as "already exists"), read the live state: if what the mutation was for is already in
 * place, the mutation is done; otherwise the original error stands.
 */
import { AliyunApiError } from '../transport/cloud-error.js';

const NOT_RECONCILABLE = new Set([
  'CLOUD_CREDENTIALS_REJECTED',
  'CLOUD_PERMISSION_DENIED',
  'CLOUD_REGION_INVALID',
  'CLOUD_ENDPOINT_UNREACHABLE',
]);

export async function mutateThenVerify(
  mutate: () => Promise<unknown>,
  isDone: () => Promise<boolean>,
): Promise<void> {
  try {
    await mutate();
  } catch (error) {
    if (!(error instanceof AliyunApiError) || NOT_RECONCILABLE.has(error.code)) throw error;
    let done = false;
    try {
      done = await isDone();
    } catch {
      // The read failed too: the mutation's own error is the one to report.
    }
    if (!done) throw error;
  }
}
