/**
 * `drainctl inspect` run as a user runs it (the real binary), against in-process emulators over
 * HTTP: passing and failing checklists on the example workflows, an edition that cannot lower
 * the TTL, bad and missing credentials, an invalid workflow.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CheckLine } from '#src/app/inspect-checklist.js';
import { runDrainctl } from '#support/cli-runner.js';
import { tcpListener } from '#support/contracts/load-balancer.contract.js';
import { type AliyunTestEnv, startAliyunEnv } from '#support/emulator-adapters.js';

let env: AliyunTestEnv;
let freeEdition: AliyunTestEnv;
const scratch = mkdtempSync(join(tmpdir(), 'drainctl-inspect-'));
const workflow = (name: string) => join(process.cwd(), 'workflows', name);

beforeAll(async () => {
  env = await startAliyunEnv();
  freeEdition = await startAliyunEnv({
    topology: {
      instances: [
        { id: 'i-free-1', tags: { app: 'web' } },
        { id: 'i-free-2', tags: { app: 'web' } },
      ],
      domains: [
        {
          name: 'example.com',
          edition: 'free',
          records: [{ rr: 'www', type: 'A', instance: 'i-free-1', ttl: 600 }],
        },
      ],
    },
  });
});
afterAll(async () => {
  await env?.emu.close();
  await freeEdition?.emu.close();
  rmSync(scratch, { recursive: true, force: true });
});

function inspect(args: string[], extraEnv: Record<string, string> = {}, target = env) {
  return runDrainctl(['inspect', ...args], {
    cwd: scratch,
    env: {
      DRAINCTL_CLOUD_ENDPOINT: target.emu.endpoint,
      ALIBABA_CLOUD_ACCESS_KEY_ID: target.emu.credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: target.emu.credentials.accessKeySecret,
      ALIBABA_CLOUD_REGION_ID: target.emu.region,
      DRAINCTL_HOME: join(scratch, '.drainctl'),
      ...extraEnv,
    },
    timeoutMs: 60_000,
  });
}

function checklistOf(stdout: string): Record<string, CheckLine> {
  const report = JSON.parse(stdout) as { checklist: CheckLine[] };
  return Object.fromEntries(report.checklist.map((line) => [line.id, line]));
}

/** A balancer as someone built it by hand: the listener, and only some of the web servers. */
async function handBuiltBalancer(serverIds: string[]): Promise<string> {
  const { loadBalancer } = env.ports;
  const lb = await loadBalancer.create({
    name: `by-hand-${serverIds.length}`,
    addressType: 'intranet',
    tags: {},
    clientToken: `by-hand-${serverIds.length}`,
  });
  await loadBalancer.ensureListener(lb.id, tcpListener(8080, 8080));
  await loadBalancer.addBackends(
    lb.id,
    serverIds.map((serverId) => ({ serverId, weight: 100 })),
  );
  await loadBalancer.startListener(lb.id, 8080, 'tcp');
  // The balancer's health checks need a few rounds before backends count as normal.
  await vi.waitFor(
    async () => {
      const health = await loadBalancer.healthStatus(lb.id, 8080);
      expect(health.map((h) => h.health)).toEqual(serverIds.map(() => 'normal'));
    },
    { timeout: 15_000, interval: 50 },
  );
  return lb.id;
}

