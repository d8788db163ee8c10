/**
 * The `--fault` specs of a rehearsal and the emulator faults they become. A server is named by
 * instance id or by name; what the fault does is the emulator's (docs/emulator.md, Faults).
 */
import { InvalidInputError } from '../errors/index.js';
import type { InstanceInfo } from '../ports/index.js';

export type RehearsalFaultSpec =
  | { spec: string; kind: 'boot-failure'; server: string }
  | { spec: string; kind: 'unhealthy-after-reboot'; server: string; seconds: number }
  | { spec: string; kind: 'app-5xx-after-reboot'; server: string; rate: number }
  | { spec: string; kind: 'throttle'; action: string; count: number }
  | { spec: string; kind: 'latency'; action: string; ms: number };

/** Long enough to outlast any health timeout: the server does not come back healthy. */
const UNHEALTHY_SECONDS = 86_400;
const FIVE_XX_RATE = 0.5;
const THROTTLED_CALLS = 3;

const FORMS =
  'boot-failure:SERVER, unhealthy-after-reboot:SERVER[:SECONDS], app-5xx-after-reboot:SERVER[:RATE], throttle:ACTION[:COUNT] or latency:ACTION:MS';

export function parseFaultSpec(spec: string): RehearsalFaultSpec {
  const [kind = '', target = '', extra, ...rest] = spec.split(':');
  const refuse = (expected: string): never => {
    throw new InvalidInputError(`--fault ${spec}: expected ${expected}`, {
      path: '--fault',
      expected,
      found: spec,
    });
  };
  if (target === '' || rest.length > 0) refuse(FORMS);
  const number = (text: string | undefined, fallback: number, check: (n: number) => boolean) => {
    if (text === undefined) return fallback;
    const value = Number(text);
    return /^\d+(\.\d+)?$/.test(text) && check(value) ? value : refuse(FORMS);
  };
  switch (kind) {
    case 'boot-failure':
      return extra === undefined ? { spec, kind, server: target } : refuse(FORMS);
    case 'unhealthy-after-reboot':
      return {
        spec,
        kind,
        server: target,
        seconds: number(extra, UNHEALTHY_SECONDS, (n) => n > 0),
      };
    case 'app-5xx-after-reboot':
      return { spec, kind, server: target, rate: number(extra, FIVE_XX_RATE, (n) => n <= 1) };
    case 'throttle':
      return {
        spec,
        kind,
        action: target,
        count: number(extra, THROTTLED_CALLS, (n) => Number.isInteger(n) && n > 0),
      };
    case 'latency':
      return extra === undefined
        ? refuse('latency:ACTION:MS (milliseconds each matching call waits)')
        : { spec, kind, action: target, ms: number(extra, 0, Number.isInteger) };
    default:
      return refuse(FORMS);
  }
}

/** The instance a fault names, by id or name, among the mirrored ones; else invalid input. */
export function faultInstance(fault: RehearsalFaultSpec, instances: InstanceInfo[]): InstanceInfo {
  const server = 'server' in fault ? fault.server : '';
  const found = instances.find((i) => i.id === server) ?? instances.find((i) => i.name === server);
  if (found !== undefined) return found;
  throw new InvalidInputError(
    `--fault ${fault.spec}: no server ${server} in the rehearsed world (${instances.map((i) => i.name).join(', ')})`,
    { path: '--fault', expected: 'an instance id or name the workflow works on', found: server },
  );
}

/** The emulator fault (its admin API's JSON) that plays this spec in the mirror. */
export function emulatorFault(
  fault: RehearsalFaultSpec,
  instances: InstanceInfo[],
): Record<string, unknown> {
  switch (fault.kind) {
    case 'boot-failure':
      return { kind: fault.kind, instanceId: faultInstance(fault, instances).id };
    case 'unhealthy-after-reboot':
      return {
        kind: fault.kind,
        instanceId: faultInstance(fault, instances).id,
        seconds: fault.seconds,
      };
    case 'app-5xx-after-reboot':
      return { kind: fault.kind, instanceId: faultInstance(fault, instances).id, rate: fault.rate };
    case 'throttle':
      return {
        kind: 'api-error',
        action: fault.action,
        code: 'Throttling.User',
        count: fault.count,
      };
    case 'latency':
      return { kind: 'latency', action: fault.action, ms: fault.ms };
  }
}
