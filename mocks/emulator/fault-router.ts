/**
 * Where an injected fault goes: API faults (errors, latency) to the dispatcher's ApiFaults, world
 * faults to the simulated world. Keeps the list `GET /__emulator/faults` shows.
 */
import type { ApiFaults } from '../faults/api-faults.js';
import { type Fault, isApiFault, parseFault } from '../faults/fault-schema.js';
import type { World, WorldFault } from '../world/types.js';

export class FaultRouter {
  private worldFaults: WorldFault[] = [];

  constructor(
    private readonly apiFaults: ApiFaults,
    private readonly hasInstance: (id: string) => boolean,
    private readonly world: () => World,
  ) {}

  /** Validates and applies a fault; throws an Error saying what is wrong with it. */
  inject(input: unknown): Fault {
    const fault = parseFault(input);
    if (isApiFault(fault)) {
      this.apiFaults.add(fault);
      return fault;
    }
    if (!this.hasInstance(fault.instanceId)) {
      throw new Error(`invalid fault: no instance ${fault.instanceId} in this emulator`);
    }
    this.world().injectFault(fault);
    this.worldFaults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return [...this.apiFaults.list(), ...this.worldFaults];
  }

  clear(): void {
    this.forget();
    this.world().clearFaults();
  }

  /** Drops every record of faults (the world that held them is being replaced). */
  forget(): void {
    this.apiFaults.clear();
    this.worldFaults = [];
  }
}
