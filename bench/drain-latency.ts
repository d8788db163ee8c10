/**
 * Benchmark of how late the drain decision is: real requests are appended to an access log until
 * a moment T, and the probe's `waitForDrain` must answer `drained` at T + quietSeconds. Each
 * trial prints decision − (T + quiet); a local file and the same file tailed over SSH (the tests'
 * ssh2 server on loopback, running the real `tail -F`). Not a test: it prints figures for
 * docs/benchmarks.md.
 *
 *   npm run bench:drain-latency                          # 20 trials each, quietSeconds 2
 *   npm run bench:drain-latency -- --trials 5 --quiet 1
 *
 * Last line: `drain-latency: median-ms=N p95-ms=N ssh-median-ms=N` (median and p95 of the local
 * trials, median of the SSH ones).
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '#src/adapters/local/system-clock.js';
import type { LogSource, TrafficFilter } from '#src/ports/index.js';
import {
  type AccessLogProbe,
  openAccessLogProbe,
} from '#src/probes/access-log/access-log-probe.js';
import { openSshFollower } from '#src/probes/access-log/ssh-follower.js';
import { generateKeys, startSshServer } from '../test/integration/probes/ssh-server.js';

const FILTER: TrafficFilter = {
  ignoreCidrs: ['100.64.0.0/10'],
  ignorePaths: [],
  ignoreUserAgents: [],
  clientAddress: 'remote_addr',
  healthCheck: { method: 'HEAD', uri: '/health' },
};

const line = (address: string, request: string) =>
  `${address} - - [21/Nov/2026:02:00:01 +0800] "${request} HTTP/1.1" 200 12 "-" "curl/8.5.0"\n`;
const REAL = line('203.0.113.9', 'GET /api/orders');
const HEALTH = line('100.64.1.7', 'HEAD /health');

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

/** Deterministic, so two runs write the same schedule. */
function randomFrom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
}

interface Trial {
  lateMs: number;
  lines: number;
}

/**
 * One trial on an open probe: wait a random part of a second (so T falls anywhere between the
 * probe's polls), append real requests 10–100 ms apart for about half a second while health
 * checks arrive every 250 ms (and go on after T, as an SLB's do), then wait for the decision.
 */
async function trial(
  probe: AccessLogProbe,
  log: string,
  quietSeconds: number,
  random: () => number,
) {
  const before = probe.tally.real;
  let decidedAt = 0;
  const decision = probe
    .waitForDrain({ quietSeconds, timeoutSeconds: quietSeconds + 30 })
    .then((result) => {
      decidedAt = performance.now();
      return result;
    });
  // nginx appends through a descriptor it keeps open.
  const writer = openSync(log, 'a');
  let healthChecks = true;
  const checks = (async () => {
    while (healthChecks) {
      writeSync(writer, HEALTH);
      await sleep(250);
    }
  })();
  try {
    await sleep(random() * 1000);
    let lines = 0;
    let last = 0;
    const until = performance.now() + 300 + random() * 400;
    while (performance.now() < until) {
      writeSync(writer, REAL);
      last = performance.now();
      lines++;
      await sleep(10 + random() * 90);
    }
    const result = await decision;
    if (result.outcome !== 'drained') throw new Error(`the wait ended ${result.outcome}`);
    if (probe.tally.real - before !== lines) {
      throw new Error(`wrote ${lines} real requests, the probe saw ${probe.tally.real - before}`);
    }
    return { lateMs: decidedAt - (last + quietSeconds * 1000), lines } satisfies Trial;
  } finally {
    healthChecks = false;
    await checks;
    closeSync(writer);
  }
}

/** A remote `tail -n 0 -F` starts after the channel opens: wait until it sees what is written. */
async function untilFollowing(probe: AccessLogProbe, log: string): Promise<void> {
  const before = probe.tally.real;
  for (let i = 0; i < 100; i++) {
    writeFileSync(log, REAL, { flag: 'a' });
    await sleep(100);
    if (probe.tally.real > before) return;
  }
  throw new Error('the probe never saw a line appended to the log');
}

async function series(
  label: string,
  trials: number,
  quietSeconds: number,
  log: string,
  open: () => Promise<AccessLogProbe>,
): Promise<number[]> {
  const random = randomFrom(label === 'local' ? 1 : 2);
  const late: number[] = [];
  for (let i = 1; i <= trials; i++) {
    const probe = await open();
    try {
      if (label === 'ssh') await untilFollowing(probe, log);
      const { lateMs, lines } = await trial(probe, log, quietSeconds, random);
      late.push(lateMs);
      console.log(
        `${label.padEnd(5)} trial ${String(i).padStart(2)}/${trials}: ${String(lines).padStart(2)} real requests, decided ${lateMs.toFixed(1).padStart(6)} ms after last + ${quietSeconds} s`,
      );
    } finally {
      await probe.close();
    }
  }
  return late;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2 === 0
    ? ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
    : (sorted[Math.floor(middle)] ?? 0);
}

/** Nearest rank: of 20 trials, the 19th. */
function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.95 * sorted.length) - 1] ?? 0;
}

function summary(values: number[]): string {
  return `median ${median(values).toFixed(1)} ms, p95 ${p95(values).toFixed(1)} ms, min ${Math.min(...values).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms`;
}

async function main(): Promise<void> {
  const trials = argument('trials', 20);
  const quietSeconds = argument('quiet', 2);
  console.log(
    `machine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'drainctl-bench-latency-'));
  const log = join(dir, 'access.log');
  writeFileSync(log, REAL.repeat(100));
  const keys = generateKeys();
  const server = await startSshServer(keys);
  try {
    const openProbe = (source: LogSource) =>
      openAccessLogProbe({
        source,
        format: { kind: 'combined' },
        filter: FILTER,
        clock: systemClock,
        openRemote: (remote, sink) =>
          openSshFollower(
            {
              host: remote.host,
              port: remote.port,
              username: remote.username,
              ...(remote.privateKeyPath ? { privateKeyPath: remote.privateKeyPath } : {}),
              ...(remote.knownHostsPath ? { knownHostsPath: remote.knownHostsPath } : {}),
            },
            remote.path,
            sink,
            { clock: systemClock },
          ),
      });
    const local = await series('local', trials, quietSeconds, log, () =>
      openProbe({ type: 'local', path: log }),
    );
    const knownHostsPath = join(dir, 'known_hosts');
    writeFileSync(knownHostsPath, `${server.knownHostsLine}\n`);
    const privateKeyPath = join(dir, 'id_bench');
    writeFileSync(privateKeyPath, keys.clientPrivate, { mode: 0o600 });
    const ssh = await series('ssh', trials, quietSeconds, log, () =>
      openProbe({
        type: 'ssh',
        host: '127.0.0.1',
        port: server.port,
        username: 'bench',
        path: log,
        privateKeyPath,
        knownHostsPath,
      }),
    );
    console.log(`local: ${summary(local)}`);
    console.log(`ssh:   ${summary(ssh)}`);
    console.log(
      `drain-latency: median-ms=${Math.round(median(local))} p95-ms=${Math.round(p95(local))} ssh-median-ms=${Math.round(median(ssh))}`,
    );
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
