/**
 * A patch night on Windows servers in A/B pairs (workflows/windows-update.yaml, shorter waits)
 * through the real binary against the emulator, under client load: every server updated through
 * PowerShell, restarted and proven by its KB and service, never both members of a pair out at
 * once, no request failed; an
 * approved plan refused once the world it was made on changed, before anything is touched; the
 * first server that fails halts the night with no other server touched; and a night killed while
 * an update installs, resumed to the same end.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Emulator, startEmulator } from '#mocks/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { LoadGenerator } from '#src/demo/load-generator.js';
import { emulatorPorts, setUpBalancerByHand } from '#support/balancer-by-hand.js';
import { binPath, type CliRun, repoRoot, runDrainctl } from '#support/cli-runner.js';

const IDS = ['i-emu-win-1', 'i-emu-win-2', 'i-emu-win-3', 'i-emu-win-4'];
const PAIRS = [
  ['i-emu-win-1', 'i-emu-win-2'],
  ['i-emu-win-3', 'i-emu-win-4'],
];
const OLD_BUILD = '20348.2527';
const NEW_BUILD = '20348.2582';

interface Night {
  emu: Emulator;
  dir: string;
  workflow: string;
  loadBalancerId: string;
  env: NodeJS.ProcessEnv;
}

let night: Night | undefined;
afterEach(async () => {
  await night?.emu.close();
  if (night) await rm(night.dir, { recursive: true, force: true });
  night = undefined;
});

/** The example with the emulator's access logs and waits short enough for a test. */
async function exampleForTest(dir: string, healthTimeoutSeconds: number): Promise<string> {
  const text = (await readFile(join(repoRoot, 'workflows', 'windows-update.yaml'), 'utf8'))
    .replace('.drainctl/emulator/instances/', `\${EMU_STATE}/instances/`)
    .replace('quietSeconds: 5', 'quietSeconds: 1')
    .replace('timeoutSeconds: 300', 'timeoutSeconds: 30')
    .replace('rebootTimeoutSeconds: 1800', 'rebootTimeoutSeconds: 30')
    .replace('consecutiveSuccesses: 3', 'consecutiveSuccesses: 1')
    .replace('intervalSeconds: 2', 'intervalSeconds: 1')
    .replace('timeoutSeconds: 600', `timeoutSeconds: ${healthTimeoutSeconds}`)
    .replace('holdSeconds: 10', 'holdSeconds: 0');
  const file = join(dir, 'windows-update.yaml');
  await writeFile(file, text);
  return file;
}

async function startNight(healthTimeoutSeconds = 30): Promise<Night> {
  const dir = await mkdtemp(join(tmpdir(), 'drainctl-windows-'));
  const emu = await startEmulator({
    port: 0,
    stateDir: join(dir, 'emulator'),
    topology: {
      region: 'cn-hangzhou',
      appPort: 8080,
      instances: IDS.map((id, index) => ({
        id,
        name: `win-${index + 1}`,
        tags: { app: 'iis', env: 'demo' },
        windows: {},
      })),
    },
    timings: {
      stoppingSeconds: 0.1,
      bootSeconds: 0.3,
      appStartSeconds: 0.1,
      packageUpdateSeconds: 0.2,
      healthCheckScale: 0.25,
    },
  });
  const { id } = await setUpBalancerByHand(emu, {
    clientToken: `setup-${Date.now()}`,
    healthCheck: {
      enabled: true,
      type: 'tcp',
      intervalSeconds: 2,
      timeoutSeconds: 2,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
    },
    backends: IDS.map((serverId) => ({ serverId, weight: 100 })),
  });
  night = {
    emu,
    dir,
    loadBalancerId: id,
    workflow: await exampleForTest(dir, healthTimeoutSeconds),
    env: {
      DRAINCTL_CLOUD_ENDPOINT: emu.endpoint,
      ALIBABA_CLOUD_ACCESS_KEY_ID: emu.credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.credentials.accessKeySecret,
      ALIBABA_CLOUD_REGION_ID: emu.region,
      DRAINCTL_HOME: join(dir, 'home'),
      LOAD_BALANCER_ID: id,
      EMU_STATE: emu.stateDir,
      DRAINCTL_LOG_LEVEL: 'warn',
    },
  };
  return night;
}

