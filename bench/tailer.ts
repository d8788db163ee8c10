/**
 * Benchmark of the access-log probe's hot path (follow → split → parse → filter → count) on a
 * large nginx `combined` log, against `wc -l` on the same file. Not a test: it prints figures
 * for docs/benchmarks.md.
 *
 *   npm run bench:tailer                      # 1 GiB and a quarter of it
 *   npm run bench:tailer -- --size 256M       # or BENCH_TAILER_SIZE=256M
 *
 * The logs are written once into bench/out/ (git-ignored) and reused. Each size is measured in
 * a child process of its own, so its peak RSS is its own.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '#src/adapters/local/system-clock.js';
import type { TrafficFilter } from '#src/ports/index.js';
import { FileFollower } from '#src/probes/access-log/file-follower.js';
import { createLineParser } from '#src/probes/access-log/line-parser.js';
import { LinePipeline } from '#src/probes/access-log/line-pipeline.js';
import { RequestClassifier } from '#src/probes/access-log/request-classifier.js';
import { TrafficTally } from '#src/probes/access-log/traffic-tally.js';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, 'out');

const FILTER: TrafficFilter = {
  ignoreCidrs: ['100.64.0.0/10'],
  ignorePaths: [],
  ignoreUserAgents: [],
  clientAddress: 'remote_addr',
  healthCheck: { method: 'HEAD', uri: '/health' },
};

interface ChildResult {
  bytes: number;
  lines: number;
  real: number;
  ignored: number;
  errors5xx: number;
  wallSeconds: number;
  cpuSeconds: number;
  rssBeforeMiB: number;
  peakRssMiB: number;
}

function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([KMG]?)i?B?$/i.exec(text.trim());
  if (!match) throw new Error(`size must look like 1G, 256M, 1073741824; got ${text}`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[
    (match[2] ?? '').toUpperCase() as '' | 'K' | 'M' | 'G'
  ];
  return Math.round(Number(match[1]) * unit);
}

/** A deterministic mix: 90% real clients, 10% SLB health checks, 1% 5xx, assorted paths and agents. */
function generate(path: string, bytes: number): void {
  if (existsSync(path)) return;
  mkdirSync(outDir, { recursive: true });
  const partial = `${path}.partial`;
  const fd = openSync(partial, 'w');
  let seed = 42;
  const next = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  const paths = [
    '/',
    '/api/orders',
    '/api/orders/12345/items?expand=true',
    '/static/app.3f9a1c.js',
    '/login',
    '/api/search?q=kernel+patch&page=2',
  ];
  const agents = [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
    'curl/8.5.0',
    'okhttp/4.12.0',
  ];
  const buffer = Buffer.alloc(8 * 1024 * 1024);
  let written = 0;
  while (written < bytes) {
    let used = 0;
    while (used < buffer.length - 1024 && written + used < bytes) {
      const r = next() >> 7; // the low bits of this generator cycle quickly
      const health = r % 10 === 0;
      const ip = health
        ? `100.${64 + (r % 64)}.${(r >> 8) & 255}.${(r >> 16) & 255}`
        : `${(r % 223) + 1}.${(r >> 8) & 255}.${(r >> 16) & 255}.${(r >> 4) & 255}`;
      const request = health ? 'HEAD /health HTTP/1.0' : `GET ${paths[r % paths.length]} HTTP/1.1`;
      const status = health ? 200 : r % 100 === 7 ? 502 : 200;
      const agent = health ? '-' : agents[(r >> 3) % agents.length];
      const line = `${ip} - - [21/Nov/2026:02:${String((r >> 5) % 60).padStart(2, '0')}:${String((r >> 7) % 60).padStart(2, '0')} +0800] "${request}" ${status} ${r % 50000} "https://www.example.com/" "${agent}"\n`;
      used += buffer.write(line, used, 'latin1');
    }
    writeSync(fd, buffer, 0, used);
    written += used;
  }
  closeSync(fd);
  renameSync(partial, path);
}

