/**
 * The Host port's contract suite (the same one the ECS adapter passes on the emulator) run
 * against the SSH adapter, on an in-process SSH server, and the local adapter.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createLocalHost } from '#src/adapters/local/local-host.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { createSshHost } from '#src/adapters/ssh/index.js';
import type { Host } from '#src/ports/index.js';
import { hostContract } from '#support/contracts/host.contract.js';
import { generateKeys, startSshServer, type TestSshServer } from '#support/ssh-server.js';

/** One simulated machine behind the server; a reboot drops connections and changes the boot id. */
let bootId = 1;
let server: TestSshServer;
let dir: string;
let sshHost: Host;

beforeAll(async () => {
  const keys = generateKeys();
  server = await startSshServer(keys, (command, channel, connection) => {
    if (command.includes('boot_id')) {
      channel.write(`boot-${bootId}\n`);
      channel.exit(0);
      channel.end();
      return true;
    }
    if (command.includes('reboot')) {
      connection.end();
      setTimeout(() => {
        bootId++;
      }, 200);
      return true;
    }
    return false;
  });
  dir = mkdtempSync(join(tmpdir(), 'drainctl-host-contract-'));
  writeFileSync(join(dir, 'known_hosts'), `${server.knownHostsLine}\n`);
  const node = (name: string) => ({
    host: '127.0.0.1',
    port: server.port,
    username: 'ops',
    privateKey: keys.clientPrivate,
    knownHostsPath: join(dir, 'known_hosts'),
    name,
    tags: { app: 'web', env: 'demo' },
  });
  sshHost = createSshHost({
    clock: systemClock,
    pollIntervalMs: 50,
    nodes: { 'web-1': node('web-1'), 'web-2': node('web-2') },
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

hostContract('SSH adapter on an in-process SSH server', () => ({
  host: sshHost,
  instanceIds: ['web-1', 'web-2'],
  tags: { app: 'web', env: 'demo' },
  rebootTimeoutMs: 10_000,
}));

hostContract(
  'local adapter',
  () => ({ host: createLocalHost(), instanceIds: ['local'], tags: {}, rebootTimeoutMs: 1000 }),
  {
    reboot: 'the local adapter never reboots the machine drainctl runs on',
    'not-running': 'the local adapter never reboots the machine drainctl runs on',
  },
);
