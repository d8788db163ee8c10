/**
 * World faults as they affect one instance, and the app's condition they produce. Faults that
 * act "after reboot" wait for the next boot; boot failure, the 5xx rate and a bad version (unhealthy,
 * failing or slow) last
 * until cleared (a bad version only while its kernel runs).
 * Pure; time is passed in.
 */
import type { WorldFault } from '../types.js';

interface Flapping {
  startMs: number;
  untilMs: number;
  periodMs: number;
}

export class InstanceFaults {
  /** Armed: every boot fails until cleared. */
  private bootFailure = false;
  private unhealthyAfterBootSeconds: number | undefined;
  private errorRateAfterBoot: number | undefined;
  /** In effect. */
  private unhealthyUntilMs: number | undefined;
  private errorRate = 0;
  private flapping: Flapping | undefined;
  /** A kernel that makes the app unhealthy or fail while it runs. */
  private badKernel:
    | { kernel: string; effect: 'unhealthy' | '5xx' | 'slow'; rate: number; delayMs: number }
    | undefined;

  inject(fault: WorldFault, nowMs: number): void {
    switch (fault.kind) {
      case 'boot-failure':
        this.bootFailure = true;
        break;
      case 'unhealthy-after-reboot':
        this.unhealthyAfterBootSeconds = fault.seconds;
        break;
      case 'app-5xx-after-reboot':
        this.errorRateAfterBoot = Math.min(Math.max(fault.rate, 0), 1);
        break;
      case 'bad-version':
        this.badKernel = {
          kernel: fault.kernel ?? '',
          effect: fault.effect,
          rate: Math.min(Math.max(fault.rate ?? 1, 0), 1),
          delayMs: Math.max(fault.delayMs ?? 1000, 0),
        };
        break;
      case 'health-flapping':
        this.flapping = {
          startMs: nowMs,
          untilMs: nowMs + fault.seconds * 1000,
          periodMs: Math.max(fault.periodSeconds, 0.05) * 1000,
        };
        break;
    }
  }

  /** Removes armed and active faults. A machine that failed to boot stays down until rebooted. */
  clear(): void {
    this.bootFailure = false;
    this.unhealthyAfterBootSeconds = undefined;
    this.errorRateAfterBoot = undefined;
    this.unhealthyUntilMs = undefined;
    this.errorRate = 0;
    this.flapping = undefined;
    this.badKernel = undefined;
  }

  /** Whether the boot now completing fails (the OS never comes up). */
  bootFails(): boolean {
    return this.bootFailure;
  }

  /** The app has just started after a boot: "after reboot" faults take effect. */
  appStarted(nowMs: number): void {
    if (this.unhealthyAfterBootSeconds !== undefined) {
      this.unhealthyUntilMs = nowMs + this.unhealthyAfterBootSeconds * 1000;
      this.unhealthyAfterBootSeconds = undefined;
    }
    if (this.errorRateAfterBoot !== undefined) {
      this.errorRate = this.errorRateAfterBoot;
      this.errorRateAfterBoot = undefined;
    }
  }

  /** Whether the app's health endpoint answers healthy at this moment, on `kernel`. */
  healthy(nowMs: number, kernel: string): boolean {
    if (this.badKernel?.effect === 'unhealthy' && this.badKernel.kernel === kernel) return false;
    if (this.unhealthyUntilMs !== undefined && nowMs < this.unhealthyUntilMs) return false;
    return !this.flappingDown(nowMs);
  }

  /** In a "down" half of a flapping period (the port refuses health checks of any kind). */
  flappingDown(nowMs: number): boolean {
    const flap = this.flapping;
    if (!flap || nowMs >= flap.untilMs) return false;
    // Down first, so the fault shows at once; then up, down, … each for one period.
    return Math.floor((nowMs - flap.startMs) / flap.periodMs) % 2 === 0;
  }

  /** Share of real requests that fail with 500/502, on `kernel`. */
  currentErrorRate(kernel: string): number {
    if (this.badKernel?.effect === '5xx' && this.badKernel.kernel === kernel) {
      return Math.max(this.errorRate, this.badKernel.rate);
    }
    return this.errorRate;
  }

  /** Milliseconds every real request waits before its answer, on `kernel`. */
  extraDelayMs(kernel: string): number {
    return this.badKernel?.effect === 'slow' && this.badKernel.kernel === kernel
      ? this.badKernel.delayMs
      : 0;
  }
}
