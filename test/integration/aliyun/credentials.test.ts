/**
 * Bad credentials give one clear message naming what to check, and secrets never reach the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AliyunApiError } from '#src/adapters/aliyun/transport/cloud-error.js';
import { createCloudPorts } from '#src/adapters/index.js';
import { type AliyunTestEnv, startAliyunEnv } from '#support/emulator-adapters.js';

let env: AliyunTestEnv;
beforeAll(async () => {
  env = await startAliyunEnv();
});
afterAll(async () => {
  await env?.emu.close();
});

describe('credentials', () => {
  it('an unknown access key id names the variable, the profile and the RAM role to check', async () => {
    const ports = createCloudPorts({
      ...env.options,
      credentials: { accessKeyId: 'LTAI5tNobodyHasThisKey', accessKeySecret: 'whatever-secret-1' },
    });
    const error = (await ports.host
      .describe(['i-emu-web-1'])
      .catch((e: unknown) => e)) as AliyunApiError;
    expect(error).toBeInstanceOf(AliyunApiError);
    expect(error.code).toBe('CLOUD_CREDENTIALS_REJECTED');
    expect(error.cloudCode).toBe('InvalidAccessKeyId.NotFound');
    expect(error.hint).toMatch(/ALIBABA_CLOUD_ACCESS_KEY_ID/);
    expect(error.hint).toMatch(/ALIBABA_CLOUD_PROFILE/);
    expect(error.hint).toMatch(/RAM role/);
    expect(error.attempts).toBe(1);
  });

  it('a wrong secret names the secret variable, and the secret is masked in every log line', async () => {
    const secret = 'not-the-emulator-secret-42';
    const ports = createCloudPorts({
      ...env.options,
      credentials: { accessKeyId: env.emu.credentials.accessKeyId, accessKeySecret: secret },
    });
    const error = (await ports.loadBalancer
      .findByName('x', {})
      .catch((e: unknown) => e)) as AliyunApiError;
    expect(error.code).toBe('CLOUD_CREDENTIALS_REJECTED');
    expect(error.cloudCode).toBe('SignatureDoesNotMatch');
    expect(error.hint).toMatch(/ALIBABA_CLOUD_ACCESS_KEY_SECRET/);
    expect(error.message.split('\n')).toHaveLength(1);
    env.logger.info({ note: `using ${secret}` }, `the secret is ${secret}`);
    const written = JSON.stringify(env.logs);
    expect(written).not.toContain(secret);
    expect(written).toContain('[REDACTED]');
  });
});
