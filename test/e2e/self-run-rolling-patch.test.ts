/**
 * A rolling kernel patch of the emulator's instances behind a real nginx and behind a real
 * HAProxy (Debian's binaries, on loopback), through `drainctl inspect`, `plan` and `run` as a
 * user runs them, under client load through the balancer: no failed request, every kernel patched,
 * the nginx file byte for byte and HAProxy's server states exactly as before. Then drainctl
 * killed with SIGKILL in the middle of an upstream change — the file written, nginx not yet
 * reloaded — and `drainctl resume`: the file restored and nginx running it. Fails (never skips)
 * without nginx or haproxy: `.ci/run` installs both.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDrainctl } from '#support/cli-runner.js';
import { type EmulatorProcess, startEmulatorProcess } from '#support/emulator-process.js';
import { get } from '#support/http-client.js';
import {
  clientLoad,
  haproxyCommand,
  NGINX_MISSING,
  nginxBinary,
  type RunningServer,
  startHaproxy,
  startNginx,
} from '#support/self-run-balancers.js';

const FLEET = ['i-emu-web-1', 'i-emu-web-2', 'i-emu-web-3'];
const PATCHED = '3.10.0-1160.119.1.el7.x86_64';
/** A request every 10 ms or so through the balancer: thousands over a run, none may fail. */
const LOAD_GAP_MS = 10;

let emulator: EmulatorProcess;
const stops: Array<() => Promise<void>> = [];

// A world of its own for each test: a patched kernel stays patched.
beforeEach(async () => {
  emulator = await startEmulatorProcess();
  stops.push(() => emulator.stop());
});
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** The fleet's `privateIp:8080`, as the emulator serves each instance's app. */
async function appAddresses(): Promise<Record<string, string>> {
  const { instances } = await emulator.state();
  return Object.fromEntries(
    FLEET.map((id) => {
      const instance = instances.find((candidate) => candidate.id === id);
      if (instance === undefined) throw new Error(`the emulator has no ${id}`);
      return [id, `${instance.privateIp}:8080`];
    }),
  );
}

/** What every workflow here shares after its loadBalancer section. */
const REST = `backends:
  instances: [${FLEET.join(', ')}]
rollout:
  maxUnavailable: 1
  minHealthy: 2
drain:
  probe:
    kind: access-log
    source: local
    path: .drainctl/emulator/instances/{instanceId}/access.log
    format: combined
    filter:
      ignoreCidrs: [] # the balancer's requests are the real traffic here
  quietSeconds: 3
  timeoutSeconds: 60
  onTimeout: halt
patch:
  commands:
    - yum update kernel -y
  reboot: true
  rebootTimeoutSeconds: 120
  verify:
    command: uname -r
    expect: changed
health:
  checks:
    - type: http
      port: 8080
      path: /healthz
  consecutiveSuccesses: 2
  intervalSeconds: 1
  timeoutSeconds: 60
`;

function writeWorkflow(name: string, loadBalancer: string, restore: string): string {
  const file = join(emulator.dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}\nregion: cn-hangzhou\nloadBalancer:\n${loadBalancer}${REST}restore:\n${restore}`,
  );
  return file;
}

/** `drainctl plan --json`, then `drainctl run` of exactly that plan. */
async function planAndRun(file: string) {
  const plan = await runDrainctl(['plan', file, '--json'], {
    cwd: emulator.dir,
    env: emulator.env,
    timeoutMs: 60_000,
  });
  expect(plan.code, plan.stderr).toBe(0);
  const { sha256 } = JSON.parse(plan.stdout) as { sha256: string };
  return runDrainctl(['run', file, '--yes', '--json', '--plan-sha256', sha256], {
    cwd: emulator.dir,
    env: emulator.env,
    timeoutMs: 240_000,
  });
}

async function kernels(): Promise<string[]> {
  const { instances } = await emulator.state();
  return FLEET.map((id) => instances.find((instance) => instance.id === id)?.kernel ?? '');
}

/** What drainctl keeps in DRAINCTL_HOME for a balancer you run yourself, every file of it. */
async function balancerState(): Promise<string[]> {
  const dir = join(emulator.env.DRAINCTL_HOME ?? '', 'balancers');
  const files = (await readdir(dir)).filter((name) => name.endsWith('.json'));
  return files.map((name) => readFileSync(join(dir, name), 'utf8'));
}

const nginxConf =
  (upstream: string) =>
  (port: number): string =>
    `upstream app {
    # the app tier; drainctl changes these lines only
${upstream}
}
server {
    listen 127.0.0.1:${port};
    location /ready { return 200 "ready\\n"; }
    location / { proxy_pass http://app; }
}
`;

async function runningNginx(): Promise<RunningServer & { binary: string }> {
  const binary = nginxBinary();
  if (binary === undefined) throw new Error(NGINX_MISSING);
  const [web1, web2, web3] = Object.values(await appAddresses());
  const nginx = await startNginx(
    nginxConf(
      `    server ${web1} max_fails=3;\n    server ${web2} weight=2;  # the bigger one\n    server ${web3};`,
    ),
  );
  stops.push(nginx.stop);
  return { ...nginx, binary };
}

