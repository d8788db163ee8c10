/**
 * Benchmark of drainctl's start-up: 20 starts each of `drainctl --version`, `drainctl --help`
 * and `drainctl plan workflows/kernel-patch.yaml` against the emulator, interleaved round by
 * round with a bare `node -e ''`, so every figure shares the machine's load of the moment. Not
 * a test: it prints figures for docs/benchmarks.md.
 *
 *   npm run bench:startup          # builds dist/ first, then runs the built bin/drainctl.js
 *   npm run bench:startup -- --runs 50
 *
 * Wall time is measured here, from spawn to exit. Each child also reports its own CPU time and
 * peak RSS on exit, through a three-line CommonJS preload (`-r`) that every command, `node -e ''`
 * included, gets alike. The emulator is `drainctl emulator` in a process of its own.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const bin = join(repoRoot, 'bin', 'drainctl.js');
const scratch = mkdtempSync(join(tmpdir(), 'drainctl-bench-startup-'));
const usageFile = join(scratch, 'usage.txt');
const preload = join(scratch, 'report-usage.cjs');
writeFileSync(
  preload,
  `process.on('exit', () => { const cpu = process.cpuUsage();
require('node:fs').appendFileSync(${JSON.stringify(usageFile)}, (cpu.user + cpu.system) / 1000 + ' ' + process.resourceUsage().maxRSS / 1024 + '\\n'); });\n`,
);

interface Sample {
  wallMs: number;
  cpuMs: number;
  rssMiB: number;
}

function runOnce(args: string[], env: NodeJS.ProcessEnv): Sample {
  writeFileSync(usageFile, '');
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['-r', preload, ...args], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0) {
    throw new Error(`node ${args.join(' ')} exited ${child.status}: ${child.stderr}`);
  }
  const [cpuMs, rssMiB] = readFileSync(usageFile, 'utf8').trim().split(' ').map(Number);
  return { wallMs, cpuMs: cpuMs ?? Number.NaN, rssMiB: rssMiB ?? Number.NaN };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** `drainctl emulator --port 0` as a user starts it; resolves with its endpoint. */
async function startEmulator(): Promise<{ endpoint: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [bin, 'emulator', '--port', '0', '--state', join(scratch, 'emulator')],
    { cwd: scratch, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^endpoint=(http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`emulator exited with ${code}: ${stderr}`)));
  });
  return { endpoint, child };
}

async function main(): Promise<void> {
  const runsIndex = process.argv.indexOf('--runs');
  const runs = runsIndex >= 0 ? Number(process.argv[runsIndex + 1]) : 20;
  console.log(
    `machine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, Node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const emulator = await startEmulator();
  try {
    const example = parseEnv(readFileSync(join(repoRoot, '.env.example'), 'utf8'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...example,
      NO_COLOR: '1',
      DRAINCTL_CLOUD_ENDPOINT: emulator.endpoint,
      DRAINCTL_HOME: join(scratch, 'home'),
    };
    const commands: Record<string, string[]> = {
      node: ['-e', ''],
      version: [bin, '--version'],
      help: [bin, '--help'],
      plan: [bin, 'plan', 'workflows/kernel-patch.yaml'],
    };
    const samples: Record<string, Sample[]> = Object.fromEntries(
      Object.keys(commands).map((name) => [name, []]),
    );
    // One warm-up round: the page cache and the emulator's first answers are not start-up.
    for (const args of Object.values(commands)) runOnce(args, env);
    for (let round = 0; round < runs; round++) {
      for (const [name, args] of Object.entries(commands)) samples[name]?.push(runOnce(args, env));
    }

    const figures = Object.fromEntries(
      Object.entries(samples).map(([name, list]) => [
        name,
        {
          wall: median(list.map((s) => s.wallMs)),
          min: Math.min(...list.map((s) => s.wallMs)),
          max: Math.max(...list.map((s) => s.wallMs)),
          cpu: median(list.map((s) => s.cpuMs)),
          rss: median(list.map((s) => s.rssMiB)),
        },
      ]),
    );
    const node = figures.node;
    if (node === undefined) throw new Error('no figures for node -e');
    console.log(
      `${runs} runs each, medians (wall from spawn to exit; CPU and peak RSS of the process):`,
    );
    for (const [name, f] of Object.entries(figures)) {
      console.log(
        [
          `${(name === 'node' ? "node -e ''" : `drainctl ${commands[name]?.slice(1).join(' ')}`).padEnd(45)}`,
          `wall ${f.wall.toFixed(0)} ms (${f.min.toFixed(0)}–${f.max.toFixed(0)})`,
          `${(f.wall / node.wall).toFixed(2)}× node`,
          `CPU ${f.cpu.toFixed(0)} ms (${(f.cpu / node.cpu).toFixed(2)}×)`,
          `RSS ${f.rss.toFixed(0)} MiB`,
        ].join(' | '),
      );
    }
    const ms = (name: string) => Math.round(figures[name]?.wall ?? Number.NaN);
    console.log(
      `startup: version-ms=${ms('version')} help-ms=${ms('help')} plan-ms=${ms('plan')} node-ms=${ms('node')} version-rss-mb=${Math.round(figures.version?.rss ?? Number.NaN)}`,
    );
  } finally {
    if (emulator.child.exitCode === null) {
      const exited = new Promise((resolve) => emulator.child.once('exit', resolve));
      emulator.child.kill('SIGTERM');
      await exited;
    }
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
