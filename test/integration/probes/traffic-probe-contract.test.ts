/**
 * Every TrafficProbe held to one contract: the access-log probe on a local file and over SSH,
 * and the connection probe counting real connections with `ss` through the local Host.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createLocalHost } from '#src/adapters/local/local-host.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import type { TrafficFilter, TrafficProbeConfig } from '#src/ports/index.js';
import { createTrafficProbeFactory } from '#src/probes/traffic-probe-factory.js';
import { combinedLine } from '#support/access-log-lines.js';
import { trafficProbeContract } from '#support/contracts/traffic-probe.contract.js';
import { generateKeys, startSshServer, type TestSshServer } from '#support/ssh-server.js';

const filter: TrafficFilter = {
  ignoreCidrs: ['100.64.0.0/10'],
  ignorePaths: [],
  ignoreUserAgents: [],
  clientAddress: 'remote_addr',
};

let dir: string;
let log: string;
let ssh: TestSshServer;
let sshKey: string;
let knownHosts: string;
let tcp: Server;
let tcpPort: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'drainctl-probe-contract-'));
  log = join(dir, 'access.log');
  writeFileSync(log, '');
  const keys = generateKeys();
  ssh = await startSshServer(keys);
  sshKey = join(dir, 'id');
  writeFileSync(sshKey, keys.clientPrivate, { mode: 0o600 });
  knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `${ssh.knownHostsLine}\n`);
  tcp = createServer(() => {});
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  tcpPort = (tcp.address() as AddressInfo).port;
});
afterAll(async () => {
  await ssh.close();
  await new Promise((resolve) => tcp.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const openProbe = createTrafficProbeFactory({
  clock: systemClock,
  host: createLocalHost(),
  tickMs: 100,
});

/** Real requests, half of them 503, plus health checks that must not count. */
function logTraffic(): () => void {
  let n = 0;
  const timer = setInterval(() => {
    appendFileSync(log, combinedLine('198.51.100.5', '/api', n++ % 2 === 0 ? 200 : 503));
    appendFileSync(log, combinedLine('100.64.0.5', '/health'));
  }, 50);
  return () => clearInterval(timer);
}

const accessLog = (source: TrafficProbeConfig & { kind: 'access-log' }) => source;

trafficProbeContract('access log, local file', () => ({
  open: () =>
    openProbe(
      'web-1',
      accessLog({
        kind: 'access-log',
        source: { type: 'local', path: log },
        format: { kind: 'combined' },
        filter,
      }),
    ),
  traffic: logTraffic,
  history: () => appendFileSync(log, combinedLine('198.51.100.5').repeat(100)),
  seesStatus: true,
}));

trafficProbeContract('access log over SSH', () => ({
  open: () =>
    openProbe(
      'web-1',
      accessLog({
        kind: 'access-log',
        source: {
          type: 'ssh',
          host: '127.0.0.1',
          port: ssh.port,
          username: 'ops',
          path: log,
          privateKeyPath: sshKey,
          knownHostsPath: knownHosts,
        },
        format: { kind: 'combined' },
        filter,
      }),
    ),
  traffic: logTraffic,
  history: () => appendFileSync(log, combinedLine('198.51.100.5').repeat(100)),
  seesStatus: true,
}));

const hasSs = (() => {
  try {
    execFileSync('ss', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

trafficProbeContract(
  'connection count (ss through the local Host)',
  () => ({
    open: () =>
      openProbe('local', { kind: 'connections', port: tcpPort, ignoreCidrs: ['100.64.0.0/10'] }),
    traffic: () => {
      const socket: Socket = connect(tcpPort, '127.0.0.1');
      return () => socket.destroy();
    },
    seesStatus: false,
  }),
  hasSs
    ? {}
    : {
        drained: 'ss is not installed',
        timeout: 'ss is not installed',
        history: 'ss is not installed',
        'error-rate': 'ss is not installed',
        abort: 'ss is not installed',
      },
);
