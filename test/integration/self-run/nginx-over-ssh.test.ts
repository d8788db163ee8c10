/**
 * The nginx adapter over SSH, built by the composition root from a workflow's `hosts` entry: a
 * loopback SSH server (real `sh -c`) in front of a real nginx. The file travels in Base64 both
 * ways and comes back byte for byte.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type SelfRunBalancerSpec, selfRunLoadBalancer } from '#src/app/composition-root.js';
import { get } from '#support/http-client.js';
import { type Backend, startBackend, startNginx } from '#support/self-run-balancers.js';
import { generateKeys, startSshServer } from '#support/ssh-server.js';
import { workflowFrom } from '#support/workflows.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('an nginx host reached over SSH', () => {
  it('takes a server out and puts its line back byte for byte', async () => {
    const backends: Backend[] = [await startBackend('web-1'), await startBackend('web-2')];
    cleanups.push(async () => {
      for (const backend of backends) await backend.close();
    });
    const [one, two] = backends.map((b) => b.address);
    const nginx = await startNginx(
      (port) =>
        `upstream app {\n\tserver ${one}   max_fails=1 ; # web-1\n\tserver ${two};\n}\nserver {\n  listen 127.0.0.1:${port};\n  location /ready { return 200; }\n  location / { proxy_pass http://app; }\n}\n`,
    );
    cleanups.push(() => nginx.stop());
    const keys = generateKeys();
    const ssh = await startSshServer(keys);
    cleanups.push(() => ssh.close());
    writeFileSync(join(nginx.dir, 'known_hosts'), `${ssh.knownHostsLine}\n`);
    writeFileSync(join(nginx.dir, 'id_ed25519'), keys.clientPrivate, { mode: 0o600 });
    const { spec } = workflowFrom(
      `name: web
region: cn-hangzhou
loadBalancer:
  kind: nginx
  nginx:
    hosts:
      - address: 127.0.0.1
        port: ${ssh.port}
        user: ops
        privateKey: ${join(nginx.dir, 'id_ed25519')}
        knownHosts: ${join(nginx.dir, 'known_hosts')}
    configFile: ${join(nginx.dir, 'app.conf')}
    upstream: app
    command: nginx -p ${nginx.dir} -c nginx.conf
    pidFile: ${join(nginx.dir, 'nginx.pid')}
    servers: { i-web-1: "${one}", i-web-2: "${two}" }
backends:
  instances: [i-web-1, i-web-2]
drain:
  probe:
    kind: access-log
    path: /var/log/{name}.log
`,
    );
    const lb = await selfRunLoadBalancer(spec.loadBalancer as SelfRunBalancerSpec, {
      id: 'nginx-app',
      instances: [],
      env: {},
    });
    const original = readFileSync(join(nginx.dir, 'app.conf'), 'utf8');

    await lb.setBackendWeights('nginx-app', [{ serverId: 'i-web-1', weight: 0 }]);
    expect(readFileSync(join(nginx.dir, 'app.conf'), 'utf8')).toContain(
      `server ${one}   max_fails=1 down ; # web-1`,
    );
    for (let i = 0; i < 6; i++) expect((await get(`${nginx.url}/x`)).body).toBe('web-2\n');
    expect((await lb.describe('nginx-app')).address).toBe(`ssh://ops@127.0.0.1:${ssh.port}`);

    await lb.setBackendWeights('nginx-app', [{ serverId: 'i-web-1', weight: 1 }]);
    expect(readFileSync(join(nginx.dir, 'app.conf'), 'utf8')).toBe(original);
    expect(ssh.commands.some((command) => command.includes('nginx -p'))).toBe(true);
  });
});
