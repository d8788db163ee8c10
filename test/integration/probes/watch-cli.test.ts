import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '#src/cli/program.js';
import { combinedLine } from '#support/access-log-lines.js';
import { runDrainctl } from '#support/cli-runner.js';
import { generateKeys, startSshServer, type TestSshServer } from '#support/ssh-server.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'drainctl-watch-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('drainctl watch', () => {
  it('exits 0 once the log has been quiet; health checks keep arriving and do not count', async () => {
    const log = join(dir, 'drained.log');
    writeFileSync(log, combinedLine('203.0.113.1').repeat(50));
    // Four checker nodes, each checking once a second, as an SLB's do.
    let round = 0;
    const checks = setInterval(
      () => appendFileSync(log, combinedLine(`100.64.0.${9 + (round++ % 4)}`, '/health')),
      250,
    );
    const result = await runDrainctl(['watch', log, '--quiet', '1', '--timeout', '15']).finally(
      () => clearInterval(checks),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /start +watching .*drained.log \(nginx combined; ignoring 100\.64\.0\.0\/10\)/,
    );
    expect(result.stdout).toMatch(
      /drained +drained: no real request for 1 s \(0 real request\(s\), \d+ ignored\)/,
    );
    expect(result.stderr).toContain('watching');
  });

  it('default flags on a layer-7 log: proxied traffic from 100.64.0.0/10 is not taken for health checks', async () => {
    // 20 requests a second of one API call, all from one balancer address: what a layer-7
    // listener's proxy sends, read by its peer address. No checker sends that many — and a
    // loaded machine that runs this timer at half speed still sends more than 5 a second.
    const log = join(dir, 'layer7.log');
    writeFileSync(log, '');
    const line = combinedLine('100.64.3.7', '/api/orders');
    const proxied = setInterval(() => appendFileSync(log, line + line), 100);
    const result = await runDrainctl(['watch', log, '--quiet', '1', '--timeout', '4']).finally(() =>
      clearInterval(proxied),
    );
    expect(result.code, result.stdout).toBe(4);
    expect(result.stdout).not.toMatch(/drained: no real request/);
    expect(result.stderr).toContain(
      'requests from an ignored range that do not look like health checks count as real traffic',
    );
    expect(result.stderr).toMatch(/from 100\.64\.3\.7: more than the 5 a second a health checker/);
    expect(result.stderr).toContain('--client-address x_forwarded_for');
  });

  it('exits 4 when real traffic outlasts the timeout, and prints one JSON document with --json', async () => {
    const log = join(dir, 'busy.log');
    writeFileSync(log, '');
    const traffic = setInterval(
      () => appendFileSync(log, combinedLine('198.51.100.8', '/api')),
      100,
    );
    const result = await runDrainctl([
      'watch',
      log,
      '--quiet',
      '2',
      '--timeout',
      '2',
      '--json',
    ]).finally(() => clearInterval(traffic));
    expect(result.code, result.stderr).toBe(4);
    const document = JSON.parse(result.stdout);
    expect(document).toMatchObject({ outcome: 'timeout', quietSeconds: 2, timeoutSeconds: 2 });
    expect(document.realRequests).toBeGreaterThan(0);
    expect(document.timeline.map((e: { event: string }) => e.event)).toContain('traffic');
    expect(document.timeline.at(-1).event).toBe('timeout');
  });

  it('a log that is not there is invalid input naming it, never drained (in-process)', async () => {
    const absent = join(dir, 'absent.log');
    const result = await runInProcess(['watch', absent, '--quiet', '1', '--timeout', '1']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${absent}: expected a readable access log file`);
    expect(result.stdout).not.toContain('drained');
  });

  it('exits 3 with a clear message for a bad CIDR', async () => {
    const log = join(dir, 'any.log');
    writeFileSync(log, '');
    const cidr = await runDrainctl([
      'watch',
      log,
      '--ignore-cidr',
      '100.64.0.0/10',
      '--ignore-cidr',
      '10.0.0.300/8',
    ]);
    expect(cidr.code).toBe(3);
    expect(cidr.stderr).toContain(
      '--ignore-cidr: expected a CIDR like 100.64.0.0/10, found "10.0.0.300/8"',
    );
  });

  it('refuses filters that would ignore every request (exit 3, nothing watched) while real requests arrive', async () => {
    const log = join(dir, 'real-traffic.log');
    writeFileSync(log, '');
    const traffic = setInterval(
      () => appendFileSync(log, combinedLine('198.51.100.8', '/api/orders')),
      100,
    );
    const everything = [
      ['--ignore-path', '*'],
      ['--ignore-cidr', '0.0.0.0/1', '--ignore-cidr', '128.0.0.0/1'],
    ];
    const results = await Promise.all(
      everything.map((flags) =>
        runDrainctl(['watch', log, '--quiet', '1', '--timeout', '5', ...flags]),
      ),
    ).finally(() => clearInterval(traffic));
    for (const [index, result] of results.entries()) {
      const flag = everything[index]?.[0] ?? '';
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toMatch(new RegExp(`^drainctl: INVALID_INPUT: ${flag}: expected`));
      expect(result.stderr).not.toContain('watching');
      expect(result.stdout).toBe('');
    }
  });

  it('exits 3 for other bad flags (in-process, to spare the box a process each)', async () => {
    const log = join(dir, 'any.log');
    writeFileSync(log, '');
    const cases: Array<[string[], string]> = [
      [['--quiet', 'soon'], '--quiet: expected a whole number of seconds from 1 to 86400'],
      [['--quiet', '60', '--timeout', '30'], 'is shorter than --quiet'],
      [['--format', 'no variables'], 'no nginx variables'],
      [['--health-check', 'POST /x'], '--health-check: expected a method and a URI'],
      [
        ['--client-address', 'peer'],
        '--client-address: expected remote_addr (layer-4 listeners) or x_forwarded_for (layer-7), found "peer"',
      ],
    ];
    for (const [flags, message] of cases) {
      const result = await runInProcess(['watch', log, ...flags]);
      expect(result.code, flags.join(' ')).toBe(3);
      expect(result.stderr).toContain(message);
    }
    const ssh = await runInProcess(['watch', 'ssh://10.0.0.5/var/log/x.log']);
    expect(ssh.code).toBe(3);
    expect(ssh.stderr).toContain('needs a user, a host and a path');
  });
});

async function runInProcess(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(chunk.toString());
        done();
      },
    });
  const code = await runCli(argv, {
    stdout: sink((t) => {
      stdout += t;
    }),
    stderr: sink((t) => {
      stderr += t;
    }),
    env: { NO_COLOR: '1' },
    cwd: dir,
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}

describe('drainctl watch ssh://', () => {
  let server: TestSshServer;
  let keyFile: string;
  let knownHosts: string;
  beforeAll(async () => {
    const keys = generateKeys();
    server = await startSshServer(keys);
    keyFile = join(dir, 'id_watch');
    writeFileSync(keyFile, keys.clientPrivate, { mode: 0o600 });
    knownHosts = join(dir, 'known_hosts_watch');
    writeFileSync(knownHosts, `${server.knownHostsLine}\n`);
  });
  afterAll(() => server.close());

  it('follows a remote log and exits 0 when it is quiet', async () => {
    const log = join(dir, 'remote.log');
    writeFileSync(log, '');
    const result = await runDrainctl([
      'watch',
      `ssh://ops@127.0.0.1:${server.port}${log}`,
      '--identity',
      keyFile,
      '--known-hosts',
      knownHosts,
      '--quiet',
      '1',
      '--timeout',
      '10',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`ops@127.0.0.1:${log}`);
    expect(server.commands.some((c) => c.includes('tail -n 0 -F'))).toBe(true);
  });

  it('refuses an unknown host key with a clear error (exit 1, in-process)', async () => {
    const result = await runInProcess([
      'watch',
      `ssh://ops@127.0.0.1:${server.port}/var/log/x.log`,
      '--identity',
      keyFile,
      '--host-key',
      'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('SSH_HOST_KEY_MISMATCH');
    expect(result.stderr).toContain('Refusing to connect');
  });
});
