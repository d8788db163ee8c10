/**
 * A keepalived pair in network namespaces this test creates: two nodes (`ip netns`), each with
 * one veth on a bridge of its own, real keepalived (Debian's package) in each, speaking VRRP by
 * unicast over the bridge, and a small HTTP server in each answering on the VIP's port with the
 * node's name. The test's own namespace is the client: the bridge has an address in the pair's
 * subnet. Every name carries a random suffix, so parallel tests never clash; `stop` ends every
 * process this helper started (by pid) and deletes every namespace and link it created.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface KeepalivedNodeFixture {
  serverId: string;
  netns: string;
  /** The node's end of the bridge in the root namespace. */
  veth: string;
  address: string;
  pidFile: string;
  /** The command that starts keepalived (daemonized) inside the namespace. */
  start: string;
}

export interface KeepalivedPairFixture {
  vip: string;
  port: number;
  bridge: string;
  nodes: [KeepalivedNodeFixture, KeepalivedNodeFixture];
  dir: string;
  /** Runs a command in a node's namespace. */
  inNode(node: KeepalivedNodeFixture, script: string): Promise<string>;
  holdsVip(node: KeepalivedNodeFixture): Promise<boolean>;
  stop(): Promise<void>;
}

async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

/** keepalived.conf of one node: state BACKUP on both, the first node's priority higher. */
function config(options: {
  name: string;
  priority: number;
  self: string;
  peer: string;
  vip: string;
  routerId: number;
}): string {
  return `global_defs {
  router_id ${options.name}
}
vrrp_instance VI_DRAINCTL {
  state BACKUP
  interface eth0
  virtual_router_id ${options.routerId}
  priority ${options.priority}
  advert_int 1
  unicast_src_ip ${options.self}
  unicast_peer {
    ${options.peer}
  }
  virtual_ipaddress {
    ${options.vip}/24 dev eth0
  }
}
`;
}

/** Answers with the node's name; with ACCESS_LOG, appends a combined-format line per request. */
const SERVER = `
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const log = process.env.ACCESS_LOG;
if (log) fs.mkdirSync(path.dirname(log), { recursive: true });
const months = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
const two = (n) => String(n).padStart(2, '0');
const server = http.createServer((req, res) => {
  const body = process.env.NODE_NAME;
  res.end(body);
  if (!log) return;
  const t = new Date();
  const time = two(t.getUTCDate()) + '/' + months[t.getUTCMonth()] + '/' + t.getUTCFullYear() + ':' +
    two(t.getUTCHours()) + ':' + two(t.getUTCMinutes()) + ':' + two(t.getUTCSeconds()) + ' +0000';
  fs.appendFileSync(log, req.socket.remoteAddress + ' - - [' + time + '] "' + req.method + ' ' + req.url +
    ' HTTP/' + req.httpVersion + '" 200 ' + Buffer.byteLength(body) + ' "-" "load"\\n');
});
server.listen(Number(process.env.PORT), '0.0.0.0', () => console.log('listening'));
`;

export interface KeepalivedPairSettings {
  /** The nodes' server ids (instance ids); random ones by default. */
  serverIds?: [string, string];
  /** Where each node's HTTP server writes its access log; none by default. */
  accessLog?: (serverId: string) => string;
}

