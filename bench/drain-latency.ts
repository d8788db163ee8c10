/**
 * Benchmark of how late the drain decision is: real requests are appended to an access log until
 * a moment T, and the probe's `waitForDrain` must answer `drained` at T + quietSeconds. Each
 * trial prints decision − (T + quiet); a local file and the same file tailed over SSH (the tests'
 * ssh2 server on loopback, running the real `tail -F`). Not a test: it prints figures for
 * docs/benchmarks.md.
 *
 *   npm run bench:drain-latency                          # 20 trials each, quietSeconds 2
 *   npm run bench:drain-latency -- --trials 5 --quiet 1 --live-seconds 0
 *
 * Then what reading on change notifications costs: the CPU of a process following a log that
 * another process appends to at a steady rate, one line per write as nginx does, polling once a
 * second as a drain wait does — on notifications and polling only, each in a child process of
 * its own for `--live-seconds` (default 10; 0 skips it).
 *
 * Last line: `drain-latency: median-ms=N p95-ms=N ssh-median-ms=N` (median and p95 of the local
 * trials, median of the SSH ones).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { systemClock } from '#src/adapters/local/system-clock.js';
import type { LogSource, TrafficFilter } from '#src/ports/index.js';
import {
  type AccessLogProbe,
  openAccessLogProbe,
} from '#src/probes/access-log/access-log-probe.js';
import { FileFollower } from '#src/probes/access-log/file-follower.js';
import { createLineParser } from '#src/probes/access-log/line-parser.js';
import { LinePipeline } from '#src/probes/access-log/line-pipeline.js';
import { RequestClassifier } from '#src/probes/access-log/request-classifier.js';
import { openSshFollower } from '#src/probes/access-log/ssh-follower.js';
import { TrafficTally } from '#src/probes/access-log/traffic-tally.js';
import { generateKeys, startSshServer } from '#support/ssh-server.js';

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
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number ≥ 0`);
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

/**
 * Child: follow `log` while a writer process appends `rate` real requests a second to it, one
 * write each, for `seconds`; poll once a second; report this process's CPU and the lines read.
 */
async function followLive(watch: boolean, rate: number, seconds: number, log: string) {
  writeFileSync(log, '');
  const classifier = new RequestClassifier(FILTER);
  const tally = new TrafficTally();
  const pipeline = new LinePipeline(
    createLineParser({ kind: 'combined' }, classifier.needs),
    classifier,
    tally,
    systemClock,
  );
  const follower = new FileFollower(
    log,
    {
      beginBatch: () => pipeline.beginBatch(),
      onLine: pipeline.onLine,
      endBatch: () => pipeline.endBatch(),
      droppedPartial: () => pipeline.droppedPartial(),
      event: () => {},
    },
    systemClock,
    { watch },
  );
  await follower.start();
  const writer = spawn(
    process.execPath,
    [
      '-e',
      `const fs = require('node:fs');
       const fd = fs.openSync(process.argv[1], 'a');
       const [rate, ms, line] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
       const start = Date.now();
       let written = 0;
       const timer = setInterval(() => {
         const due = Math.min(Math.floor(((Date.now() - start) * rate) / 1000), (ms * rate) / 1000);
         for (; written < due; written++) fs.writeSync(fd, line);
         if (Date.now() - start >= ms) clearInterval(timer);
       }, 1);`,
      log,
      String(rate),
      String(seconds * 1000),
      REAL,
    ],
    { stdio: 'inherit' },
  );
  const cpu = process.cpuUsage();
  const polls = setInterval(() => void follower.poll(), 1000);
  await new Promise((resolve) => writer.on('close', resolve));
  clearInterval(polls);
  await follower.poll();
  const used = process.cpuUsage(cpu);
  await follower.close();
  return { cpuSeconds: (used.user + used.system) / 1e6, lines: tally.real };
}

function liveCost(seconds: number, dir: string): void {
  for (const rate of [100, 1000, 10_000]) {
    const figures = [true, false].map((watch) => {
      const child = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          fileURLToPath(import.meta.url),
          '--child-live',
          String(watch),
          String(rate),
          String(seconds),
          join(dir, `live-${rate}-${watch}.log`),
        ],
        { encoding: 'utf8' },
      );
      if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
      const r = JSON.parse(child.stdout) as { cpuSeconds: number; lines: number };
      if (r.lines !== rate * seconds) throw new Error(`read ${r.lines} of ${rate * seconds} lines`);
      return `${((r.cpuSeconds / seconds) * 100).toFixed(1)}% of a core`;
    });
    console.log(
      `following a log written ${rate} lines/s for ${seconds} s: on notifications ${figures[0]}, polling only ${figures[1]}`,
    );
  }
}

async function main(): Promise<void> {
  const child = process.argv.indexOf('--child-live');
  if (child >= 0) {
    const [watch, rate, seconds, log] = process.argv.slice(child + 1);
    const result = await followLive(watch === 'true', Number(rate), Number(seconds), log ?? '');
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const trials = argument('trials', 20);
  const quietSeconds = argument('quiet', 2);
  const liveSeconds = argument('live-seconds', 10);
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
    if (liveSeconds > 0) liveCost(liveSeconds, dir);
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