function nginxSection(dir: string, command: string): string {
  return `  kind: nginx
  nginx:
    hosts: [local]
    configFile: ${join(dir, 'app.conf')}
    upstream: app
    command: ${command}
    pidFile: ${join(dir, 'nginx.pid')}
    port: 8080
`;
}

describe('a rolling kernel patch behind a balancer you run yourself', () => {
  it('nginx: every server patched under load, no failed request, the file byte for byte', {
    timeout: 300_000,
  }, async () => {
    const nginx = await runningNginx();
    const before = readFileSync(join(nginx.dir, 'app.conf'), 'utf8');
    const file = writeWorkflow(
      'nginx-patch',
      nginxSection(nginx.dir, `${nginx.binary} -p ${nginx.dir} -c nginx.conf`),
      '  rampPercent: [100]\n  holdSeconds: 2\n',
    );
    const inspect = await runDrainctl(['inspect', file], {
      cwd: emulator.dir,
      env: emulator.env,
      timeoutMs: 60_000,
    });
    expect(inspect.code, inspect.stdout + inspect.stderr).toBe(0);
    const load = clientLoad(nginx.url, LOAD_GAP_MS);
    const run = await planAndRun(file);
    const counts = await load.stop();
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(counts.failed, counts.errors.slice(0, 5).join('\n')).toBe(0);
    expect(counts.ok).toBeGreaterThan(100);
    expect(await kernels()).toEqual([PATCHED, PATCHED, PATCHED]);
    expect(readFileSync(join(nginx.dir, 'app.conf'), 'utf8')).toBe(before);
    // The lock and the saved weights are gone, and so is what drainctl knew of the file.
    expect((await balancerState()).map((text) => JSON.parse(text))).toEqual([
      { tags: {}, files: {} },
    ]);
  });

  it('HAProxy: every server patched under load, no failed request, every server state as before', {
    timeout: 300_000,
  }, async () => {
    const addresses = await appAddresses();
    const haproxy = await startHaproxy({
      web1: addresses['i-emu-web-1'] ?? '',
      web2: addresses['i-emu-web-2'] ?? '',
      web3: addresses['i-emu-web-3'] ?? '',
    });
    stops.push(haproxy.stop);
    // Name, operational and administrative state, user and initial weight of each server.
    const states = async () =>
      (await haproxyCommand(haproxy.socket, 'show servers state app'))
        .split('\n')
        .filter((line) => /^\d+ app /.test(line))
        .map((line) => {
          const f = line.split(' ');
          return [f[3], f[5], f[6], f[7], f[8]].join(' ');
        });
    const before = await states();
    expect(before).toHaveLength(3);
    const file = writeWorkflow(
      'haproxy-patch',
      `  kind: haproxy
  haproxy:
    host: local
    statsSocket: ${haproxy.socket}
    backend: app
    servers: { i-emu-web-1: web1, i-emu-web-2: web2, i-emu-web-3: web3 }
    maintAfterSeconds: 30
`,
      '  rampPercent: [50, 100]\n  holdSeconds: 2\n',
    );
    const load = clientLoad(haproxy.url, LOAD_GAP_MS);
    const run = await planAndRun(file);
    const counts = await load.stop();
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(counts.failed, counts.errors.slice(0, 5).join('\n')).toBe(0);
    expect(counts.ok).toBeGreaterThan(100);
    expect(await kernels()).toEqual([PATCHED, PATCHED, PATCHED]);
    await expect.poll(states, { timeout: 10_000, interval: 200 }).toEqual(before);
  });

  it('nginx: killed with SIGKILL between writing the restored file and its reload, resume reloads it', {
    timeout: 300_000,
  }, async () => {
    const nginx = await runningNginx();
    const before = readFileSync(join(nginx.dir, 'app.conf'), 'utf8');
    // nginx as drainctl calls it, but the sixth reload (the last server's restore: its line is
    // back in the file, nginx still runs it `down`) kills drainctl first, as kill -9 would.
    const wrapper = join(nginx.dir, 'nginx-killing-drainctl.sh');
    writeFileSync(
      wrapper,
      `#!/bin/sh
case " $* " in *" reload "*)
  count=$(( $(cat ${nginx.dir}/reloads 2>/dev/null || echo 0) + 1 ))
  echo $count > ${nginx.dir}/reloads
  if [ $count -eq 6 ]; then
    p=$PPID
    while [ "$p" -gt 1 ]; do
      if grep -q bin/drainctl /proc/$p/cmdline; then kill -9 $p; exit 1; fi
      p=$(awk '{print $4}' /proc/$p/stat)
    done
  fi;;
esac
exec ${nginx.binary} -p ${nginx.dir} -c nginx.conf "$@"
`,
    );
    chmodSync(wrapper, 0o755);
    const file = writeWorkflow(
      'nginx-killed',
      nginxSection(nginx.dir, wrapper),
      '  rampPercent: [100]\n  holdSeconds: 2\n',
    );
    const load = clientLoad(nginx.url, LOAD_GAP_MS);
    const killed = await planAndRun(file);
    expect(killed.signal, killed.stderr.slice(-2000)).toBe('SIGKILL');
    // The file is restored, and nginx still runs the change before it: web-3 out.
    expect(readFileSync(join(nginx.dir, 'app.conf'), 'utf8')).toBe(before);
    const web3 = (await emulator.state()).instances.find((i) => i.id === 'i-emu-web-3');
    const servedByWeb3 = () => readFileSync(web3?.accessLog ?? '', 'utf8').split('\n').length;
    const beforeResume = servedByWeb3();
    for (let i = 0; i < 20; i++) await get(`${nginx.url}/load`);
    expect(servedByWeb3()).toBe(beforeResume);

    const [id = ''] = await readdir(join(emulator.env.DRAINCTL_HOME ?? '', 'runs'));
    const resumed = await runDrainctl(['resume', id, '--yes', '--json'], {
      cwd: emulator.dir,
      env: emulator.env,
      timeoutMs: 120_000,
    });
    const counts = await load.stop();
    expect(resumed.code, resumed.stderr.slice(-3000)).toBe(0);
    expect(counts.failed, counts.errors.slice(0, 5).join('\n')).toBe(0);
    expect(readFileSync(join(nginx.dir, 'app.conf'), 'utf8')).toBe(before);
    // nginx runs the restored file: web-3 serves through it again.
    const afterResume = servedByWeb3();
    for (let i = 0; i < 20; i++) await get(`${nginx.url}/load`);
    expect(servedByWeb3()).toBeGreaterThan(afterResume);
    expect(await kernels()).toEqual([PATCHED, PATCHED, PATCHED]);
    expect(Number(readFileSync(join(nginx.dir, 'reloads'), 'utf8'))).toBe(7);
  });

  it('nginx: a change nginx -t refuses is never reloaded; the run halts with what nginx said', {
    timeout: 120_000,
  }, async () => {
    const nginx = await runningNginx();
    const before = readFileSync(join(nginx.dir, 'app.conf'), 'utf8');
    // Someone's unfinished edit in another file nginx includes: nginx still runs the old one.
    writeFileSync(join(nginx.dir, 'other.conf'), 'proxy_read_timeout 30s\n');
    const file = writeWorkflow(
      'nginx-refused',
      nginxSection(nginx.dir, `${nginx.binary} -p ${nginx.dir} -c nginx.conf`),
      '  rampPercent: [100]\n  holdSeconds: 2\n',
    );
    const load = clientLoad(nginx.url, LOAD_GAP_MS);
    const run = await planAndRun(file);
    const counts = await load.stop();
    expect(run.code, run.stderr.slice(-3000)).toBe(2);
    expect(run.stderr).toContain(
      `NGINX_CONFIG_INVALID: nginx -t on local refused the changed ${join(nginx.dir, 'app.conf')}, so nginx was not reloaded: `,
    );
    expect(run.stderr).toContain(`[emerg]`);
    expect(run.stderr).toContain(`in ${join(nginx.dir, 'other.conf')}:2`);
    expect(counts.failed, counts.errors.slice(0, 5).join('\n')).toBe(0);
    expect(readFileSync(join(nginx.dir, 'app.conf'), 'utf8')).toBe(before);
    expect(readFileSync(join(nginx.dir, 'error.log'), 'utf8')).not.toMatch(/SIGHUP/);
    expect(await kernels()).not.toContain(PATCHED);
  });
});
