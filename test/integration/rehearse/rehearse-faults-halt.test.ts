/**
 * `rehearse` with the faults that leave a server out: the night halts with that server out and
 * the rest untouched, and the report says what each fault did.
 */
import { describe, expect, it } from 'vitest';
import { REHEARSED_NODES, rehearsalAccount } from '#support/rehearsal-account.js';

const account = rehearsalAccount();

describe('drainctl rehearse, faults that halt the night', () => {
  it('boot-failure: the server is left out, the night halts, the rest untouched', async () => {
    const report = await account.rehearse(['boot-failure:web-2']);
    const [web1, web2, web3] = report.run.nodes;
    expect(report.run.outcome).not.toBe('completed');
    expect(web1?.state).toBe('done');
    expect(web2?.state).not.toBe('done');
    expect(web3?.state).toBe('pending');
    expect(report.faults[0]?.effect).toMatch(/^web-2 .*, night .*, web-3 untouched$/);
    expect(report.faults[0]?.injected).toEqual({
      kind: 'boot-failure',
      instanceId: REHEARSED_NODES[1],
    });
  }, 120_000);

  it('unhealthy-after-reboot: the server is left out unhealthy, the night halts', async () => {
    const report = await account.rehearse(['unhealthy-after-reboot:i-emu-web-1']);
    expect(report.run.nodes[0]?.state).not.toBe('done');
    expect(report.run.nodes.slice(1).map((node) => node.state)).toEqual(['pending', 'pending']);
    expect(report.faults[0]?.effect).toMatch(/^web-1 .*web-2, web-3 untouched$/);
  }, 120_000);
});
