/**
 * A keepalived pair as drainctl drives it, on real keepalived in network namespaces the test
 * creates (test/support/keepalived-netns.ts), built by the composition root from a workflow
 * section: each node's commands run in the local shell under `ip netns exec`. Needs root,
 * `ip netns` and keepalived (`npm run test:netns`; .ci/run installs keepalived).
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { heldVipTag } from '#src/adapters/keepalived/index.js';
import { balancerStateFile } from '#src/adapters/local/balancer-state-file.js';
import { type SelfRunBalancerSpec, selfRunLoadBalancer } from '#src/app/composition-root.js';
import { DrainctlError } from '#src/errors/index.js';
import { CLIENTS, vipLoad as load, startKeepalivedPair } from '#support/keepalived-netns.js';

const ID = 'keepalived:test';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function pair(moveBack: boolean) {
  const fixture = await startKeepalivedPair();
  cleanups.push(() => fixture.stop());
  const home = mkdtempSync(join(tmpdir(), 'drainctl-home-'));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const spec: SelfRunBalancerSpec = {
    kind: 'keepalived',
    keepalived: {
      vip: fixture.vip,
      port: fixture.port,
      nodes: Object.fromEntries(
        fixture.nodes.map((node) => [
          node.serverId,
          { host: 'local' as const, netns: node.netns, pidFile: node.pidFile, start: node.start },
        ]),
      ),
      moveBack,
      quietSeconds: 5,
      moveTimeoutSeconds: 20,
    },
  };
  const lb = await selfRunLoadBalancer(spec, { id: ID, instances: [], env: process.env, home });
  // keepalived elects its MASTER a few advertisements after it starts.
  await until(() => fixture.holdsVip(fixture.nodes[0]), 15_000);
  return { fixture, lb, home };
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function weights(backends: Array<{ serverId: string; weight: number }>) {
  return Object.fromEntries(backends.map((b) => [b.serverId, b.weight]));
}

describe('a keepalived pair in network namespaces', () => {
  it('moves the VIP off the MASTER and back under client load', { timeout: 120_000 }, async () => {
    const { fixture, lb, home } = await pair(true);
    const [a, b] = fixture.nodes;
    const backends = await lb.listBackends(ID);
    expect(weights(backends)).toEqual({ [a.serverId]: 1, [b.serverId]: 1 });
    expect(backends.map((x) => x.description?.split(': ')[1])).toEqual(['MASTER', 'BACKUP']);

    const traffic = load(fixture);
    cleanups.push(() => traffic.stop());
    await until(async () => (traffic.answered[a.serverId] ?? 0) > 20, 10_000);

    await lb.setBackendWeights(ID, [{ serverId: a.serverId, weight: 0 }]);
    expect(await fixture.holdsVip(a)).toBe(false);
    expect(await fixture.holdsVip(b)).toBe(true);
    expect((await balancerStateFile(home, ID).read()).tags[heldVipTag(a.serverId)]).toBe(
      fixture.vip,
    );
    expect(weights(await lb.listBackends(ID))).toEqual({ [a.serverId]: 0, [b.serverId]: 1 });
    const beforeBack = { ...traffic.answered };
    await until(
      async () => (traffic.answered[b.serverId] ?? 0) > (beforeBack[b.serverId] ?? 0) + 20,
      10_000,
    );

    await lb.setBackendWeights(ID, [{ serverId: a.serverId, weight: 1 }]);
    expect(await fixture.holdsVip(a)).toBe(true);
    expect(await fixture.holdsVip(b)).toBe(false);
    expect((await balancerStateFile(home, ID).read()).tags).toEqual({});
    const afterBack = traffic.answered[a.serverId] ?? 0;
    await until(async () => (traffic.answered[a.serverId] ?? 0) > afterBack + 20, 10_000);
    await traffic.stop();

    const total =
      Object.values(traffic.answered).reduce((sum, n) => sum + n, 0) + traffic.failed.length;
    console.log(
      `keepalived move and back under load: ${total} requests, ${traffic.failed.length} failed (${traffic.failed.join(', ') || 'none'}), answered ${JSON.stringify(traffic.answered)}`,
    );
    expect(traffic.answered[b.serverId]).toBeGreaterThan(20);
    // Each move waits for a moment with no connection open to the VIP on the MASTER, but a client
    // may open one between that look and keepalived's stop: the node giving the VIP up drops its
    // packets (a timeout), or the new holder, which knows nothing of it, resets it. So at most one
    // request per client and move may fail, and only in one of those two ways.
    expect(traffic.failed.length).toBeLessThanOrEqual(2 * CLIENTS);
    for (const error of traffic.failed) expect(['TIMEOUT', 'ECONNRESET']).toContain(error);
  });

  it('leaves the VIP on the BACKUP when the workflow does not move it back and the pair has nopreempt', {
    timeout: 60_000,
  }, async () => {
    const { fixture, lb } = await pair(false);
    const [a, b] = fixture.nodes;
    // nopreempt: the old MASTER comes back as BACKUP (keepalived's own rule, set in its config).
    await fixture.inNode(
      a,
      `sed -i 's/  state BACKUP/  state BACKUP\\n  nopreempt/' ${join(fixture.dir, 'a.conf')}`,
    );
    await lb.setBackendWeights(ID, [{ serverId: a.serverId, weight: 0 }]);
    await lb.setBackendWeights(ID, [{ serverId: a.serverId, weight: 1 }]);
    const backends = await lb.listBackends(ID);
    expect(weights(backends)).toEqual({ [a.serverId]: 1, [b.serverId]: 1 });
    expect(backends.map((x) => x.description?.split(': ')[1])).toEqual(['BACKUP', 'MASTER']);
  });

  it('clears a stale note of a held VIP when that node is drained as BACKUP', {
    timeout: 60_000,
  }, async () => {
    const { fixture, lb, home } = await pair(true);
    const b = fixture.nodes[1];
    // What a run killed while keepalived started, then resumed, leaves behind.
    await balancerStateFile(home, ID).update(({ tags }) => {
      tags[heldVipTag(b.serverId)] = fixture.vip;
    });
    await lb.setBackendWeights(ID, [{ serverId: b.serverId, weight: 0 }]);
    expect((await balancerStateFile(home, ID).read()).tags).toEqual({});
    // Back as BACKUP: its return does not wait for a VIP it never held.
    await lb.setBackendWeights(ID, [{ serverId: b.serverId, weight: 1 }]);
    expect(await fixture.holdsVip(b)).toBe(false);
  });

  it('refuses a split brain, naming both nodes, and changes nothing', {
    timeout: 60_000,
  }, async () => {
    const { fixture, lb } = await pair(true);
    const [a, b] = fixture.nodes;
    // The BACKUP stops hearing the MASTER's advertisements (its link leaves the bridge) and takes
    // the VIP too, as keepalived does when VRRP between the nodes is cut.
    execFileSync('ip', ['link', 'set', b.veth, 'nomaster']);
    await until(() => fixture.holdsVip(b), 15_000);
    expect(await fixture.holdsVip(a)).toBe(true);

    const refused = await lb
      .setBackendWeights(ID, [{ serverId: a.serverId, weight: 0 }])
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DrainctlError);
    expect((refused as DrainctlError).code).toBe('KEEPALIVED_SPLIT_BRAIN');
    expect((refused as DrainctlError).message).toContain(
      `${a.serverId} MASTER, ${b.serverId} MASTER`,
    );
    await expect(lb.listBackends(ID)).rejects.toMatchObject({ code: 'KEEPALIVED_SPLIT_BRAIN' });
    // Nothing was stopped.
    expect((await fixture.inNode(a, `kill -0 $(cat ${a.pidFile}) && echo alive`)).trim()).toBe(
      'alive',
    );
  });

  it('refuses a pair where no node holds the VIP', { timeout: 60_000 }, async () => {
    const { fixture, lb } = await pair(true);
    const [a, b] = fixture.nodes;
    for (const node of [b, a]) await fixture.inNode(node, `kill -TERM $(cat ${node.pidFile})`);
    await until(async () => !(await fixture.holdsVip(a)) && !(await fixture.holdsVip(b)), 10_000);
    await expect(lb.listBackends(ID)).rejects.toMatchObject({
      code: 'KEEPALIVED_NO_VIP_HOLDER',
      message: expect.stringContaining(`${a.serverId} STOPPED, ${b.serverId} STOPPED`),
    });
  });
});
