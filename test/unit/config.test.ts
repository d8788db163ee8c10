import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDotEnv, readEnvironment } from '#src/config/index.js';
import { InvalidInputError } from '#src/errors/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('configuration', () => {
  it('loads .env without overriding what the shell already set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drainctl-env-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, '.env'),
      'ALIBABA_CLOUD_REGION_ID=cn-shanghai\nDRAINCTL_HOME=./state\n# comment\n',
    );
    const env: NodeJS.ProcessEnv = { ALIBABA_CLOUD_REGION_ID: 'cn-beijing' };
    expect(loadDotEnv(dir, env)).toEqual(['DRAINCTL_HOME']);
    expect(env.ALIBABA_CLOUD_REGION_ID).toBe('cn-beijing');
    expect(readEnvironment(env, dir).home).toBe(join(dir, 'state'));
  });

  it('is fine without a .env file and defaults DRAINCTL_HOME to ./.drainctl', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drainctl-env-'));
    dirs.push(dir);
    expect(loadDotEnv(dir, {})).toEqual([]);
    const environment = readEnvironment({}, dir);
    expect(environment.home).toBe(join(dir, '.drainctl'));
    expect(environment.cloudEndpoint).toBeUndefined();
  });

  it('rejects a malformed DRAINCTL_CLOUD_ENDPOINT as invalid input naming the variable', () => {
    expect(() => readEnvironment({ DRAINCTL_CLOUD_ENDPOINT: '127.0.0.1:8080' }, '/')).toThrow(
      InvalidInputError,
    );
    try {
      readEnvironment({ DRAINCTL_CLOUD_ENDPOINT: 'not a url' }, '/');
    } catch (error) {
      expect((error as InvalidInputError).path).toBe('DRAINCTL_CLOUD_ENDPOINT');
      expect((error as InvalidInputError).exitCode).toBe(3);
    }
    expect(
      readEnvironment({ DRAINCTL_CLOUD_ENDPOINT: 'http://127.0.0.1:8080' }, '/').cloudEndpoint
        ?.port,
    ).toBe('8080');
  });

  it('reads DRAINCTL_API_RATE_LIMITS: off, or per action CALLS/SECONDS or off', () => {
    expect(readEnvironment({}, '/').apiRateLimits).toBeUndefined();
    expect(readEnvironment({ DRAINCTL_API_RATE_LIMITS: 'off' }, '/').apiRateLimits).toBe('off');
    expect(
      readEnvironment(
        { DRAINCTL_API_RATE_LIMITS: 'SetBackendServers=60/60, DescribeHealthStatus=off' },
        '/',
      ).apiRateLimits,
    ).toEqual({ SetBackendServers: { calls: 60, perSeconds: 60 }, DescribeHealthStatus: 'off' });
    for (const bad of ['SetBackendServers=0/60', 'SetBackendServers', 'Set=1/0', '=1/1']) {
      expect(() => readEnvironment({ DRAINCTL_API_RATE_LIMITS: bad }, '/'), bad).toThrow(
        InvalidInputError,
      );
    }
  });
});
