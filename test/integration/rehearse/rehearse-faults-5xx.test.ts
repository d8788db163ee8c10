/**
 * `rehearse` with a server answering 5xx after its reboot: the ramp sees it and pulls the server
 * back, and the report says plainly that clients saw failures.
 */
import { describe, expect, it } from 'vitest';
import { rehearsalAccount } from '#support/rehearsal-account.js';

const account = rehearsalAccount();

describe('drainctl rehearse, a server answering 5xx', () => {
  it('app-5xx-after-reboot: the ramp sees the 5xx, pulls the server back, clients saw failures', async () => {
    // Less compressed, more clients: the ramp's hold must see enough of web-1's requests.
    const report = await account.rehearse(['app-5xx-after-reboot:web-1:0.5'], {
      loadRps: 200,
      compression: 2,
    });
    expect(report.run.nodes[0]?.state).not.toBe('done');
    expect(report.run.outcome).not.toBe('completed');
    expect(report.load.failed).toBeGreaterThan(0);
    expect(report.promises.find((p) => p.promise === 'no client request failed')?.held).toBe(false);
    expect(report.everyPromiseHeld).toBe(false);
  }, 120_000);
});
