/**
 * `rehearse` against an emulator that plays the real account: it mirrors it into a second
 * emulator, plans the same (same sha256), runs there under load with each fault kind, and the
 * "real" emulator's state is what it was, with not one mutating call reaching it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '#mocks/index.js';
import { createCloudPorts } from '#src/adapters/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import type { RehearsalReport } from '#src/app/rehearsal-report.js';
import { rehearseWorkflowFile } from '#src/app/rehearse.js';
import { createLogger } from '#src/log/index.js';
import { setUpBalancerByHand } from '#support/balancer-by-hand.js';
import { FAST } from '#support/emulator-timings.js';
import { type RequestRecorder, startRequestRecorder } from '#support/request-recorder.js';

const NODES = ['i-emu-web-1', 'i-emu-web-2', 'i-emu-web-3'];

const WORKFLOW = `name: rehearsed-night
region: cn-hangzhou
loadBalancer:
  id: \${LOAD_BALANCER_ID}
backends:
  instances: [${NODES.join(', ')}]
rollout:
  maxUnavailable: 1
  minHealthy: 1
  stopOnFailure: true
drain:
  probe:
    kind: access-log
    source: local
    path: /var/log/nginx/{instanceId}/access.log
    format: combined
  quietSeconds: 5
  timeoutSeconds: 120
  onTimeout: halt
patch:
  commands: ['yum update kernel -y']
  reboot: true
  rebootTimeoutSeconds: 120
  verify: { command: uname -r, expect: changed }
health:
  consecutiveSuccesses: 2
  intervalSeconds: 1
  timeoutSeconds: 60
restore:
  rampPercent: [50, 100]
  holdSeconds: 10
  max5xxRate: 0.05
  minRequests: 10
`;

let real: Emulator;
let recorder: RequestRecorder;
let dir: string;
let workflow: string;
let loadBalancerId: string;

beforeAll(async () => {
  real = await startEmulator({ port: 0, timings: FAST });
  ({ id: loadBalancerId } = await setUpBalancerByHand(real, {
    clientToken: 'rehearse-test',
    healthCheck: {
      enabled: true,
      // An HTTP check on the TCP listener: it sees an app answering 503, which a TCP check does not.
      type: 'http',
      uri: '/healthz',
      healthyThreshold: 2,
      unhealthyThreshold: 2,
      intervalSeconds: 2,
      timeoutSeconds: 2,
    },
    backends: NODES.map((serverId, i) => ({ serverId, weight: i === 2 ? 80 : 100 })),
  }));
  recorder = await startRequestRecorder(real.endpoint);
  dir = await mkdtemp(join(tmpdir(), 'drainctl-rehearse-'));
  workflow = join(dir, 'night.yaml');
  await writeFile(workflow, WORKFLOW);
});

afterAll(async () => {
  await recorder?.close();
  await real?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The "real" account, read through the recorder so every call to it is counted. */
function realPorts() {
  return createCloudPorts({
    region: real.region,
    endpoint: recorder.endpoint,
    credentials: real.credentials,
    clock: systemClock,
    logger: createLogger({ level: 'silent' }),
  });
}

async function rehearse(
  faults: string[] = [],
  { loadRps = 60, compression = 10 } = {},
): Promise<RehearsalReport> {
  return rehearseWorkflowFile(workflow, {
    env: { LOAD_BALANCER_ID: loadBalancerId },
    cwd: dir,
    environment: {
      regionId: real.region,
      cloudEndpoint: new URL(recorder.endpoint),
      home: join(dir, 'home'),
      logLevel: undefined,
    },
    logger: createLogger({ level: 'silent' }),
    faults,
    loadRps,
    compression,
    ports: realPorts(),
  });
}

/** What may change on its own in a world nobody touches: health verdicts being re-checked. */
function stable(state: ReturnType<Emulator['state']>) {
  return {
    ...state,
    loadBalancers: state.loadBalancers.map((lb) => ({
      ...lb,
      backends: lb.backends.map(({ health: _health, ...backend }) => backend),
    })),
  };
}