function drainctl(n: Night, args: string[]): Promise<CliRun> {
  return runDrainctl(args, { env: n.env, cwd: n.dir, timeoutMs: 120_000 });
}

function weights(n: Night): Record<string, number> {
  const lb = n.emu.state().loadBalancers.find((l) => l.id === n.loadBalancerId);
  return Object.fromEntries((lb?.backends ?? []).map((b) => [b.serverId, b.weight]));
}

function builds(n: Night): Record<string, string> {
  return Object.fromEntries(n.emu.state().instances.map((i) => [i.id, i.kernel]));
}

async function approvedSha(n: Night): Promise<string> {
  const plan = await drainctl(n, ['plan', n.workflow, '--json']);
  expect(plan.code, plan.stderr).toBe(0);
  return (JSON.parse(plan.stdout) as { sha256: string }).sha256;
}

interface Entry {
  type: string;
  node?: string;
  op: string;
  step?: string;
}

async function entriesOf(n: Night, runId: string): Promise<Entry[]> {
  const text = await readFile(join(n.dir, 'home', 'runs', runId, 'journal.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Entry];
      } catch {
        return []; // the last line of a killed writer
      }
    });
}

async function intentsOf(n: Night, runId: string): Promise<Entry[]> {
  return (await entriesOf(n, runId)).filter((entry) => entry.type === 'intent');
}

