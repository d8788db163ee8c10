/**
 * After a non-idempotent mutation fails (a timeout after the request left, a 5xx, an error
 * such as "already exists"), read the live state: if what the mutation was for is in place,
 * the mutation is done. If it is not and the failure was ambiguous, the read has just proved
 * the request was not applied, so sending it again is safe; otherwise the error stands.
 */
import { AliyunApiError } from '../transport/cloud-error.js';

/** Mutate → verify rounds before the last error is believed. */
const ROUNDS = 3;

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
  for (let round = 1; ; round++) {
    try {
      await mutate();
      return;
    } catch (error) {
      if (!(error instanceof AliyunApiError) || NOT_RECONCILABLE.has(error.code)) throw error;
      let done = false;
      try {
        done = await isDone();
      } catch {
        // The read failed too: the mutation's own error is the one to report.
        throw error;
      }
      if (done) return;
      if (error.failureKind !== 'ambiguous' || round >= ROUNDS) throw error;
    }
  }
}