describe('drainctl rehearse', () => {
  it('mirrors the account, plans the same sha256, holds every promise, and only reads the account', async () => {
    const before = stable(real.state());
    // 4×: the 5 s quiet period stays over a second of real time, so a pause of the clients on a
    // loaded machine is not taken for their departure.
    const report = await rehearse([], { compression: 4 });

    expect(report.differences).toEqual({ count: 0, named: [] });
    expect(report.samePlan).toBe(true);
    expect(report.mirrorPlanSha256).toBe(report.planSha256);
    expect(report.mirror).toMatchObject({ instances: 3, loadBalancerId, listeners: 1 });
    expect(report.run.outcome).toBe('completed');
    expect(report.run.nodes.map((node) => node.state)).toEqual(['done', 'done', 'done']);
    expect(report.load.total).toBeGreaterThan(0);
    expect(report.everyPromiseHeld, JSON.stringify([report.promises, report.load])).toBe(true);
    expect(report.timeCompression.factor).toBe(4);
    expect(report.timeCompression.compressedSeconds).toBeGreaterThan(
      report.timeCompression.realSeconds * 2,
    );

    expect(stable(real.state())).toEqual(before);
    const actions = [...new Set(recorder.calls.map((call) => call.action))];
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((action) => !action.startsWith('Describe'))).toEqual([]);
  }, 120_000);

  it('boot-failure: the server is left out, the night halts, the rest untouched', async () => {
    const report = await rehearse(['boot-failure:web-2']);
    const [web1, web2, web3] = report.run.nodes;
    expect(report.run.outcome).not.toBe('completed');
    expect(web1?.state).toBe('done');
    expect(web2?.state).not.toBe('done');
    expect(web3?.state).toBe('pending');
    expect(report.faults[0]?.effect).toMatch(/^web-2 .*, night .*, web-3 untouched$/);
    expect(report.faults[0]?.injected).toEqual({ kind: 'boot-failure', instanceId: NODES[1] });
  }, 120_000);

  it('unhealthy-after-reboot: the server is left out unhealthy, the night halts', async () => {
    const report = await rehearse(['unhealthy-after-reboot:i-emu-web-1']);
    expect(report.run.nodes[0]?.state).not.toBe('done');
    expect(report.run.nodes.slice(1).map((node) => node.state)).toEqual(['pending', 'pending']);
    expect(report.faults[0]?.effect).toMatch(/^web-1 .*web-2, web-3 untouched$/);
  }, 120_000);

  it('app-5xx-after-reboot: the ramp sees the 5xx, pulls the server back, clients saw failures', async () => {
    // Less compressed, more clients: the ramp's hold must see enough of web-1's requests.
    const report = await rehearse(['app-5xx-after-reboot:web-1:0.5'], {
      loadRps: 200,
      compression: 2,
    });
    expect(report.run.nodes[0]?.state).not.toBe('done');
    expect(report.run.outcome).not.toBe('completed');
    expect(report.load.failed).toBeGreaterThan(0);
    expect(report.promises.find((p) => p.promise === 'no client request failed')?.held).toBe(false);
    expect(report.everyPromiseHeld).toBe(false);
  }, 120_000);

  it('throttle and latency: the run retries through them and completes', async () => {
    const report = await rehearse([
      'throttle:SetBackendServers:2',
      'latency:DescribeHealthStatus:50',
    ]);
    expect(report.run.outcome).toBe('completed');
    expect(report.faults.map((fault) => fault.effect)).toEqual([
      expect.stringMatching(
        /^SetBackendServers answered Throttling.User 2 times of \d+ calls, night completed$/,
      ),
      expect.stringMatching(/^\d+ DescribeHealthStatus calls each waited 50 ms, night completed$/),
    ]);
  }, 120_000);
});