/** Child: run the probe's path over the whole file and report. */
async function measure(path: string): Promise<ChildResult> {
  const rssBefore = process.memoryUsage.rss();
  const classifier = new RequestClassifier(FILTER);
  const parser = createLineParser({ kind: 'combined' }, classifier.needs);
  const tally = new TrafficTally();
  const pipeline = new LinePipeline(parser, classifier, tally, systemClock);
  const follower = new FileFollower(
    path,
    {
      beginBatch: () => pipeline.beginBatch(),
      onLine: pipeline.onLine,
      endBatch: () => pipeline.endBatch(),
      droppedPartial: () => pipeline.droppedPartial(),
      event: () => {},
    },
    systemClock,
    { startAt: 'start' },
  );
  const size = statSync(path).size;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await follower.start();
  while (follower.bytesRead < size) await follower.poll();
  const wallSeconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await follower.close();
  return {
    bytes: follower.bytesRead,
    lines: tally.real + tally.ignored,
    real: tally.real,
    ignored: tally.ignored,
    errors5xx: tally.errors5xx,
    wallSeconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    rssBeforeMiB: rssBefore / 1024 ** 2,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

function timeWc(path: string): { seconds: number; lines: number } {
  spawnSync('wc', ['-l', path]); // warm the page cache the same way for both
  const started = performance.now();
  const out = execFileSync('wc', ['-l', path], { encoding: 'utf8' });
  return {
    seconds: (performance.now() - started) / 1000,
    lines: Number(out.trim().split(/\s+/)[0]),
  };
}

async function main(): Promise<void> {
  const childIndex = process.argv.indexOf('--child');
  if (childIndex >= 0) {
    process.stdout.write(`${JSON.stringify(await measure(process.argv[childIndex + 1] ?? ''))}\n`);
    return;
  }
  const sizeIndex = process.argv.indexOf('--size');
  const large = parseSize(
    sizeIndex >= 0 ? (process.argv[sizeIndex + 1] ?? '') : (process.env.BENCH_TAILER_SIZE ?? '1G'),
  );
  const sizes = [Math.round(large / 4), large];
  console.log(
    `machine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, Node ${process.version}`,
  );
  const rows: string[] = [];
  for (const bytes of sizes) {
    const path = join(outDir, `combined-${bytes}.log`);
    const generating = !existsSync(path);
    if (generating) console.log(`writing ${path} (${(bytes / 1024 ** 2).toFixed(0)} MiB, once) …`);
    generate(path, bytes);
    const wc = timeWc(path);
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', path],
      {
        encoding: 'utf8',
        maxBuffer: 1024 * 1024,
      },
    );
    if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
    const r = JSON.parse(child.stdout) as ChildResult;
    if (r.lines !== wc.lines) throw new Error(`probe saw ${r.lines} lines, wc -l ${wc.lines}`);
    const millions = r.lines / 1e6;
    rows.push(
      [
        `${(r.bytes / 1024 ** 2).toFixed(0)} MiB`,
        `${millions.toFixed(2)} M lines`,
        `${Math.round(r.lines / r.wallSeconds / 1000)} k lines/s`,
        `wall ${r.wallSeconds.toFixed(2)} s`,
        `CPU ${(r.cpuSeconds / millions).toFixed(3)} s/M lines`,
        `RSS ${r.rssBeforeMiB.toFixed(0)} → peak ${r.peakRssMiB.toFixed(0)} MiB`,
        `wc -l ${wc.seconds.toFixed(2)} s`,
        `ratio ${(r.wallSeconds / wc.seconds).toFixed(1)}× wc`,
        `(${r.real} real, ${r.ignored} ignored, ${r.errors5xx} 5xx)`,
      ].join(' | '),
    );
    console.log(rows.at(-1));
  }
}

await main();
