/**
 * The "real" account a `rehearse` test reads: an emulator with a balancer set up by hand (three
 * servers, an HTTP health check on a TCP listener), reached through a request recorder so every
 * call to it is counted, and a night's workflow in a temp dir. Each rehearse test file starts its
 * own, so the files run side by side (a rehearsal mostly waits on its compressed clock).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type Emulator, startEmulator } from '#mocks/index.js';
import { createCloudPorts } from '#src/adapters/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import type { RehearsalReport } from '#src/app/rehearsal-report.js';
import { rehearseWorkflowFile } from '#src/app/rehearse.js';
import { createLogger } from '#src/log/index.js';
import { setUpBalancerByHand } from './balancer-by-hand.js';
import { FAST } from './emulator-timings.js';
import { type RequestRecorder, startRequestRecorder } from './request-recorder.js';

export const REHEARSED_NODES = ['i-emu-web-1', 'i-emu-web-2', 'i-emu-web-3'];

const WORKFLOW = `name: rehearsed-night
region: cn-hangzhou
loadBalancer:
  id: \${LOAD_BALANCER_ID}
backends:
  instances: [${REHEARSED_NODES.join(', ')}]
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

export interface RehearsalAccount {
  real(): Emulator;
  recorder(): RequestRecorder;
  loadBalancerId(): string;
  rehearse(
    faults?: string[],
    options?: { loadRps?: number; compression?: number },
  ): Promise<RehearsalReport>;
}

/** Registers the file's beforeAll/afterAll; call at the top of a test file. */
export function rehearsalAccount(): RehearsalAccount {
  let real: Emulator | undefined;
  let recorder: RequestRecorder | undefined;
  let dir: string | undefined;
  let loadBalancerId: string | undefined;

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
      backends: REHEARSED_NODES.map((serverId, i) => ({ serverId, weight: i === 2 ? 80 : 100 })),
    }));
    recorder = await startRequestRecorder(real.endpoint);
    dir = await mkdtemp(join(tmpdir(), 'drainctl-rehearse-'));
    await writeFile(join(dir, 'night.yaml'), WORKFLOW);
  });

  afterAll(async () => {
    await recorder?.close();
    await real?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the rehearsal account is not set up yet');
    return value;
  };

  return {
    real: () => started(real),
    recorder: () => started(recorder),
    loadBalancerId: () => started(loadBalancerId),
    async rehearse(faults = [], { loadRps = 60, compression = 10 } = {}) {
      const emu = started(real);
      const rec = started(recorder);
      const cwd = started(dir);
      return rehearseWorkflowFile(join(cwd, 'night.yaml'), {
        env: { LOAD_BALANCER_ID: started(loadBalancerId) },
        cwd,
        environment: {
          regionId: emu.region,
          cloudEndpoint: new URL(rec.endpoint),
          home: join(cwd, 'home'),
          logLevel: undefined,
        },
        logger: createLogger({ level: 'silent' }),
        faults,
        loadRps,
        compression,
        // The "real" account, read through the recorder so every call to it is counted.
        ports: createCloudPorts({
          region: emu.region,
          endpoint: rec.endpoint,
          credentials: emu.credentials,
          clock: systemClock,
          logger: createLogger({ level: 'silent' }),
        }),
      });
    },
  };
}
