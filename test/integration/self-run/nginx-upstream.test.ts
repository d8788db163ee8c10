/**
 * The nginx adapter against a real nginx on loopback: a server taken out of an upstream and put
 * back under client load with no failed request, the file byte for byte as before; a change
 * `nginx -t` refuses is never reloaded; a file changed by someone else is never overwritten;
 * two nginx hosts changed together. Fails (never skips) without nginx: `.ci/run` installs it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalHost, LOCAL_INSTANCE_ID } from '#src/adapters/local/local-host.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import {
  createNginxLoadBalancer,
  type NginxFileBaseline,
  type NginxFileChange,
  readConfig,
  sha256Of,
} from '#src/adapters/nginx/index.js';
import type { Host } from '#src/ports/index.js';
import { get } from '#support/http-client.js';
import {
  type Backend,
  clientLoad,
  type RunningServer,
  startBackend,
  startNginx,
} from '#support/self-run-balancers.js';

let backends: Backend[] = [];
let nginxes: RunningServer[] = [];

const appConf = (upstream: string[]) => (port: number) =>
  `upstream app {
    # drainctl changes these lines only
${upstream.map((address, i) => `    server ${address}${i === 0 ? ' max_fails=2' : ''};`).join('\n')}
}
server {
    listen 127.0.0.1:${port};
    location /ready { return 200 "ready\\n"; }
    location / { proxy_pass http://app; }
}
`;

/** The local shell with its commands run in `dir`: one "machine" per nginx directory. */
function hostIn(dir: string): Host {
  const local = createLocalHost();
  return {
    ...local,
    runCommand: (id, request, signal) =>
      local.runCommand(id, { ...request, workingDir: dir }, signal),
  };
}

function balancer(
  dirs: string[],
  changes: NginxFileChange[] = [],
  baseline?: Record<string, NginxFileBaseline>,
) {
  return createNginxLoadBalancer({
    ...(baseline === undefined ? {} : { baseline }),
    id: 'nginx-app',
    upstream: 'app',
    configFile: 'app.conf',
    nginx: 'nginx -p . -c nginx.conf',
    pidFile: 'nginx.pid',
    timeoutSeconds: 20,
    reloadTimeoutMs: 10_000,
    clock: systemClock,
    hosts: dirs.map((dir, i) => ({
      name: `nginx-${i + 1}`,
      host: hostIn(dir),
      instanceId: LOCAL_INSTANCE_ID,
    })),
    servers: Object.fromEntries(backends.map((b) => [`i-${b.name}`, b.address])),
    onChange: (change) => {
      changes.push(change);
    },
  });
}

function workerPids(dir: string): string {
  const master = readFileSync(join(dir, 'nginx.pid'), 'utf8').trim();
  return readFileSync(`/proc/${master}/task/${master}/children`, 'utf8').trim();
}

beforeEach(async () => {
  backends = [await startBackend('web-1'), await startBackend('web-2')];
});

afterEach(async () => {
  for (const nginx of nginxes) await nginx.stop();
  for (const backend of backends) await backend.close();
  nginxes = [];
  backends = [];
});