describe('a Windows patch night in A/B pairs', () => {
  it('updates every server through PowerShell under load, never both members of a pair out, no request failed; a re-run skips them all', {
    timeout: 180_000,
  }, async () => {
    const n = await startNight();
    const sha = await approvedSha(n);
    const address = n.emu.state().loadBalancers[0]?.address ?? '';
    // Each client sends a request every 7 s, past the app's 5 s keep-alive: a drained server
    // keeps no client, so the drain can finish while the service is busy.
    const load = new LoadGenerator({
      hostname: 'www.example.com',
      port: 8080,
      resolve: async () => ({ address, ttlSeconds: 60 }),
      ratePerSecond: 5,
      clients: 35,
      clock: systemClock,
    });
    load.start();
    // Sampled while the night runs: which servers are below their full weight together.
    const together: string[][] = [];
    const sampler = setInterval(() => {
      const out = Object.entries(weights(n))
        .filter(([, weight]) => weight < 100)
        .map(([id]) => id);
      if (out.length > 1) together.push(out);
    }, 20);
    const run = await drainctl(n, ['run', n.workflow, '--yes', '--json', '--plan-sha256', sha]);
    clearInterval(sampler);
    const stats = await load.stop();
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(stats.total).toBeGreaterThan(50);
    expect(stats.failures).toEqual([]);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'completed' });
    expect(builds(n)).toEqual(Object.fromEntries(IDS.map((id) => [id, NEW_BUILD])));
    expect(weights(n)).toEqual(Object.fromEntries(IDS.map((id) => [id, 100])));
    // Two servers were out together (the sampler saw the batches)…
    expect(together.length).toBeGreaterThan(0);
    // …but never the two members of one pair.
    for (const out of together) {
      for (const pair of PAIRS)
        expect(
          pair.every((id) => out.includes(id)),
          out.join(),
        ).toBe(false);
    }

    const rerun = await drainctl(n, ['run', n.workflow, '--yes', '--json']);
    expect(rerun.code, rerun.stderr.slice(-3000)).toBe(0);
    const second = JSON.parse(rerun.stdout) as { runId: string; report: { summary: string } };
    expect(second.report.summary).toBe('all 4 node(s) done (4 skipped, already compliant)');
    expect(await intentsOf(n, second.runId)).toEqual([]);
  });

  it('refuses the approved plan once the world changed, touching nothing', {
    timeout: 120_000,
  }, async () => {
    const n = await startNight();
    const sha = await approvedSha(n);
    // Between the approval and the run, someone lowers win-4's weight.
    await emulatorPorts(n.emu).loadBalancer.setBackendWeights(n.loadBalancerId, [
      { serverId: 'i-emu-win-4', weight: 50 },
    ]);
    const run = await drainctl(n, ['run', n.workflow, '--yes', '--plan-sha256', sha]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('PLAN_CHANGED: the plan changed since it was approved');
    expect(weights(n)).toEqual({
      'i-emu-win-1': 100,
      'i-emu-win-2': 100,
      'i-emu-win-3': 100,
      'i-emu-win-4': 50,
    });
    expect(builds(n)).toEqual(Object.fromEntries(IDS.map((id) => [id, OLD_BUILD])));
  });

  it('halts at the first server that fails; no other server is touched', {
    timeout: 180_000,
  }, async () => {
    const n = await startNight(4);
    const sha = await approvedSha(n);
    n.emu.injectFault({ kind: 'unhealthy-after-reboot', instanceId: 'i-emu-win-1', seconds: 600 });
    const run = await drainctl(n, ['run', n.workflow, '--yes', '--json', '--plan-sha256', sha]);
    expect(run.code, run.stderr.slice(-3000)).toBe(2);
    const doc = JSON.parse(run.stdout) as {
      runId: string;
      outcome: string;
      report: { nodes: Array<{ id: string; state: string }> };
    };
    expect(doc.outcome).toBe('halted');
    // win-1 failed and stays out; its pair's other member, win-2, and the rest kept serving.
    expect(weights(n)).toEqual({
      'i-emu-win-1': 0,
      'i-emu-win-2': 100,
      'i-emu-win-3': 100,
      'i-emu-win-4': 100,
    });
    expect(builds(n)).toEqual({
      'i-emu-win-1': NEW_BUILD,
      'i-emu-win-2': OLD_BUILD,
      'i-emu-win-3': OLD_BUILD,
      'i-emu-win-4': OLD_BUILD,
    });
    const touched = new Set((await intentsOf(n, doc.runId)).map((entry) => entry.node));
    expect([...touched]).toEqual(['i-emu-win-1']);
    expect(doc.report.nodes.find((node) => node.id === 'i-emu-win-1')?.state).not.toBe('done');
  });

  it('resumes after drainctl is killed while the update installs, and ends as an uninterrupted night', {
    timeout: 180_000,
  }, async () => {
    const n = await startNight();
    const child = spawn(process.execPath, [binPath, 'run', n.workflow, '--yes', '--json'], {
      cwd: n.dir,
      env: { ...process.env, NO_COLOR: '1', ...n.env },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('close', (_code, signal) => resolve(signal)),
    );
    const runId = await vi.waitUntil(
      async () => {
        const [id] = await readdir(join(n.dir, 'home', 'runs')).catch(() => []);
        if (id === undefined) return undefined;
        const entries = await entriesOf(n, id).catch(() => []);
        const installing = entries.some(
          (e) =>
            e.type === 'intent' && e.op === 'run-command' && String(e.step).includes('node.patch'),
        );
        return installing ? id : undefined;
      },
      { timeout: 60_000, interval: 20 },
    );
    child.kill('SIGKILL');
    // Killed mid-night, not after it ended.
    expect(await exited).toBe('SIGKILL');

    const resumed = await drainctl(n, ['resume', runId, '--yes', '--json']);
    expect(resumed.code, resumed.stderr.slice(-3000)).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ outcome: 'completed' });
    expect(builds(n)).toEqual(Object.fromEntries(IDS.map((id) => [id, NEW_BUILD])));
    expect(weights(n)).toEqual(Object.fromEntries(IDS.map((id) => [id, 100])));
  });
});
