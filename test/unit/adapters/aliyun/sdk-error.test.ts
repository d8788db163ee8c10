import { describe, expect, it } from 'vitest';
import { readSdkFailure } from '#src/adapters/aliyun/transport/sdk-error.js';

describe('readSdkFailure', () => {
  it('reads an openapi-client error (code, data = body + statusCode)', () => {
    const error = Object.assign(
      new Error('Throttling.User: code: 400, Request was denied. request id: RID-1'),
      {
        code: 'Throttling.User',
        statusCode: 400,
        data: {
          RequestId: 'RID-1',
          Code: 'Throttling.User',
          Message: 'Request was denied.',
          statusCode: 400,
        },
      },
    );
    expect(readSdkFailure(error)).toEqual({
      code: 'Throttling.User',
      httpStatus: 400,
      requestId: 'RID-1',
      message: 'Request was denied.',
      retryAfterMs: undefined,
      transport: false,
    });
  });

  it('reads an openapi-core ThrottlingError with retryAfter', () => {
    const error = Object.assign(new Error('Throttling: code: 400, slow down request id: R2'), {
      name: 'ThrottlingError',
      code: 'Throttling',
      statusCode: 400,
      requestId: 'R2',
      retryAfter: 1500,
      data: { Code: 'Throttling', Message: 'slow down', RequestId: 'R2' },
    });
    const failure = readSdkFailure(error);
    expect(failure.retryAfterMs).toBe(1500);
    expect(failure.requestId).toBe('R2');
  });

  it('reads transport failures without an HTTP answer', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(readSdkFailure(reset)).toMatchObject({ code: 'ECONNRESET', transport: true });
    const timeout = Object.assign(new Error('ReadTimeout(500). POST http://x failed.'), {
      name: 'RequestTimeoutError',
    });
    expect(readSdkFailure(timeout)).toMatchObject({ code: 'ReadTimeout', transport: true });
    const connect = Object.assign(new Error('ConnectTimeout: Connect http://x failed.'), {
      name: 'RequestTimeoutError',
    });
    expect(readSdkFailure(connect).code).toBe('ConnectTimeout');
  });
});
