/**
 * `drainctl plan` and `drainctl run` on a keepalived pair as a user runs them: real keepalived in
 * network namespaces (test/support/keepalived-netns.ts) whose two nodes are the emulator's
 * instances i-emu-web-1 and i-emu-web-2. What is real: keepalived, the VIP, the moves, the
 * clients' requests and the nodes' HTTP servers, which write the access log the drain probe
 * reads. What is simulated: the patch and the reboot (the emulator's Cloud Assistant and
 * RebootInstance) and the app the health checks ask (the emulator's, at each instance's
 * privateIp:8080); the reboot does not restart the namespace's keepalived, drainctl's restore
 * does.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDrainctl } from '#support/cli-runner.js';
import { type EmulatorProcess, startEmulatorProcess } from '#support/emulator-process.js';
import { CLIENTS, startKeepalivedPair, vipLoad } from '#support/keepalived-netns.js';

const PAIR = ['i-emu-web-1', 'i-emu-web-2'] as [string, string];
const PATCHED = '3.10.0-1160.119.1.el7.x86_64';

let emulator: EmulatorProcess;
const stops: Array<() => Promise<void>> = [];
beforeEach(async () => {
  emulator = await startEmulatorProcess();
  stops.push(() => emulator.stop());
});
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

const accessLog = (instanceId: string) => `.drainctl/emulator/instances/${instanceId}/access.log`;

function workflow(fixture: Awaited<ReturnType<typeof startKeepalivedPair>>): string {
  const nodes = fixture.nodes
    .map(
      (node) =>
        `      ${node.serverId}: { netns: ${node.netns}, pidFile: ${node.pidFile}, start: "${node.start}" }`,
    )
    .join('\n');
  const file = join(emulator.dir, 'keepalived.yaml');
  writeFileSync(
    file,
    `name: keepalived-pair
region: cn-hangzhou
loadBalancer:
  kind: keepalived
  keepalived:
    vip: ${fixture.vip}
    port: ${fixture.port}
    nodes:
${nodes}
    moveBack: true
    quietSeconds: 5
    moveTimeoutSeconds: 20
backends:
  instances: [${PAIR.join(', ')}]
rollout:
  maxUnavailable: 1
  minHealthy: 1
drain:
  probe:
    kind: access-log
    source: local
    path: ${accessLog('{instanceId}')}
    format: combined
    filter:
      ignoreCidrs: []
  quietSeconds: 3
  timeoutSeconds: 60
  onTimeout: halt
patch:
  commands:
    - yum update kernel -y
  reboot: true
  rebootTimeoutSeconds: 120
  verify:
    command: uname -r
    expect: changed
health:
  checks:
    - type: http
      port: 8080
      path: /healthz
  consecutiveSuccesses: 2
  intervalSeconds: 1
  timeoutSeconds: 60
restore:
  rampPercent: [100]
  holdSeconds: 2
  # A BACKUP takes no request once back (the VIP is elsewhere): its hold cannot be proven.
  extendSeconds: 3
  onInconclusive: continue
`,
  );
  return file;
}

async function kernels(): Promise<string[]> {
  const { instances } = await emulator.state();
  return PAIR.map((id) => instances.find((instance) => instance.id === id)?.kernel ?? '');
}

describe('drainctl run on a keepalived pair', () => {
  it('patches both nodes under client load, the VIP moved off each MASTER and back', {
    timeout: 300_000,
  }, async () => {
    const fixture = await startKeepalivedPair({
      serverIds: PAIR,
      accessLog: (id) => join(emulator.dir, accessLog(id)),
    });
    stops.push(() => fixture.stop());
    const [a, b] = fixture.nodes;
    await expect.poll(() => fixture.holdsVip(a), { timeout: 15_000, interval: 200 }).toBe(true);
    const file = workflow(fixture);
    const options = { cwd: emulator.dir, env: emulator.env, timeoutMs: 60_000 };

    const plan = await runDrainctl(['plan', file], options);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`keepalived:${fixture.vip}@${PAIR.join(',')}`);
    const json = await runDrainctl(['plan', file, '--json'], options);
    const { sha256 } = JSON.parse(json.stdout) as { sha256: string };

    const load = vipLoad(fixture);
    stops.push(() => load.stop());
    const run = await runDrainctl(['run', file, '--yes', '--json', '--plan-sha256', sha256], {
      ...options,
      timeoutMs: 240_000,
    });
    await load.stop();
    const total = Object.values(load.answered).reduce((sum, n) => sum + n, 0) + load.failed.length;
    console.log(
      `drainctl run on a keepalived pair: ${total} requests, ${load.failed.length} failed (${load.failed.join(', ') || 'none'}), answered ${JSON.stringify(load.answered)}`,
    );
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(await kernels()).toEqual([PATCHED, PATCHED]);
    // moveBack: the VIP is on the node that held it when the run started, and both run keepalived.
    expect(await fixture.holdsVip(a)).toBe(true);
    expect(await fixture.holdsVip(b)).toBe(false);
    expect(load.answered[b.serverId]).toBeGreaterThan(10);
    // Two moves of the VIP (to the BACKUP and back): at most one lost request per client each.
    expect(load.failed.length).toBeLessThanOrEqual(2 * CLIENTS);
  });

  it('killed with SIGKILL in the middle of moving the VIP off the MASTER, resume finishes the night', {
    timeout: 300_000,
  }, async () => {
    const fixture = await startKeepalivedPair({
      serverIds: PAIR,
      accessLog: (id) => join(emulator.dir, accessLog(id)),
    });
    stops.push(() => fixture.stop());
    const [a, b] = fixture.nodes;
    await expect.poll(() => fixture.holdsVip(a), { timeout: 15_000, interval: 200 }).toBe(true);
    const file = workflow(fixture);
    // \`ss\` as drainctl calls it looking for a quiet moment, but its first call kills drainctl
    // first, as kill -9 would: the move's intent is journaled and the note written, keepalived
    // still runs on the MASTER.
    const bin = join(emulator.dir, 'killing-bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'ss'),
      `#!/bin/sh
if [ ! -e ${bin}/killed ]; then
  touch ${bin}/killed
  p=$PPID
  while [ "$p" -gt 1 ]; do
    if grep -q bin/drainctl /proc/$p/cmdline; then kill -9 $p; exit 1; fi
    p=$(awk '{print $4}' /proc/$p/stat)
  done
fi
exec ss "$@"
`.replace('exec ss', `PATH=${process.env.PATH}; exec ss`),
    );
    chmodSync(join(bin, 'ss'), 0o755);
    const env = { ...emulator.env, PATH: `${bin}:${process.env.PATH}` };
    const options = { cwd: emulator.dir, env, timeoutMs: 240_000 };
    const load = vipLoad(fixture);
    stops.push(() => load.stop());

    const killed = await runDrainctl(['run', file, '--yes', '--json'], options);
    expect(killed.signal, killed.stderr.slice(-2000)).toBe('SIGKILL');
    // Killed before keepalived was stopped: the MASTER still holds the VIP and serves.
    expect(await fixture.holdsVip(a)).toBe(true);
    const [id = ''] = await readdir(join(emulator.env.DRAINCTL_HOME ?? '', 'runs'));
    const journal = readFileSync(
      join(emulator.env.DRAINCTL_HOME ?? '', 'runs', id, 'journal.jsonl'),
      'utf8',
    )
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; op?: string });
    expect(journal.at(-1)).toMatchObject({ type: 'intent', op: 'set-weight' });

    const resumed = await runDrainctl(['resume', id, '--yes', '--json'], options);
    await load.stop();
    const total = Object.values(load.answered).reduce((sum, n) => sum + n, 0) + load.failed.length;
    console.log(
      `drainctl killed mid-move, then resume: ${total} requests, ${load.failed.length} failed (${load.failed.join(', ') || 'none'}), answered ${JSON.stringify(load.answered)}`,
    );
    expect(resumed.code, resumed.stderr.slice(-3000)).toBe(0);
    expect(await kernels()).toEqual([PATCHED, PATCHED]);
    expect(await fixture.holdsVip(a)).toBe(true);
    expect(await fixture.holdsVip(b)).toBe(false);
    expect(load.answered[b.serverId]).toBeGreaterThan(10);
    expect(load.failed.length).toBeLessThanOrEqual(2 * CLIENTS);
    // Nothing of the run is left in the balancer's state file: no lock, no weight, no note.
    const [state = ''] = await readdir(join(emulator.env.DRAINCTL_HOME ?? '', 'balancers'));
    expect(
      JSON.parse(readFileSync(join(emulator.env.DRAINCTL_HOME ?? '', 'balancers', state), 'utf8')),
    ).toEqual({ tags: {}, files: {} });
  });

  it('refuses to start on a split brain, naming both nodes, and patches nothing', {
    timeout: 120_000,
  }, async () => {
    const fixture = await startKeepalivedPair({ serverIds: PAIR });
    stops.push(() => fixture.stop());
    const [a, b] = fixture.nodes;
    await expect.poll(() => fixture.holdsVip(a), { timeout: 15_000, interval: 200 }).toBe(true);
    // The BACKUP stops hearing the MASTER (its link leaves the bridge) and takes the VIP too.
    execFileSync('ip', ['link', 'set', b.veth, 'nomaster']);
    await expect.poll(() => fixture.holdsVip(b), { timeout: 15_000, interval: 200 }).toBe(true);
    const file = workflow(fixture);
    const run = await runDrainctl(['run', file, '--yes'], {
      cwd: emulator.dir,
      env: emulator.env,
      timeoutMs: 60_000,
    });
    expect(run.code, run.stderr.slice(-2000)).toBe(2);
    expect(run.stderr).toContain(
      `KEEPALIVED_SPLIT_BRAIN: split brain: both nodes hold the VIP ${fixture.vip} (${a.serverId} MASTER, ${b.serverId} MASTER)`,
    );
    expect(await kernels()).not.toContain(PATCHED);
    expect(await fixture.holdsVip(a)).toBe(true);
  });
});
