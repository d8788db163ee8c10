/**
 * `drainctl plan` of a fleet workflow against the emulator: each selected server with every
 * attachment in the region — default groups of two balancers and a vServer group (a server in
 * one group on two ports is two attachments) — and its weight there; balancers selected by tags;
 * a server in a master-slave group refused with the group named; the runbook of the plan `run`
 * executes printed after the survey. Planning changes nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '#mocks/index.js';
import type { FleetSurvey } from '#src/plan/index.js';
import { runCliInProcess } from '#support/cli-in-process.js';
import { OpenApiClientClass, sdkConfig, slbCaller } from '#support/emulator-sdk.js';
import { emulatorEnv, emulatorState, startPlanEmulator } from '#support/plan-emulator.js';

let emu: Emulator;
let dir: string;
const lb = { edge: '', core: '', standby: '' };
let group = '';

beforeAll(async () => {
  emu = await startPlanEmulator();
  dir = mkdtempSync(join(tmpdir(), 'drainctl-fleet-'));
  const slb = slbCaller(new OpenApiClientClass(sdkConfig(emu)), emu.region);
  const create = async (name: string, tier: string) =>
    String(
      (
        await slb('CreateLoadBalancer', {
          LoadBalancerName: name,
          Tags: JSON.stringify([{ TagKey: 'tier', TagValue: tier }]),
        })
      ).LoadBalancerId,
    );
  lb.edge = await create('edge', 'edge');
  lb.core = await create('core', 'core');
  lb.standby = await create('standby', 'standby');
  await slb('AddBackendServers', {
    LoadBalancerId: lb.edge,
    BackendServers: JSON.stringify([
      { ServerId: 'i-emu-web-1', Weight: 80 },
      { ServerId: 'i-emu-web-2', Weight: 100 },
    ]),
  });
  await slb('AddBackendServers', {
    LoadBalancerId: lb.core,
    BackendServers: JSON.stringify([{ ServerId: 'i-emu-web-1', Weight: 50 }]),
  });
  group = String(
    (
      await slb('CreateVServerGroup', {
        LoadBalancerId: lb.core,
        VServerGroupName: 'api',
        BackendServers: JSON.stringify([
          { ServerId: 'i-emu-web-1', Port: 8080, Weight: 30 },
          { ServerId: 'i-emu-web-1', Port: 8081, Weight: 20 },
          { ServerId: 'i-emu-web-3', Port: 8080, Weight: 100 },
        ]),
      })
    ).VServerGroupId,
  );
  await slb('CreateMasterSlaveServerGroup', {
    LoadBalancerId: lb.standby,
    MasterSlaveServerGroupName: 'pair',
    MasterSlaveBackendServers: JSON.stringify([
      { ServerId: 'i-emu-web-4', Port: 8080, ServerType: 'Master' },
      { ServerId: 'i-emu-web-3', Port: 8080, ServerType: 'Slave' },
    ]),
  });
}, 60_000);
afterAll(async () => {
  await emu?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function fleetWorkflow(name: string, backends: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}\nbackends:\n${backends}\ndrain:\n  probe:\n    kind: none\n    waitSeconds: 5\nhealth:\n  checks: [{ type: tcp, port: 8080 }]\n`,
  );
  return file;
}

async function survey(file: string): Promise<FleetSurvey> {
  const run = await runCliInProcess(['plan', file, '--json'], emulatorEnv(emu));
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as FleetSurvey;
}

describe('drainctl plan of a fleet workflow', () => {
  it('lists each server with every attachment in the region and its weight, and changes nothing', async () => {
    const before = await emulatorState(emu);
    const file = fleetWorkflow('night', '  instances: [i-emu-web-1, i-emu-web-2]');
    const result = await survey(file);
    const [web1, web2] = result.servers;
    expect(web1?.id).toBe('i-emu-web-1');
    expect(web1?.attachments).toEqual(
      expect.arrayContaining([
        { kind: 'default', loadBalancerId: lb.edge, weight: 80 },
        { kind: 'default', loadBalancerId: lb.core, weight: 50 },
        {
          kind: 'vserver-group',
          loadBalancerId: lb.core,
          vServerGroupId: group,
          name: 'api',
          port: 8080,
          weight: 30,
        },
        {
          kind: 'vserver-group',
          loadBalancerId: lb.core,
          vServerGroupId: group,
          name: 'api',
          port: 8081,
          weight: 20,
        },
      ]),
    );
    expect(web1?.attachments).toHaveLength(4);
    expect(web2?.attachments).toEqual([{ kind: 'default', loadBalancerId: lb.edge, weight: 100 }]);
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await survey(file)).sha256).toBe(result.sha256);

    const text = await runCliInProcess(['plan', file], emulatorEnv(emu));
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('i-emu-web-1 (web-1): 4 attachment(s)');
    expect(text.stdout).toContain(
      `core (${lb.core}), vServer group api (${group}) port 8081: weight 20`,
    );
    expect(text.stdout).toContain(`edge (${lb.edge}), default server group: weight 80`);
    expect(await emulatorState(emu)).toEqual(before);
  }, 60_000);

  it('selects every ECS backend of the balancers carrying the tags', async () => {
    const result = await survey(fleetWorkflow('edge', '  balancers: { tags: { tier: edge } }'));
    expect(result.servers.map((server) => server.id)).toEqual(['i-emu-web-1', 'i-emu-web-2']);
    expect(result.balancers.map((balancer) => balancer.id).sort()).toEqual(
      [lb.edge, lb.core].sort(),
    );
  }, 60_000);

  it('refuses a server in a master-slave group, naming the group (exit 3)', async () => {
    const file = fleetWorkflow('pair', '  instances: [i-emu-web-3]');
    const run = await runCliInProcess(['plan', file], emulatorEnv(emu));
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`i-emu-web-3 (web-3) in master-slave group pair (`);
    expect(run.stderr).toContain(`of ${lb.standby}, as slave`);
  }, 60_000);

  it('prints the runbook of the plan run executes after the survey, and its sha256 in --json', async () => {
    const file = fleetWorkflow('runbook', '  instances: [i-emu-web-1]');
    const text = await runCliInProcess(['plan', file], emulatorEnv(emu));
    expect(text.code, text.stderr).toBe(0);
    const { plan } = JSON.parse(
      (await runCliInProcess(['plan', file, '--json'], emulatorEnv(emu))).stdout,
    ) as { plan: { sha256: string } };
    expect(text.stdout).toContain(`Plan sha256:    ${plan.sha256}`);
    expect(text.stdout).toMatch(
      /Set i-emu-web-1 \(web-1\) to weight 0 on all 4 attachment\(s\) at once/,
    );
  }, 60_000);

  it('refuses a fleet workflow without its own health checks (exit 3)', async () => {
    const file = join(dir, 'unchecked.yaml');
    writeFileSync(
      file,
      'name: unchecked\nbackends:\n  instances: [i-emu-web-2]\ndrain:\n  probe:\n    kind: none\n    waitSeconds: 5\n',
    );
    const run = await runCliInProcess(['run', file, '--yes'], emulatorEnv(emu));
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("health.checks: expected health checks of a fleet workflow's own");
  }, 60_000);

  it('surveys a generated fleet: every server of the tagged balancers with all its attachments', async () => {
    const fleet = await startEmulator({
      port: 0,
      topology: { fleet: { balancers: 6, instances: 20, seed: 11 } },
    });
    try {
      const file = fleetWorkflow('generated', '  balancers: { tags: { fleet: generated } }');
      const run = await runCliInProcess(['plan', file, '--json'], emulatorEnv(fleet));
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as FleetSurvey;
      expect(result.servers).toHaveLength(20);
      expect(result.balancers).toHaveLength(6);
      const expected = fleet.topology.balancers.flatMap((lb) => [
        ...lb.backends.map((b) => `${b.serverId} ${lb.id} default ${b.weight}`),
        ...lb.vServerGroups.flatMap((g) =>
          g.servers.map((m) => `${m.serverId} ${lb.id} ${g.id}:${m.port} ${m.weight}`),
        ),
      ]);
      const surveyed = result.servers.flatMap((server) =>
        server.attachments.map((a) =>
          a.kind === 'vserver-group'
            ? `${server.id} ${a.loadBalancerId} ${a.vServerGroupId}:${a.port} ${a.weight}`
            : `${server.id} ${a.loadBalancerId} default ${a.weight}`,
        ),
      );
      expect(surveyed.sort()).toEqual(expected.sort());
    } finally {
      await fleet.close();
    }
  }, 60_000);
});