export async function startKeepalivedPair(
  settings: KeepalivedPairSettings = {},
): Promise<KeepalivedPairFixture> {
  const suffix = randomBytes(3).toString('hex');
  const net = `10.${200 + ((randomBytes(1)[0] ?? 0) % 50)}.${randomBytes(1)[0] ?? 0}`;
  const vip = `${net}.100`;
  const port = 8080;
  const dir = await mkdtemp(join(tmpdir(), 'drainctl-keepalived-'));
  const bridge = `kab${suffix}`;
  const created: Array<() => Promise<void>> = [];
  const servers: ChildProcess[] = [];
  const nodes = ['a', 'b'].map((letter, i) => {
    const netns = `ka${letter}${suffix}`;
    const pidFile = join(dir, `${letter}.pid`);
    const configFile = join(dir, `${letter}.conf`);
    return {
      serverId: settings.serverIds?.[i] ?? `i-ka${letter}${suffix}`,
      netns,
      veth: `kv${letter}${suffix}`,
      address: `${net}.${11 + i}`,
      pidFile,
      configFile,
      start: `keepalived -f ${configFile} -p ${pidFile} -r ${join(dir, `${letter}.vrrp.pid`)} -c ${join(dir, `${letter}.checkers.pid`)}`,
    };
  }) as Array<KeepalivedNodeFixture & { configFile: string }>;
  const inNode = async (node: KeepalivedNodeFixture, script: string) =>
    (await run('ip', ['netns', 'exec', node.netns, 'sh', '-c', script])).stdout;

  const stop = async () => {
    for (const node of nodes) {
      const pid = Number((await readFile(node.pidFile, 'utf8').catch(() => '')).trim());
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // Already gone (the test stopped it).
        }
      }
    }
    for (const server of servers) server.kill('SIGTERM');
    for (const undo of created.reverse()) await undo().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await ip('link', 'add', bridge, 'type', 'bridge');
    created.push(() => ip('link', 'del', bridge));
    await ip('addr', 'add', `${net}.1/24`, 'dev', bridge);
    await ip('link', 'set', bridge, 'up');
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    for (const node of nodes) {
      await ip('netns', 'add', node.netns);
      created.push(() => ip('netns', 'del', node.netns));
      await ip(
        'link',
        'add',
        node.veth,
        'type',
        'veth',
        'peer',
        'name',
        'eth0',
        'netns',
        node.netns,
      );
      created.push(() => ip('link', 'del', node.veth));
      await ip('link', 'set', node.veth, 'master', bridge, 'up');
      await ip('-n', node.netns, 'link', 'set', 'lo', 'up');
      await ip('-n', node.netns, 'addr', 'add', `${node.address}/24`, 'dev', 'eth0');
      await ip('-n', node.netns, 'link', 'set', 'eth0', 'up');
    }
    const routerId = 1 + ((randomBytes(1)[0] ?? 0) % 250);
    await writeFile(
      a.configFile,
      config({ name: a.serverId, priority: 150, self: a.address, peer: b.address, vip, routerId }),
    );
    await writeFile(
      b.configFile,
      config({ name: b.serverId, priority: 100, self: b.address, peer: a.address, vip, routerId }),
    );
    for (const node of nodes) {
      const server = spawn('ip', ['netns', 'exec', node.netns, process.execPath, '-e', SERVER], {
        env: {
          ...process.env,
          NODE_NAME: node.serverId,
          PORT: String(port),
          ...(settings.accessLog === undefined
            ? {}
            : { ACCESS_LOG: settings.accessLog(node.serverId) }),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.once('exit', (code) =>
          reject(new Error(`the HTTP server in ${node.netns} exited ${code}`)),
        );
        server.stdout?.once('data', () => resolve());
      });
      await inNode(node, node.start);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const holdsVip = async (node: KeepalivedNodeFixture) =>
    (await inNode(node, 'ip -o -4 addr show dev eth0')).includes(` ${vip}/`);
  return {
    vip,
    port,
    bridge,
    nodes: [nodes[0], nodes[1]] as [KeepalivedNodeFixture, KeepalivedNodeFixture],
    dir,
    inNode,
    holdsVip,
    stop,
  };
}

/** Longer than TCP's first SYN retry (1 s): a request fails only when its packets are lost. */
const REQUEST_TIMEOUT_MS = 3000;

/** One GET to the VIP on a new connection: the node that answered, or the error's code. */
function get(
  fixture: KeepalivedPairFixture,
): Promise<{ ok: true; node: string } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: fixture.vip,
        port: fixture.port,
        path: '/',
        agent: false,
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ ok: true, node: body }));
        res.on('error', (error) =>
          resolve({ ok: false, error: (error as NodeJS.ErrnoException).code ?? error.message }),
        );
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (error) =>
      resolve({ ok: false, error: (error as NodeJS.ErrnoException).code ?? error.message }),
    );
    req.end();
  });
}

export const CLIENTS = 2;

/** Clients sending requests to the VIP one after another until stopped. */
export function vipLoad(fixture: KeepalivedPairFixture, clients = CLIENTS) {
  let running = true;
  const answered: Record<string, number> = {};
  const failed: string[] = [];
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      const result = await get(fixture);
      if (result.ok) answered[result.node] = (answered[result.node] ?? 0) + 1;
      else failed.push(result.error);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  });
  return {
    answered,
    failed,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}
