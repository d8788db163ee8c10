/**
 * Shared set-up for the world's integration tests: a world on a random 127.x.y.0/24 (never
 * 127.0.0.0/24), instances and listeners with short timings, and small HTTP helpers that speak to
 * them over real loopback sockets.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect, vi } from 'vitest';
import type { InstanceSpec, ListenerSpec, WorldTimings } from '#mocks/world/index.js';
import { createWorld, type EmulatedWorld } from '#mocks/world/index.js';

export const oldKernel = '3.10.0-1160.el7.x86_64';
export const newKernel = '3.10.0-1160.119.1.el7.x86_64';

/** Short enough that a reboot takes well under a second. */
export const fastTimings: Partial<WorldTimings> = {
  stoppingSeconds: 0.1,
  bootSeconds: 0.3,
  appStartSeconds: 0.1,
  keepaliveRequests: 100,
  keepaliveTimeoutSeconds: 5,
  packageUpdateSeconds: 0.05,
};

export interface Fixture {
  world: EmulatedWorld;
  /** e.g. `127.42.7` — instances at .11, .12 …, balancers at .101 …, DNS at .53. */
  block: string;
  stateDir: string;
  close(): Promise<void>;
}

export function randomBlock(): string {
  const second = 1 + Math.floor(Math.random() * 254);
  const third = Math.floor(Math.random() * 256);
  return `127.${second}.${third}`;
}

export async function startWorld(timings: Partial<WorldTimings> = {}): Promise<Fixture> {
  const block = randomBlock();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'drainctl-world-'));
  const world = await createWorld({
    stateDir,
    dnsHost: `${block}.53`,
    timings: { ...fastTimings, ...timings },
  });
  return {
    world,
    block,
    stateDir,
    async close() {
      await world.close();
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export function instanceSpec(block: string, n: number, appPort = 8080): InstanceSpec {
  return {
    id: `i-emu-web-${n}`,
    name: `web-${n}`,
    hostname: `web-${n}`,
    privateIp: `${block}.${10 + n}`,
    appPort,
    kernel: oldKernel,
    availableKernel: newKernel,
    osName: 'CentOS 7.9 64 bit',
  };
}

export function listenerSpec(block: string, overrides: Partial<ListenerSpec> = {}): ListenerSpec {
  return {
    loadBalancerId: 'lb-emu-1',
    address: `${block}.101`,
    port: 8080,
    protocol: 'tcp',
    backendPort: 8080,
    scheduler: 'wrr',
    healthCheck: {
      enabled: true,
      type: 'tcp',
      uri: '/healthz',
      method: 'head',
      httpCodes: ['http_2xx', 'http_3xx'],
      intervalSeconds: 0.2,
      timeoutSeconds: 1,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
    },
    xForwardedFor: true,
    idleTimeoutSeconds: 15,
    requestTimeoutSeconds: 10,
    ...overrides,
  };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The local socket the request went out on (tells connections apart). */
  socket: { localPort: number };
}

/** One HTTP request; pass an agent to control connection reuse. */
export function request(
  url: string,
  options: {
    agent?: http.Agent;
    method?: string;
    headers?: http.OutgoingHttpHeaders;
    localAddress?: string;
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        agent: options.agent ?? false,
        method: options.method ?? 'GET',
        headers: options.headers,
        localAddress: options.localAddress,
      },
      (res) => {
        const localPort = res.socket.localPort ?? 0;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            socket: { localPort },
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export function logLines(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

/** The lines `file` gained after its first `after`, once it has gained at least `count`. */
export function linesAfter(file: string, after: number, count = 1): Promise<string[]> {
  return vi.waitFor(
    () => {
      const lines = logLines(file).slice(after);
      expect(lines.length, `new lines in ${file}`).toBeGreaterThanOrEqual(count);
      return lines;
    },
    { timeout: 5000, interval: 20 },
  );
}

export function inSlbBlock(address: string): boolean {
  const [a, b] = address.split('.').map(Number);
  return a === 100 && b !== undefined && b >= 64 && b <= 127;
}