describe('drainctl inspect', () => {
  it('kernel-patch.yaml before the migration: shows what it sees, every check passes', async () => {
    const result = await inspect([workflow('kernel-patch.yaml')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('web-slb: will be created');
    expect(result.stdout).toMatch(/i-emu-web-1 web-1 Running 127\.\d+\.\d+\.11/);
    expect(result.stdout).toMatch(/www\.example\.com A 127\.\d+\.\d+\.11 TTL 10/);
    expect(result.stdout).toMatch(/PASS {2}the TTL can be lowered on this edition/);
    expect(result.stdout).toMatch(/^All checks pass/m);
    expect(result.stdout).not.toContain('FAIL');
    // Its patch.neededWhen checks let a re-run leave patched servers alone: nothing to warn of.
    expect(result.stdout).not.toContain('A re-run would');
  });

  it('rolling-patch-existing-slb.yaml on a balancer missing half the tier: exit 2, failing lines say why', async () => {
    const id = await handBuiltBalancer(['i-emu-web-1', 'i-emu-web-2']);
    const result = await inspect([workflow('rolling-patch-existing-slb.yaml'), '--json'], {
      LOAD_BALANCER_ID: id,
    });
    expect(result.code).toBe(2);
    const lines = checklistOf(result.stdout);
    expect(lines.balancer?.status).toBe('pass');
    expect(lines['backends-exist']).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/selects 4/),
    });
    expect(lines['backends-attached']).toMatchObject({
      status: 'fail',
      detail: `not attached to ${id}: i-emu-web-3, i-emu-web-4`,
    });
    expect(lines.health?.status).toBe('pass');
    expect(lines.budget).toMatchObject({
      status: 'fail',
      detail: '2 healthy serving, minHealthy 2: no server can leave without breaking it',
    });
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      inventory: { loadBalancer: { id: string } };
    };
    expect(report.ok).toBe(false);
    expect(report.inventory.loadBalancer.id).toBe(id);
  });

  it('rolling-patch-existing-slb.yaml on the whole tier: every check passes', async () => {
    const id = await handBuiltBalancer([
      'i-emu-web-1',
      'i-emu-web-2',
      'i-emu-web-3',
      'i-emu-web-4',
    ]);
    const result = await inspect([workflow('rolling-patch-existing-slb.yaml')], {
      LOAD_BALANCER_ID: id,
    });
    expect(result.stdout).not.toContain('FAIL');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/listener tcp:8080 → :8080 running/);
    expect(result.stdout).toMatch(/backend i-emu-web-3 weight 100, normal on :8080/);
    expect(result.stdout).toMatch(/up to 2 out at once/);
  });

  it('an edition whose minimum TTL is above dns.ttl.lowerTo fails that line', async () => {
    const file = join(scratch, 'free-edition.yaml');
    writeFileSync(
      file,
      [
        'name: free-edition',
        'loadBalancer:',
        '  create: { name: free-slb }',
        '  listeners: [{ protocol: tcp, port: 8080, backendPort: 8080 }]',
        'backends:',
        '  instances: [i-free-1, i-free-2]',
        'dns: { domain: example.com, record: www, ttl: { lowerTo: 60 } }',
        'drain:',
        '  probe: { kind: access-log, source: local, path: "/var/log/{instanceId}.log" }',
        '',
      ].join('\n'),
    );
    const result = await inspect([file, '--json'], {}, freeEdition);
    expect(result.code).toBe(2);
    expect(checklistOf(result.stdout)['dns-ttl']).toMatchObject({
      status: 'fail',
      detail: "dns.ttl.lowerTo is 60 but this edition's minimum TTL is 600",
    });
  });

  it('a workflow that cannot tell a patched server says what a re-run would do (the check still passes)', async () => {
    // kernel-patch.yaml without its patch.neededWhen checks: `expect: changed` alone.
    const text = readFileSync(workflow('kernel-patch.yaml'), 'utf8').replace(
      /^ {2}neededWhen:\n(?: {4}.*\n)+/m,
      '',
    );
    expect(text).not.toContain('neededWhen:');
    const file = join(scratch, 'changed-only.yaml');
    writeFileSync(file, text);
    const result = await inspect([file, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const plan = checklistOf(result.stdout).plan;
    expect(plan?.status).toBe('pass');
    expect(plan?.detail).toContain(
      'drainctl plan would print a runbook; A re-run would drain and reboot servers already patched',
    );
  });

  it('bad credentials: one clear line naming what to check, no stack trace, no secret', async () => {
    const secret = 'definitely-the-wrong-secret';
    const result = await inspect([workflow('kernel-patch.yaml')], {
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret,
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(
      /FAIL {2}credentials and region work: CLOUD_CREDENTIALS_REJECTED: aliyun \w+ \w+ failed: SignatureDoesNotMatch HTTP 400: .* \(hint: .*ALIBABA_CLOUD_ACCESS_KEY_SECRET/,
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain(secret);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('no credentials at all: names the variables, the profile and the RAM role', async () => {
    const result = await inspect([workflow('kernel-patch.yaml')], {
      ALIBABA_CLOUD_ACCESS_KEY_ID: '',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: '',
      HOME: scratch,
      ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true',
      ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(
      /FAIL {2}credentials and region work: CLOUD_CREDENTIALS_MISSING: no Alibaba Cloud credentials found \(hint: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or a profile/,
    );
  });

  it('an invalid workflow is exit 3 and names the file and the path', async () => {
    const file = join(scratch, 'broken.yaml');
    writeFileSync(
      file,
      'name: broken\nloadBalancer: { id: lb-1 }\nbackends: { tags: {} }\nrollout: { maxUnavailabel: 1 }\n',
    );
    const result = await inspect([file]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('broken.yaml');
    expect(result.stderr).toMatch(/rollout/);
  });
});
