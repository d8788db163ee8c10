/**
 * A workflow with a load balancer you run yourself validates, but this version cannot plan or
 * run it: `drainctl plan` says so with exit 3 before it observes anything. The endpoint is a
 * closed loopback port, so an attempt to reach the cloud would fail differently.
 */
import { describe, expect, it } from 'vitest';
import { runDrainctl } from '#support/cli-runner.js';
import { freePort } from '#support/self-run-balancers.js';

describe('plan with loadBalancer.kind nginx or haproxy', () => {
  it.each(['nginx-upstream', 'haproxy'])(
    'refuses workflows/%s.yaml before observing anything',
    async (name) => {
      const closed = await freePort();
      const run = await runDrainctl(['plan', `workflows/${name}.yaml`], {
        env: {
          DRAINCTL_CLOUD_ENDPOINT: `http://127.0.0.1:${closed}`,
          ALIBABA_CLOUD_ACCESS_KEY_ID: 'test',
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'test',
        },
      });
      expect(run.code).toBe(3);
      expect(run.stderr).toContain(
        `LOAD_BALANCER_KIND_NOT_RUNNABLE: workflows/${name}.yaml: loadBalancer.kind ${name === 'haproxy' ? 'haproxy' : 'nginx'}: this drainctl validates the workflow but cannot plan or run it yet`,
      );
    },
  );
});
