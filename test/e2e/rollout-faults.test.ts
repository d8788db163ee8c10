/**
 * The failures a patch night actually meets, run end to end under client load: a server that
 * does not come back from its reboot, and a patched app that answers 5xx. Each time the run
 * must halt in a safe state, name the node, touch nothing after it, and cost the clients nothing
 * (beyond the few requests the first ramp step is allowed to risk).
 */
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type FleetUnderLoad, startFleetUnderLoad, truth } from './fleet-under-load.js';

const OLD_KERNEL = '3.10.0-1160.el7.x86_64';
const NEW_KERNEL = '3.10.0-1160.119.1.el7.x86_64';

const WHOLE_RUN_MS = 150_000;

let fleet: FleetUnderLoad | undefined;

/** 5xx lines per instance, read from each server's nginx combined access log. */
async function serverErrorsByInstance(under: FleetUnderLoad): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const instance of under.emu.state().instances) {
    const text = await readFile(instance.accessLog, 'utf8').catch(() => '');
    counts.set(instance.id, text.split('\n').filter((line) => /" 5\d\d /.test(line)).length);
  }
  return counts;
}
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

describe('rollout faults under load (drainctl run, real process, emulator)', () => {
  it('instance 3 of 4 fails to boot: halts with exit 2, web-3 left out at weight 0 by name as unreachable, web-4 untouched, no failed request', {
    timeout: WHOLE_RUN_MS,
  }, async () => {
    fleet = await startFleetUnderLoad();
    fleet.emu.injectFault({ kind: 'boot-failure', instanceId: 'i-emu-web-3' });
    const { cli, load, report } = await fleet.run();

    expect(cli.code, cli.stderr.slice(-2000)).toBe(2);
    expect(report.outcome).toBe('halted');
    expect(report.report.leftOut.map((n) => n.id)).toEqual(['i-emu-web-3']);
    expect(report.report.leftOut[0]?.name).toBe('web-3');
    // The hypervisor says Running, but nothing reaches the machine: unreachable, not unhealthy.
    expect(report.report.leftOut[0]?.reason).toBe('unreachable');
    const world = truth(fleet.emu);
    expect(world.get('i-emu-web-3')?.weight).toBe(0);
    expect(world.get('i-emu-web-4')).toEqual({ weight: 100, kernel: OLD_KERNEL });
    for (const id of ['i-emu-web-1', 'i-emu-web-2']) {
      expect(world.get(id)).toEqual({ weight: 100, kernel: NEW_KERNEL });
    }
    expect(load.total).toBeGreaterThan(1000);
    expect(load.failures).toEqual([]);
    expect(load.failed).toBe(0);
  });

  it('the patched app answers 5xx: the ramp stops, the node goes back to weight 0, the run halts, only ramp-budget requests fail', {
    timeout: WHOLE_RUN_MS,
  }, async () => {
    fleet = await startFleetUnderLoad();
    fleet.emu.injectFault({ kind: 'app-5xx-after-reboot', instanceId: 'i-emu-web-2', rate: 0.5 });
    const { cli, load, report } = await fleet.run();

    expect(cli.code, cli.stderr.slice(-2000)).toBe(2);
    expect(report.outcome).toBe('halted');
    expect(report.report.leftOut.map((n) => n.name)).toEqual(['web-2']);
    expect(`${report.report.leftOut[0]?.reason} ${report.report.leftOut[0]?.detail}`).toMatch(
      /5xx/i,
    );
    const world = truth(fleet.emu);
    expect(world.get('i-emu-web-2')?.weight).toBe(0);
    expect(world.get('i-emu-web-1')).toEqual({ weight: 100, kernel: NEW_KERNEL });
    for (const id of ['i-emu-web-3', 'i-emu-web-4']) {
      expect(world.get(id)).toEqual({ weight: 100, kernel: OLD_KERNEL });
    }
    // Every failed request is a 5xx answered by web-2 while it held its first ramp step (10 %
    // of its weight for 2 s at 200 req/s across ~3.1 servers' worth of weight): a few dozen at
    // most — no reset, no refused connection, nothing from any other server.
    expect(load.failed).toBeGreaterThan(0);
    expect(load.failed).toBeLessThanOrEqual(40);
    for (const failure of load.failures) expect(failure.reason).toMatch(/^HTTP 5\d\d$/);
    // The servers' own access logs say who answered them: web-2, and nobody else.
    const fivexx = await serverErrorsByInstance(fleet);
    expect(fivexx.get('i-emu-web-2')).toBe(load.failed);
    for (const id of ['i-emu-web-1', 'i-emu-web-3', 'i-emu-web-4']) expect(fivexx.get(id)).toBe(0);
  });
});
