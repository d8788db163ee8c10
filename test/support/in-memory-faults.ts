/**
 * What can go wrong in the in-memory model (in-memory-world.ts), and the
 * "process" a simulated crash kills.
 */

export interface Faults {
  /** Never Running again after a reboot. */
  bootFails: Set<string>;
  /** Health checks fail after its reboot (the machine is up: its agent runs commands). */
  unhealthyAfterBoot: Set<string>;
  /**
   * Running per the hypervisor after its reboot, but the OS never came up: no check gets an
   * answer and its agent runs no command (as the emulator's boot-failure fault, and the cloud).
   */
  osFailsAfterBoot: Set<string>;
  /** Answers half its requests with 5xx after its reboot (a bad ramp). */
  errorsAfterBoot: Set<string>;
  /**
   * Answers half its requests with 5xx once its weight reaches `weight` (overloaded at full
   * weight: a ramp that fails at its last step); with `afterBoot`, only once it was rebooted.
   */
  errorsFromWeight: Map<string, { weight: number; afterBoot: boolean }>;
  /** Patch commands exit 1. */
  patchFails: Set<string>;
  /** What a failing patch command prints (default: yum's repository error). */
  patchFailureOutput?: string;
  /** The patch "succeeds" but stages nothing: the kernel does not change. */
  patchNoop: Set<string>;
  /** Real traffic never stops (keep-alive clients): the drain probe times out. */
  neverQuiet: Set<string>;
  /**
   * Real traffic reaches the node straight (clients with a cached DNS answer) from its patch
   * until this many seconds after the patch ended (Infinity: it never stops).
   */
  trafficAfterPatch: Map<string, number>;
  /** The balancer reports these backends abnormal from the start (not run nodes, usually). */
  lbAbnormal: Set<string>;
  /** Someone else sets this backend's weight when the node named first starts draining. */
  driftOnDrain?: { whenDraining: string; serverId: string; weight: number };
  /** Seconds a reboot takes. */
  bootSeconds: number;
}

export function noFaults(): Faults {
  return {
    bootFails: new Set(),
    unhealthyAfterBoot: new Set(),
    osFailsAfterBoot: new Set(),
    errorsAfterBoot: new Set(),
    errorsFromWeight: new Map(),
    patchFails: new Set(),
    patchNoop: new Set(),
    neverQuiet: new Set(),
    trafficAfterPatch: new Map(),
    lbAbnormal: new Set(),
    bootSeconds: 30,
  };
}

export class SimulatedCrash extends Error {
  constructor() {
    super('simulated crash: this process is dead');
  }
}

/** One process's view: dies for good when crashed. */
export class Incarnation {
  dead = false;
  check(): void {
    if (this.dead) throw new SimulatedCrash();
  }
}
