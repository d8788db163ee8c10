/**
 * nginx's binary hot upgrade as a workflow's patch (`patch.kind: nginx-hot-upgrade`), run by
 * the real binary against the emulator's balancer, on a real nginx (a daemon on loopback, run
 * from a copy of Debian's binary the run replaces) reached over a loopback SSH server, under
 * client load straight to that nginx: the upgrade with no failed request; a new binary that
 * cannot start, the way back with no failed request; and drainctl killed with SIGKILL between
 * USR2 and WINCH, then `resume`.
 */
import { copyFileSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  drainctl,
  journal,
  latestRunId,
  type RunEnv,
  runEnvPerTest,
  spawnDrainctl,
  waitForEntry,
} from '#support/rollout-on-emulator.js';
import {
  clientLoad,
  NGINX_MISSING,
  nginxBinary,
  type RunningServer,
  runningPid,
  startBackend,
  startNginx,
} from '#support/self-run-balancers.js';
import { generateKeys, startSshServer } from '#support/ssh-server.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const startEnv = runEnvPerTest();

/** Answers 200 after `delayMs`: the check URL, slow enough to stop drainctl between two steps. */
async function slowServer(delayMs: number): Promise<string> {
  const server: Server = createServer((_req, res) => {
    setTimeout(() => res.end('slow\n'), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface World {
  env: RunEnv;
  nginx: RunningServer;
  binary: string;
  original: Buffer;
  oldMaster: number;
}

async function setUp(newBinary: 'same' | 'broken', checkDelayMs = 0): Promise<World> {
  if (nginxBinary() === undefined) throw new Error(NGINX_MISSING);
  const env = await startEnv();
  const bin = join(env.dir, 'bin');
  mkdirSync(join(bin, 'sbin'), { recursive: true });
  const binary = join(bin, 'sbin', 'nginx');
  copyFileSync('/usr/sbin/nginx', binary);
  const next = join(bin, 'nginx-new');
  if (newBinary === 'same') copyFileSync('/usr/sbin/nginx', next);
  else writeFileSync(next, '#!/bin/sh\necho "cannot start" >&2\nexit 1\n', { mode: 0o755 });
  const backend = await startBackend('web-1');
  cleanups.push(() => backend.close());
  const slow = await slowServer(checkDelayMs);
  const nginx = await startNginx(
    (port) =>
      `upstream app { server ${backend.address}; }\nserver {\n  listen 127.0.0.1:${port};\n  location /check { proxy_pass http://${slow}; }\n  location / { proxy_pass http://app; }\n}\n`,
    { daemon: true, binary },
  );
  cleanups.push(() => nginx.stop());
  const keys = generateKeys();
  const ssh = await startSshServer(keys);
  cleanups.push(() => ssh.close());
  const key = join(env.dir, 'id_ed25519');
  writeFileSync(key, keys.clientPrivate, { mode: 0o600 });
  writeFileSync(
    env.workflow,
    `name: nginx-upgrade
region: cn-hangzhou
loadBalancer:
  id: \${LOAD_BALANCER_ID}
backends:
  instances: [i-emu-web-1]
rollout: { maxUnavailable: 1, minHealthy: 1 }
drain:
  probe: { kind: none, waitSeconds: 0 }
  quietSeconds: 1
  timeoutSeconds: 20
access:
  via: ssh
  ssh:
    address: 127.0.0.1
    port: ${ssh.port}
    user: ops
    privateKey: ${key}
    hostKeyFingerprint: ${keys.hostFingerprint}
patch:
  kind: nginx-hot-upgrade
  nginx:
    binary: ${binary}
    newBinary: ${next}
    pidFile: ${join(nginx.dir, 'nginx.pid')}
    url: ${nginx.url}/check
    stepTimeoutSeconds: 10
  reboot: false
  verify: false
health:
  checks: [{ type: load-balancer }]
  consecutiveSuccesses: 1
  intervalSeconds: 1
  timeoutSeconds: 30
restore: { rampPercent: [100], holdSeconds: 0, max5xxRate: 0.01, minRequests: 20 }
`,
  );
  const oldMaster = Number(readFileSync(join(nginx.dir, 'nginx.pid'), 'utf8'));
  return { env, nginx, binary, original: readFileSync(binary), oldMaster };
}

/** The upgrade's steps the journal says were done, in order (way back included). */
async function stepsDone(env: RunEnv, runId: string): Promise<string[]> {
  const entries = await journal(env, runId);
  const intents = new Map(
    entries
      .filter((e) => e.type === 'intent' && e.op === 'nginx-upgrade')
      .map((e) => [String(e.opId), e.to as { step?: string; wayBack?: boolean }]),
  );
  return entries
    .filter((e) => e.type === 'result' && e.op === 'nginx-upgrade' && e.applied === true)
    .map((e) => {
      const to = intents.get(String(e.opId));
      return to?.wayBack === true ? 'way-back' : String(to?.step);
    });
}

describe('nginx hot upgrade as the patch of a run', () => {
  it('upgrades under client load with no failed request; the new master serves at the end', async () => {
    const { env, nginx, binary, oldMaster } = await setUp('same');
    const load = clientLoad(nginx.url);
    const run = await drainctl(env, ['run', env.workflow, '--yes', '--json']);
    const counts = await load.stop();
    expect(run.code, run.stderr).toBe(0);
    expect(counts.failed, counts.errors.join('; ')).toBe(0);
    expect(counts.ok).toBeGreaterThan(10);
    expect(await stepsDone(env, await latestRunId(env))).toEqual([
      'install',
      'usr2',
      'new-master',
      'winch',
      'quit-old',
    ]);
    const newMaster = Number(readFileSync(join(nginx.dir, 'nginx.pid'), 'utf8'));
    expect(newMaster).not.toBe(oldMaster);
    expect(runningPid(oldMaster)).toBe(false);
    expect(readlinkSync(`/proc/${newMaster}/exe`)).toBe(binary);
    expect(() => readFileSync(`${binary}.drainctl-old`)).toThrow();
  }, 120_000);

  it('takes the way back when the new binary cannot start: the old master serves, no request fails', async () => {
    const { env, nginx, binary, original, oldMaster } = await setUp('broken');
    const load = clientLoad(nginx.url);
    const run = await drainctl(env, ['run', env.workflow, '--yes', '--json']);
    const counts = await load.stop();
    expect(run.code, run.stderr).toBe(2);
    expect(counts.failed, counts.errors.join('; ')).toBe(0);
    const runId = await latestRunId(env);
    expect(await stepsDone(env, runId)).toEqual(['install', 'way-back']);
    const back = (await journal(env, runId)).find(
      (e) => e.type === 'intent' && e.op === 'nginx-upgrade' && e.compensates !== undefined,
    );
    expect(back?.compensates).toMatchObject({ undo: expect.stringContaining('the way back') });
    expect(runningPid(oldMaster)).toBe(true);
    expect(Number(readFileSync(join(nginx.dir, 'nginx.pid'), 'utf8'))).toBe(oldMaster);
    expect(readFileSync(binary)).toEqual(original);
  }, 120_000);

  it('killed between USR2 and WINCH, resume goes forward: both masters run and answer', async () => {
    // The check URL answers after 3 s, so drainctl is still in `new-master` when it is killed.
    const { env, nginx, binary, oldMaster } = await setUp('same', 3_000);
    const load = clientLoad(nginx.url);
    const first = spawnDrainctl(env, ['run', env.workflow, '--yes', '--json']);
    const usr2 = await waitForEntry(
      env,
      (e) =>
        e.type === 'intent' &&
        e.op === 'nginx-upgrade' &&
        (e.to as { step?: string }).step === 'new-master',
      first.done,
    );
    first.child.kill('SIGKILL');
    await first.done;
    // Between USR2 and WINCH: two masters, the old one's workers still serving.
    expect(readFileSync(join(nginx.dir, 'nginx.pid.oldbin'), 'utf8').trim()).toBe(
      String(oldMaster),
    );
    const resumed = await drainctl(env, ['resume', usr2.runId, '--yes', '--json']);
    const counts = await load.stop();
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(counts.failed, counts.errors.join('; ')).toBe(0);
    expect(await stepsDone(env, usr2.runId)).toEqual([
      'install',
      'usr2',
      'new-master',
      'winch',
      'quit-old',
    ]);
    const newMaster = Number(readFileSync(join(nginx.dir, 'nginx.pid'), 'utf8'));
    expect(runningPid(oldMaster)).toBe(false);
    expect(readlinkSync(`/proc/${newMaster}/exe`)).toBe(binary);
  }, 180_000);
});
