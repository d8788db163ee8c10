/**
 * The composition root builds a balancer you run yourself from its workflow section: nginx
 * servers matched by `privateIp:port` (or named in `servers`), HAProxy reached on its local stats
 * socket. The nginx case reads a file only (no nginx needed); the HAProxy case a real HAProxy.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { balancerStateFile } from '#src/adapters/local/balancer-state-file.js';
import { type NginxFileBaseline, sha256Of } from '#src/adapters/nginx/index.js';
import { type SelfRunBalancerSpec, selfRunLoadBalancer } from '#src/app/composition-root.js';
import type { InstanceInfo } from '#src/ports/index.js';
import {
  type Backend,
  NGINX_MISSING,
  nginxBinary,
  type RunningServer,
  startBackend,
  startHaproxy,
  startNginx,
} from '#support/self-run-balancers.js';
import { workflowFrom } from '#support/workflows.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function instance(id: string, privateIp: string): InstanceInfo {
  return { id, name: id, status: 'Running', privateIp, tags: {} };
}

function section(loadBalancer: string): SelfRunBalancerSpec {
  const { spec } = workflowFrom(
    `name: web\nregion: cn-hangzhou\nloadBalancer:\n${loadBalancer}backends:\n  instances: [i-a, i-b]\ndrain:\n  probe:\n    kind: access-log\n    path: /var/log/{name}.log\n`,
  );
  return spec.loadBalancer as SelfRunBalancerSpec;
}

describe('a balancer you run yourself, built from its workflow section', () => {
  it('nginx: matches each server by privateIp:port, or by the address servers names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drainctl-nginx-conf-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, 'app.conf'),
      'upstream app {\n  server 10.0.0.5:8080 weight=3;\n  server app-b.internal:8080 down;\n}\n',
    );
    const lb = await selfRunLoadBalancer(
      section(
        `  kind: nginx\n  nginx:\n    hosts: [local]\n    configFile: ${join(dir, 'app.conf')}\n    upstream: app\n    port: 8080\n    servers: { i-b: app-b.internal:8080 }\n`,
      ),
      {
        id: 'nginx-app',
        instances: [instance('i-a', '10.0.0.5'), instance('i-b', '10.0.0.6')],
        env: {},
      },
    );
    expect(
      (await lb.listBackends('nginx-app')).map((b) => [b.serverId, b.weight, b.description]),
    ).toEqual([
      ['i-a', 3, 'server 10.0.0.5:8080 weight=3;'],
      ['i-b', 0, 'server app-b.internal:8080 down;'],
    ]);
  });

  it('haproxy: the servers of the backend through the local stats socket', async () => {
    const backends: Backend[] = [await startBackend('web-1'), await startBackend('web-2')];
    cleanups.push(async () => {
      for (const backend of backends) await backend.close();
    });
    const haproxy: RunningServer & { socket: string } = await startHaproxy({
      s1: backends[0]?.address ?? '',
      s2: backends[1]?.address ?? '',
    });
    cleanups.push(() => haproxy.stop());
    const lb = await selfRunLoadBalancer(
      section(
        `  kind: haproxy\n  haproxy:\n    statsSocket: ${haproxy.socket}\n    backend: app\n    servers: { i-a: s1, i-b: s2 }\n`,
      ),
      { id: 'haproxy-app', instances: [], env: {} },
    );
    expect((await lb.listBackends('haproxy-app')).map((b) => [b.serverId, b.weight])).toEqual([
      ['i-a', 10],
      ['i-b', 10],
    ]);
    expect((await lb.describe('haproxy-app')).address).toBe(`${haproxy.socket} on local`);
  });

  it('nginx: a change a run left unfinished is settled (reloaded) for a run, never for plan', async () => {
    const backend = await startBackend('web-1');
    cleanups.push(() => backend.close());
    const nginx = await startNginx(
      (port) =>
        `upstream app {\n  server ${backend.address};\n}\nserver {\n  listen 127.0.0.1:${port};\n  location /ready { return 200; }\n}\n`,
    );
    cleanups.push(() => nginx.stop());
    const home = mkdtempSync(join(tmpdir(), 'drainctl-home-'));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    const binary = nginxBinary();
    if (binary === undefined) throw new Error(NGINX_MISSING);
    const configFile = join(nginx.dir, 'app.conf');
    const text = readFileSync(configFile, 'utf8');
    // What a run killed after writing the file, before reloading nginx, leaves behind.
    await balancerStateFile<NginxFileBaseline>(home, 'nginx-app').update(({ files }) => {
      files.local = { original: text, expectedSha256: [sha256Of(text)], reloadPending: true };
    });
    const spec = section(
      `  kind: nginx\n  nginx:\n    hosts: [local]\n    configFile: ${configFile}\n    upstream: app\n    command: ${binary} -p ${nginx.dir} -c nginx.conf\n    pidFile: ${join(nginx.dir, 'nginx.pid')}\n    servers: { i-a: ${backend.address} }\n`,
    );
    const reloads = () =>
      (readFileSync(join(nginx.dir, 'error.log'), 'utf8').match(/SIGHUP/g) ?? []).length;
    const build = (observeOnly: boolean) =>
      selfRunLoadBalancer(spec, { id: 'nginx-app', instances: [], env: {}, home, observeOnly });

    await (await build(true)).listBackends('nginx-app');
    expect(reloads()).toBe(0);
    await (await build(false)).listBackends('nginx-app');
    expect(reloads()).toBe(1);
    // Settled: nginx runs the file, and the state file keeps nothing of it (it is the original).
    expect((await balancerStateFile(home, 'nginx-app').read()).files).toEqual({});
  });
});
