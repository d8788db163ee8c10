/**
 * When a live progress line is due: at every multiple of `everySeconds` into the wait — a fixed
 * grid that other lines do not shift — and at once when real traffic starts (a real request
 * after a quiet spell) or stops (`everySeconds` without one). Pure: fed the probe's progress.
 */
import type { DrainProgress } from '../ports/index.js';

export class ProgressCadence {
  private nextMark = 0;
  private busy = false;
  private realSoFar = 0;

  constructor(private readonly everySeconds: number) {}

  /** Whether this progress should be shown; call it with every progress, in order. */
  due(progress: Pick<DrainProgress, 'elapsedSeconds' | 'realRequests' | 'quietSeconds'>): boolean {
    const arrived = progress.realRequests > this.realSoFar;
    this.realSoFar = progress.realRequests;
    const starts = arrived && !this.busy;
    const stops = !arrived && this.busy && progress.quietSeconds >= this.everySeconds;
    if (starts) this.busy = true;
    if (stops) this.busy = false;
    const onGrid = progress.elapsedSeconds >= this.nextMark;
    if (onGrid) {
      this.nextMark =
        (Math.floor(progress.elapsedSeconds / this.everySeconds) + 1) * this.everySeconds;
    }
    return onGrid || starts || stops;
  }
}
