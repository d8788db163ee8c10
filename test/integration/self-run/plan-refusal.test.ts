/**
 * A workflow with a load balancer you run yourself validates, but this version cannot plan or
 * run it: `drainctl plan` says so with exit 3 before it observes anything. The endpoint is a
 * closed loopback port, so an attempt to reach the cloud would fail differently.
 */
import { describe, expect, it } from 'vitest';
import { runDrainctl } from '#support/cli-runner.js';
import { freePort } from '#support/self-run-balancers.js';

describe('plan and inspect with loadBalancer.kind nginx or haproxy', () => {
  it.each([
    ['plan', 'nginx-upstream'],
    ['plan', 'haproxy'],
    ['inspect', 'haproxy'],
  ])('%s refuses workflows/%s.yaml before observing anything', async (command, name) => {
    const closed = await freePort();
    const run = await runDrainctl([command, `workflows/${name}.yaml`], {
      env: {
        DRAINCTL_CLOUD_ENDPOINT: `http://127.0.0.1:${closed}`,
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'test',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'test',
      },
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      `INVALID_INPUT: workflows/${name}.yaml: loadBalancer.kind: expected kind: slb (this version plans and runs an SLB only), found ${name === 'haproxy' ? 'haproxy' : 'nginx'}: this drainctl validates the workflow but cannot plan or run it yet`,
    );
  });
});
