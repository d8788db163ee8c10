import { describe, expect, it } from 'vitest';
import { minimumTtlOf } from '#src/adapters/aliyun/dns/minimum-ttl.js';
import { commandResultOf } from '#src/adapters/aliyun/ecs/invocation-status.js';
import { checkRegion, productEndpoint } from '#src/adapters/aliyun/transport/endpoints.js';
import { splitHostPort } from '#src/adapters/local/dns-resolver.js';
import { InvalidInputError } from '#src/errors/index.js';

describe('endpoints', () => {
  it('uses the real regional endpoints', () => {
    expect(productEndpoint('slb', 'cn-hangzhou').host).toBe('slb.aliyuncs.com');
    expect(productEndpoint('slb', 'cn-shanghai').host).toBe('slb.cn-shanghai.aliyuncs.com');
    expect(productEndpoint('alidns', 'ap-southeast-1').host).toBe('alidns.aliyuncs.com');
    expect(productEndpoint('ecs', 'cn-hangzhou')).toEqual({
      host: 'ecs.cn-hangzhou.aliyuncs.com',
      protocol: 'HTTPS',
      overridden: false,
    });
  });

  it('sends every product to the override', () => {
    const url = new URL('http://127.0.0.1:8080');
    for (const product of ['slb', 'alidns', 'ecs'] as const) {
      expect(productEndpoint(product, 'cn-hangzhou', url)).toEqual({
        host: '127.0.0.1:8080',
        protocol: 'HTTP',
        overridden: true,
      });
    }
  });

  it('refuses what is not a region id', () => {
    expect(checkRegion('cn-hangzhou', 'region')).toBe('cn-hangzhou');
    expect(() => checkRegion('Hangzhou', 'region')).toThrow(InvalidInputError);
  });
});

describe('minimum TTL', () => {
  it('prefers MinTtl, then the edition, then the free edition', () => {
    expect(
      minimumTtlOf({ minTtl: 1, versionCode: 'mianfei', dnsServers: [], versionName: undefined }),
    ).toBe(1);
    expect(
      minimumTtlOf({
        minTtl: undefined,
        versionCode: 'version_enterprise_basic',
        dnsServers: [],
        versionName: undefined,
      }),
    ).toBe(60);
    expect(
      minimumTtlOf({
        minTtl: undefined,
        versionCode: 'unheard_of',
        dnsServers: [],
        versionName: undefined,
      }),
    ).toBe(600);
  });
});

describe('Cloud Assistant results', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  it('waits while running, then decodes the output', () => {
    expect(
      commandResultOf({ invocationStatus: 'Running', invokeRecordStatus: 'Running' }, 't-1'),
    ).toBeUndefined();
    expect(
      commandResultOf(
        { invocationStatus: 'Success', exitCode: 0, output: b64('3.10.0-1160\n') },
        't-1',
      ),
    ).toEqual({ status: 'success', exitCode: 0, output: '3.10.0-1160\n', invocationId: 't-1' });
  });

  it('keeps the exit code of a failed command and none of a timed-out one', () => {
    expect(
      commandResultOf({ invocationStatus: 'Failed', exitCode: 2, output: '' }, 't'),
    ).toMatchObject({
      status: 'failed',
      exitCode: 2,
    });
    expect(
      commandResultOf(
        { invocationStatus: 'Timeout', exitCode: 0, errorCode: 'InvocationTimeout' },
        't',
      ),
    ).toMatchObject({ status: 'timeout', exitCode: null, errorInfo: 'InvocationTimeout' });
    expect(commandResultOf({ invocationStatus: 'Terminated' }, 't')?.status).toBe('cancelled');
  });
});

describe('name server addresses', () => {
  it.each([
    ['127.0.0.53:5300', '127.0.0.53', 5300],
    ['ns1.example.com', 'ns1.example.com', undefined],
    ['[::1]:53', '::1', 53],
    ['::1', '::1', undefined],
  ])('%s', (server, host, port) => {
    expect(splitHostPort(server)).toEqual({ host, port });
  });
});