describe('an nginx upstream as a load balancer', () => {
  it('takes a server out and back under client load with no failed request, the file as before', async () => {
    const nginx = await startNginx(appConf(backends.map((b) => b.address)));
    nginxes.push(nginx);
    const original = readFileSync(join(nginx.dir, 'app.conf'), 'utf8');
    const changes: NginxFileChange[] = [];
    const lb = balancer([nginx.dir], changes);
    const load = clientLoad(nginx.url);

    await lb.setBackendWeights('nginx-app', [{ serverId: 'i-web-1', weight: 0 }]);
    expect(readFileSync(join(nginx.dir, 'app.conf'), 'utf8')).toContain(
      `server ${backends[0]?.address} max_fails=2 down;`,
    );
    expect((await lb.listBackends('nginx-app')).map((b) => [b.serverId, b.weight])).toEqual([
      ['i-web-1', 0],
      ['i-web-2', 1],
    ]);
    // The new workers run the new configuration: nothing reaches web-1 any more.
    const before = backends[0]?.served();
    for (let i = 0; i < 20; i++) expect((await get(`${nginx.url}/after`)).body).toBe('web-2\n');
    expect(backends[0]?.served()).toBe(before);

    await lb.setBackendWeights('nginx-app', [{ serverId: 'i-web-1', weight: 1 }]);
    const counts = await load.stop();
    expect(counts.failed, counts.errors.join('; ')).toBe(0);
    expect(counts.ok).toBeGreaterThan(20);
    expect(readFileSync(join(nginx.dir, 'app.conf'), 'utf8')).toBe(original);
    expect(changes.map((c) => c.original)).toEqual([original, original]);
    const served = backends.map((b) => b.served());
    for (let i = 0; i < 10; i++) await get(`${nginx.url}/back`);
    expect(backends[0]?.served()).toBeGreaterThan(served[0] ?? 0);
  });

  it("never reloads a change nginx -t refuses: halts with nginx's message, the file put back", async () => {
    const nginx = await startNginx(appConf(backends.map((b) => b.address)));
    nginxes.push(nginx);
    const original = readFileSync(join(nginx.dir, 'app.conf'), 'utf8');
    // Someone's unfinished edit elsewhere: nginx still serves the last good configuration.
    writeFileSync(join(nginx.dir, 'other.conf'), 'proxy_read_timeout;\n');
    const workers = workerPids(nginx.dir);
    const lb = balancer([nginx.dir]);
    await expect(
      lb.setBackendWeights('nginx-app', [{ serverId: 'i-web-1', weight: 0 }]),
    ).rejects.toMatchObject({
      code: 'NGINX_CONFIG_INVALID',
      exitCode: 2,
      message: expect.stringMatching(
        /nginx -t on nginx-1 refused the changed app\.conf, so nginx was not reloaded: .*invalid number of arguments in "proxy_read_timeout" directive/s,
      ),
    });
    expect(readFileSync(join(nginx.dir, 'app.conf'), 'utf8')).toBe(original);
    expect(workerPids(nginx.dir)).toBe(workers);
  });

  it('refuses a weight for a server it does not know, and changes nothing (the port contract)', async () => {
    const nginx = await startNginx(appConf(backends.map((b) => b.address)));
    nginxes.push(nginx);
    const original = readFileSync(join(nginx.dir, 'app.conf'), 'utf8');
    const workers = workerPids(nginx.dir);
    const lb = balancer([nginx.dir]);
    await expect(
      lb.setBackendWeights('nginx-app', [
        { serverId: 'i-web-1', weight: 0 },
        { serverId: 'i-web-9', weight: 0 },
      ]),
    ).rejects.toMatchObject({ code: 'BACKEND_NOT_ATTACHED' });
    expect(readFileSync(join(nginx.dir, 'app.conf'), 'utf8')).toBe(original);
    expect(workerPids(nginx.dir)).toBe(workers);
    await expect(lb.listBackends('lb-other')).rejects.toMatchObject({
      code: 'LOAD_BALANCER_NOT_FOUND',
    });
  });

  it('does not overwrite a file someone else changed since drainctl wrote it', async () => {
    const nginx = await startNginx(appConf(backends.map((b) => b.address)));
    nginxes.push(nginx);
    const lb = balancer([nginx.dir]);
    await lb.setBackendWeights('nginx-app', [{ serverId: 'i-web-1', weight: 0 }]);
    const theirs = `${readFileSync(join(nginx.dir, 'app.conf'), 'utf8')}# added by hand\n`;
    writeFileSync(join(nginx.dir, 'app.conf'), theirs);
    await expect(
      lb.setBackendWeights('nginx-app', [{ serverId: 'i-web-1', weight: 1 }]),
    ).rejects.toMatchObject({
      code: 'NGINX_CONFIG_CHANGED',
      message: expect.stringContaining(
        'app.conf on nginx-1 was changed by someone else since drainctl last read or wrote it',
      ),
    });
    expect(readFileSync(join(nginx.dir, 'app.conf'), 'utf8')).toBe(theirs);
  });

  it('changes several nginx hosts together, and none when one refuses', async () => {
    const first = await startNginx(appConf(backends.map((b) => b.address)));
    nginxes.push(first);
    const second = await startNginx(appConf(backends.map((b) => b.address)));
    nginxes.push(second);
    const originals = [first, second].map((n) => readFileSync(join(n.dir, 'app.conf'), 'utf8'));
    const lb = balancer([first.dir, second.dir]);
    await lb.setBackendWeights('nginx-app', [{ serverId: 'i-web-2', weight: 0 }]);
    for (const nginx of [first, second]) {
      for (let i = 0; i < 6; i++) expect((await get(`${nginx.url}/x`)).body).toBe('web-1\n');
    }
    writeFileSync(join(second.dir, 'other.conf'), 'proxy_read_timeout;\n');
    const firstWorkers = workerPids(first.dir);
    await expect(
      lb.setBackendWeights('nginx-app', [{ serverId: 'i-web-2', weight: 1 }]),
    ).rejects.toMatchObject({ code: 'NGINX_CONFIG_INVALID' });
    // The first host passed nginx -t but was put back and not reloaded either.
    expect(workerPids(first.dir)).toBe(firstWorkers);
    expect(readFileSync(join(first.dir, 'app.conf'), 'utf8')).not.toBe(originals[0]);
    writeFileSync(join(second.dir, 'other.conf'), '# fixed\n');
    await lb.setBackendWeights('nginx-app', [{ serverId: 'i-web-2', weight: 1 }]);
    expect([first, second].map((n) => readFileSync(join(n.dir, 'app.conf'), 'utf8'))).toEqual(
      originals,
    );
  });

  it('a drainctl killed after writing the restored file, before the reload, is resumed: nginx reloaded from the journal', async () => {
    const nginx = await startNginx(appConf(backends.map((b) => b.address)));
    nginxes.push(nginx);
    const original = readFileSync(join(nginx.dir, 'app.conf'), 'utf8');
    const changes: NginxFileChange[] = [];
    const first = balancer([nginx.dir], changes);
    await first.setBackendWeights('nginx-app', [{ serverId: 'i-web-1', weight: 0 }]);
    // The restore was journaled and the file written, then drainctl was killed (kill -9) before
    // its reload: the file says web-1 is back, nginx still runs it down.
    const drained = readFileSync(join(nginx.dir, 'app.conf'), 'utf8');
    const journaled: NginxFileChange = {
      host: 'nginx-1',
      file: 'app.conf',
      original,
      originalSha256: sha256Of(original),
      beforeSha256: sha256Of(drained),
      afterSha256: sha256Of(original),
    };
    writeFileSync(join(nginx.dir, 'app.conf'), original);
    const workers = workerPids(nginx.dir);

    const resumed = balancer([nginx.dir], [], {
      'nginx-1': {
        original: journaled.original,
        expectedSha256: [journaled.beforeSha256, journaled.afterSha256],
        reloadPending: true,
      },
    });
    await resumed.setBackendWeights('nginx-app', [{ serverId: 'i-web-1', weight: 1 }]);
    expect(readFileSync(join(nginx.dir, 'app.conf'), 'utf8')).toBe(original);
    expect(workerPids(nginx.dir)).not.toBe(workers);
    const served = backends[0]?.served() ?? 0;
    for (let i = 0; i < 6; i++) await get(`${nginx.url}/back`);
    expect(backends[0]?.served()).toBeGreaterThan(served);
    expect(changes.map((c) => c.originalSha256)).toEqual([sha256Of(original)]);
  });

  it('refuses a file too large to carry in one command rather than use part of it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drainctl-nginx-big-'));
    try {
      writeFileSync(
        join(dir, 'app.conf'),
        `# ${'x'.repeat(60_000)}\nupstream app { server 10.0.0.1:80; }\n`,
      );
      const target = { name: 'local', host: createLocalHost(), instanceId: LOCAL_INSTANCE_ID };
      await expect(
        readConfig(target, {
          configFile: join(dir, 'app.conf'),
          nginx: 'nginx',
          pidFile: 'x',
          timeoutSeconds: 10,
        }),
      ).rejects.toThrow('does not match its sha256sum');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
