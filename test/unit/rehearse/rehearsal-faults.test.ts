import { describe, expect, it } from 'vitest';
import { emulatorFault, parseFaultSpec } from '#src/app/rehearsal-faults.js';
import { InvalidInputError } from '#src/errors/index.js';
import type { InstanceInfo } from '#src/ports/index.js';

const instances: InstanceInfo[] = [
  { id: 'i-web-7', name: 'web-7', status: 'Running', tags: {} },
  { id: 'i-web-8', name: 'web-8', status: 'Running', tags: {} },
];

const fault = (spec: string) => emulatorFault(parseFaultSpec(spec), instances);

describe('rehearsal --fault specs', () => {
  it("become the emulator's faults, a server named by id or name", () => {
    expect(fault('boot-failure:web-7')).toEqual({ kind: 'boot-failure', instanceId: 'i-web-7' });
    expect(fault('unhealthy-after-reboot:i-web-8')).toEqual({
      kind: 'unhealthy-after-reboot',
      instanceId: 'i-web-8',
      seconds: 86_400,
    });
    expect(fault('unhealthy-after-reboot:web-8:30')).toMatchObject({ seconds: 30 });
    expect(fault('app-5xx-after-reboot:web-7')).toEqual({
      kind: 'app-5xx-after-reboot',
      instanceId: 'i-web-7',
      rate: 0.5,
    });
    expect(fault('app-5xx-after-reboot:web-7:1')).toMatchObject({ rate: 1 });
    expect(fault('throttle:SetBackendServers')).toEqual({
      kind: 'api-error',
      action: 'SetBackendServers',
      code: 'Throttling.User',
      count: 3,
    });
    expect(fault('latency:DescribeHealthStatus:500')).toEqual({
      kind: 'latency',
      action: 'DescribeHealthStatus',
      ms: 500,
    });
  });

  it.each([
    'reboot-storm:web-7',
    'boot-failure',
    'boot-failure:web-7:3',
    'latency:SetBackendServers',
    'latency:SetBackendServers:fast',
    'app-5xx-after-reboot:web-7:2',
    'throttle:SetBackendServers:0',
  ])('refuses %s as invalid input naming --fault', (spec) => {
    const error = (() => {
      try {
        parseFaultSpec(spec);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).message).toMatch(new RegExp(`^--fault ${spec}: expected`));
  });

  it('refuses a server the rehearsed world does not have', () => {
    expect(() => fault('boot-failure:web-9')).toThrow(
      '--fault boot-failure:web-9: no server web-9 in the rehearsed world (web-7, web-8)',
    );
  });
});
