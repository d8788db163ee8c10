/**
 * An endpoint where nothing listens (the emulator is not running, a wrong
 * DRAINCTL_CLOUD_ENDPOINT) fails each product's calls with one readable line: which call, the
 * request it sent (without its query string), and the network error — not the HTTP layer's
 * "127.0.0.1:1POST http://…?Action=… failed." glued together.
 */
import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { AliyunApiError } from '#src/adapters/aliyun/transport/cloud-error.js';
import { createCloudPorts } from '#src/adapters/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { captureLogs, TEST_RETRY } from '#support/emulator-adapters.js';

let endpoint: string;
let port: number;
beforeAll(async () => {
  // A port that was just free and is closed again: connecting to it is refused.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  endpoint = `http://127.0.0.1:${port}`;
});

function ports() {
  return createCloudPorts({
    region: 'cn-hangzhou',
    endpoint,
    credentials: { accessKeyId: 'LTAI5tEmulatorLocalOnly', accessKeySecret: 'emulator-secret-x' },
    clock: systemClock,
    logger: captureLogs().logger,
    retry: { budgetOverride: { ...TEST_RETRY.budgetOverride, maxAttempts: 2 } },
  });
}

describe('an endpoint where nothing listens', () => {
  it.each([
    ['slb', 'DescribeLoadBalancers', () => ports().loadBalancer.findByName('web-slb', {})],
    ['ecs', 'DescribeInstances', () => ports().host.describe(['i-emu-web-1'])],
    ['alidns', 'DescribeDomainRecords', () => ports().dns.findRecords('example.com', 'www', 'A')],
  ])(
    '%s: one line naming the call, the request and the network error',
    async (product, action, call) => {
      const error = (await call().catch((e: unknown) => e)) as AliyunApiError;
      expect(error).toBeInstanceOf(AliyunApiError);
      expect(error.code).toBe('CLOUD_ENDPOINT_UNREACHABLE');
      expect(error.message.split('\n')).toHaveLength(1);
      expect(error.message).toContain(
        `aliyun ${product} ${action} failed: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port} (POST http://127.0.0.1:${port}/)`,
      );
      expect(error.message).not.toMatch(/\d(GET|POST) /);
      expect(error.message).not.toContain('?');
      expect(error.hint).toContain(`nothing answers at 127.0.0.1:${port}`);
    },
  );
});
