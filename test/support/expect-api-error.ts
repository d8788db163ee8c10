/**
 * Asserts that an SDK call failed the way the real cloud fails: the SDK error carries the code and
 * the status, and the body has the real shape {RequestId, HostId, Code, Message, Recommend}.
 */
import { expect } from 'vitest';

export interface SdkError {
  code: string;
  statusCode: number;
  message: string;
  data: Record<string, unknown>;
  retryAfter?: number;
}

export async function expectApiError(
  call: Promise<unknown>,
  code: string,
  status: number,
): Promise<SdkError> {
  let caught: unknown;
  try {
    await call;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${code} (${status})`).toBeDefined();
  const error = caught as SdkError;
  expect({ code: error.code, status: error.statusCode }).toEqual({ code, status });
  expect(error.data).toMatchObject({
    Code: code,
    RequestId: expect.stringMatching(/^[0-9A-F-]{36}$/),
    HostId: expect.any(String),
    Message: expect.any(String),
    Recommend: expect.stringContaining(code),
  });
  return error;
}
