/**
 * Load balancers you run yourself, for tests: a real nginx and a real HAProxy (the Debian
 * packages' binaries, which `.ci/run` installs) on loopback in front of small HTTP backends the
 * test starts, each in its own temp directory, and a client load that counts failed requests.
 * Neither has a "port 0": a free port is found by binding port 0 first.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get } from './http-client.js';

function installed(candidates: string[], versionFlag: string): string | undefined {
  return candidates.find((candidate) => {
    try {
      execFileSync(candidate, [versionFlag], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
}

export const nginxBinary = (): string | undefined => installed(['nginx', '/usr/sbin/nginx'], '-v');
export const haproxyBinary = (): string | undefined =>
  installed(['haproxy', '/usr/sbin/haproxy'], '-v');

export const NGINX_MISSING =
  'the nginx binary is not installed: `.ci/run` installs it (apt-get install -y nginx)';
export const HAPROXY_MISSING =
  'the haproxy binary is not installed: `.ci/run` installs it (apt-get install -y haproxy)';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Backend {
  name: string;
  /** `127.0.0.1:PORT` */
  address: string;
  /** Requests this backend answered. */
  served: () => number;
  close: () => Promise<void>;
}

/** An HTTP server answering with its name: 200, or the status `statusFor` gives the path. */
export async function startBackend(
  name: string,
  statusFor: (path: string) => number = () => 200,
): Promise<Backend> {
  let served = 0;
  const server: Server = createHttpServer((req, res) => {
    served++;
    res.statusCode = statusFor(req.url ?? '/');
    res.end(`${name}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    address: `127.0.0.1:${port}`,
    served: () => served,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RunningServer {
  dir: string;
  /** `http://127.0.0.1:PORT` */
  url: string;
  stop: () => Promise<void>;
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

async function untilServing(url: string, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await get(`${url}/ready`);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`not serving: ${log()}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * nginx (master in the foreground, two workers) serving `http` from `<dir>/app.conf`, which the
 * test writes with `appConf(port)`: its `upstream` and its `server` listening on `port`.
 * Relative paths in the configuration are inside `dir` (`-p dir`).
 */
export async function startNginx(
  appConf: (port: number) => string,
  options: {
    /** A daemon (as in production; nginx takes USR2 only from one), else in the foreground. */
    daemon?: boolean;
    /** The binary to run, by absolute path (a copy the test may replace). */
    binary?: string;
  } = {},
): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'drainctl-nginx-'));
  const binary = options.binary ?? nginxBinary();
  if (binary === undefined) throw new Error(NGINX_MISSING);
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
  // A port found free can be taken by another test's server before nginx binds it; then this
  // nginx exits and the port answers for someone else. Its own pid file says it runs: else again.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    writeFileSync(join(dir, 'app.conf'), appConf(port));
    writeFileSync(join(dir, 'other.conf'), "# another team's settings\n");
    writeFileSync(
      join(dir, 'nginx.conf'),
      `daemon ${options.daemon === true ? 'on' : 'off'};
worker_processes 2;
pid nginx.pid;
error_log error.log notice;
events { worker_connections 256; }
http {
  client_body_temp_path body;
  proxy_temp_path proxy;
  fastcgi_temp_path fastcgi;
  uwsgi_temp_path uwsgi;
  scgi_temp_path scgi;
  access_log off;
  include other.conf;
  include app.conf;
}
`,
    );
    const child = spawn(binary, ['-p', dir, '-c', 'nginx.conf'], { cwd: dir, stdio: 'ignore' });
    const url = `http://127.0.0.1:${port}`;
    const log = () =>
      existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
    const answers = await untilServing(url, log).then(
      () => true,
      () => false,
    );
    if (answers && (await ownPidWritten(dir, child))) return running(dir, url, child);
    await stopProcess(child, 'SIGQUIT');
    if (attempt === 5) throw new Error(`nginx did not start: ${log()}`);
  }
}

/** nginx wrote its pid file (it runs), or its master exited first (it did not start). */
async function ownPidWritten(dir: string, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (existsSync(join(dir, 'nginx.pid'))) return true;
    // A daemon's first process exits 0 once its master runs; an error exits otherwise.
    if (child.exitCode !== null && child.exitCode !== 0) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

function running(dir: string, url: string, child: ChildProcess): RunningServer {
  return {
    dir,
    url,
    stop: async () => {
      await stopProcess(child, 'SIGQUIT');
      // A daemon (and an old master a hot upgrade left) is found by its pid files.
      for (const file of ['nginx.pid.oldbin', 'nginx.pid']) {
        const pid = Number(existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : 0);
        if (pid > 0) await stopPid(pid);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopPid(pid: number): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGQUIT');
  const deadline = Date.now() + 10_000;
  while (alive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * HAProxy in the foreground (master-worker) with a stats socket at `<dir>/admin.sock` (level
 * admin) and one backend `app` of the given servers (name → address).
 */
export async function startHaproxy(
  servers: Record<string, string>,
): Promise<RunningServer & { socket: string }> {
  const binary = haproxyBinary();
  if (binary === undefined) throw new Error(HAPROXY_MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'drainctl-haproxy-'));
  const port = await freePort();
  const socket = join(dir, 'admin.sock');
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    `global
  stats socket ${socket} mode 600 level admin
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend web
  bind 127.0.0.1:${port}
  default_backend app
backend app
  balance roundrobin
${Object.entries(servers)
  .map(([name, address]) => `  server ${name} ${address} weight 10 check inter 500ms`)
  .join('\n')}
`,
  );
  let output = '';
  const child = spawn(binary, ['-W', '-db', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  await untilServing(url, () => output);
  await untilChecked(socket, Object.keys(servers).length);
  return {
    dir,
    url,
    socket,
    stop: async () => {
      await stopProcess(child, 'SIGUSR1');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One command on HAProxy's stats socket, and its whole answer. */
export function haproxyCommand(socket: string, command: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let answer = '';
    const connection = connect(socket, () => connection.write(`${command}\n`));
    connection.on('data', (chunk) => {
      answer += chunk.toString();
    });
    connection.on('end', () => resolve(answer));
    connection.on('error', reject);
  });
}

/** Until every server has passed its first health check (before it, HAProxy says `UP 1/3`). */
async function untilChecked(socket: string, servers: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const stat = await haproxyCommand(socket, 'show stat');
    const checked = stat.split('\n').filter((line) => /^app,.*,L4OK,/.test(line)).length;
    if (checked === servers) return;
    if (Date.now() > deadline) throw new Error(`HAProxy's checks did not pass: ${stat}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface ClientLoad {
  /** Stop sending and resolve with the counts. */
  stop: () => Promise<{ ok: number; failed: number; errors: string[] }>;
}

/**
 * Requests through `url` one after another (a new connection each) until stopped: back to back
 * by default, so that a reload or a short drain is crossed by many, or `gapMs` apart. A whole
 * rolling patch needs fewer: every request is also an access-log line the emulator writes and
 * drainctl reads, and unpaced the rolling-patch file was the suite's costliest in CPU.
 */
export function clientLoad(url: string, gapMs = 0): ClientLoad {
  let running = true;
  let ok = 0;
  let failed = 0;
  const errors: string[] = [];
  const loop = (async () => {
    while (running) {
      try {
        const answer = await get(`${url}/load`);
        if (answer.status === 200) ok++;
        else {
          failed++;
          errors.push(`status ${answer.status}`);
        }
      } catch (error) {
        failed++;
        errors.push(String(error));
      }
      if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { ok, failed, errors };
    },
  };
}

/**
 * Whether `pid` runs and is not a zombie: on a machine whose init never reaps, a daemon's
 * exited nginx master stays a zombie, which still answers `kill -0`.
 */
export function runningPid(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}
