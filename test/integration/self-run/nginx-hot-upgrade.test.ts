/**
 * nginx's binary hot upgrade on a real nginx (a daemon, as nginx takes USR2 only from one) run
 * from a copy of its binary the test replaces: under client load with no failed request, the
 * new master serving at the end; and the way back when the new binary cannot start.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalHost, LOCAL_INSTANCE_ID } from '#src/adapters/local/local-host.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { type HotUpgradeStep, hotUpgrade } from '#src/adapters/nginx/index.js';
import { get } from '#support/http-client.js';
import {
  type Backend,
  clientLoad,
  NGINX_MISSING,
  nginxBinary,
  runningPid,
  startBackend,
  startNginx,
} from '#support/self-run-balancers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp() {
  const installed = nginxBinary();
  if (installed === undefined) throw new Error(NGINX_MISSING);
  const bin = mkdtempSync(join(tmpdir(), 'drainctl-nginx-bin-'));
  cleanups.push(() => rmSync(bin, { recursive: true, force: true }));
  mkdirSync(join(bin, 'sbin'));
  const binary = join(bin, 'sbin', 'nginx');
  copyFileSync('/usr/sbin/nginx', binary);
  const original = readFileSync(binary);
  const backend: Backend = await startBackend('web-1');
  cleanups.push(() => backend.close());
  const nginx = await startNginx(
    (port) =>
      `upstream app { server ${backend.address}; }\nserver {\n  listen 127.0.0.1:${port};\n  location /ready { return 200; }\n  location / { proxy_pass http://app; }\n}\n`,
    { daemon: true, binary },
  );
  cleanups.push(() => nginx.stop());
  const steps: HotUpgradeStep[] = [];
  const options = (newBinary: string) => ({
    binary,
    newBinary,
    pidFile: join(nginx.dir, 'nginx.pid'),
    url: `${nginx.url}/check`,
    stepTimeoutSeconds: 5,
    clock: systemClock,
    onStep: (step: HotUpgradeStep) => {
      steps.push(step);
    },
  });
  const target = { name: 'local', host: createLocalHost(), instanceId: LOCAL_INSTANCE_ID };
  return { bin, binary, nginx, options, original, target, steps };
}

describe("nginx's binary hot upgrade", () => {
  it('upgrades under client load with no failed request; the new binary serves at the end', async () => {
    const { bin, binary, nginx, options, target, steps } = await setUp();
    copyFileSync('/usr/sbin/nginx', join(bin, 'nginx-new'));
    const load = clientLoad(nginx.url);
    const { oldMaster, newMaster } = await hotUpgrade(target, options(join(bin, 'nginx-new')));
    const counts = await load.stop();
    expect(counts.failed, counts.errors.join('; ')).toBe(0);
    expect(counts.ok).toBeGreaterThan(10);
    expect(steps).toEqual(['install', 'usr2', 'new-master', 'winch', 'quit-old', 'done']);
    expect(newMaster).not.toBe(oldMaster);
    expect(runningPid(oldMaster)).toBe(false);
    // The new master runs the file now at the binary's path, not the replaced one.
    expect(readlinkSync(`/proc/${newMaster}/exe`)).toBe(binary);
    expect((await get(`${nginx.url}/after`)).body).toBe('web-1\n');
  });

  it('goes back to the old binary when the new master cannot start, serving throughout', async () => {
    const { bin, binary, nginx, options, original, target, steps } = await setUp();
    writeFileSync(join(bin, 'nginx-broken'), '#!/bin/sh\necho "cannot start" >&2\nexit 1\n', {
      mode: 0o755,
    });
    const before = Number(readFileSync(join(nginx.dir, 'nginx.pid'), 'utf8'));
    const load = clientLoad(nginx.url);
    await expect(hotUpgrade(target, options(join(bin, 'nginx-broken')))).rejects.toMatchObject({
      code: 'NGINX_UPGRADE_FAILED',
      message: expect.stringContaining(
        'went back to the old binary: the new nginx master did not run its workers',
      ),
    });
    const counts = await load.stop();
    expect(counts.failed, counts.errors.join('; ')).toBe(0);
    expect(steps).toEqual(['install', 'usr2', 'way-back']);
    expect(runningPid(before)).toBe(true);
    expect((await get(`${nginx.url}/after`)).body).toBe('web-1\n');
    // The old binary is in place again: byte for byte the one that was replaced.
    expect(readFileSync(binary)).toEqual(original);
  });
});
