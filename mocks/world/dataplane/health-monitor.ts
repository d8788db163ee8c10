/**
 * The health checks of one started listener: every interval, every backend it currently has
 * (weight 0 included — the SLB keeps checking drained servers), from the listener's health-check
 * node addresses in turn. Its verdicts decide which backends get new work and answer
 * DescribeHealthStatus.
 */
import type { TimerSet } from '../timers.js';
import type { BackendHealthState, BackendTarget, ListenerHealthCheckConfig } from '../types.js';
import { probe } from './health-probe.js';
import { type HealthVerdict, nextVerdict, notYetChecked } from './health-state.js';
import { ephemeralPort } from './slb-addresses.js';

export interface HealthMonitorDeps {
  timers: TimerSet;
  /** This listener's health-check node addresses (100.64.0.0/10). */
  sources: string[];
  random: () => number;
  /** True when a simulated fault makes the backend at this address fail any check right now. */
  forcedDown: (ip: string) => boolean;
}

interface Tracked {
  target: BackendTarget;
  verdict: HealthVerdict;
  checking: boolean;
}

export class HealthMonitor {
  private readonly tracked = new Map<string, Tracked>();
  private cancelTimer: () => void = () => {};
  private round = 0;
  private stopped = false;

  constructor(
    private config: ListenerHealthCheckConfig,
    private backends: () => BackendTarget[],
    private readonly deps: HealthMonitorDeps,
  ) {}

  /** Starts checking; resolves when the first round has a verdict on every backend. */
  start(): Promise<void> {
    this.schedule();
    return this.runRound();
  }

  /** New listener settings (a listener attribute changed while it runs). */
  update(config: ListenerHealthCheckConfig, backends: () => BackendTarget[]): void {
    const intervalChanged = config.intervalSeconds !== this.config.intervalSeconds;
    const switched = config.enabled !== this.config.enabled || config.type !== this.config.type;
    this.config = config;
    this.backends = backends;
    if (switched) this.tracked.clear();
    if (intervalChanged || switched) this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer();
    this.tracked.clear();
  }

  /** DescribeHealthStatus's answer for one server (`unavailable` when checks are off or pending). */
  state(serverId: string): BackendHealthState {
    if (!this.config.enabled) return 'unavailable';
    const states = [...this.tracked.values()]
      .filter((entry) => entry.target.serverId === serverId)
      .map((entry) => entry.verdict.state);
    if (states.includes('abnormal')) return 'abnormal';
    return states.includes('normal') ? 'normal' : 'unavailable';
  }

  /** Whether new work may go to this backend. A backend never checked yet gets checked now. */
  passes(target: BackendTarget): boolean {
    if (!this.config.enabled) return true;
    const entry = this.tracked.get(keyOf(target));
    if (!entry) {
      void this.check(this.track(target));
      return false;
    }
    return entry.verdict.state === 'normal';
  }

  private schedule(): void {
    this.cancelTimer();
    if (this.stopped) return;
    const intervalMs = Math.max(this.config.intervalSeconds, 0.05) * 1000;
    this.cancelTimer = this.deps.timers.every(intervalMs, () => void this.runRound());
  }

  private async runRound(): Promise<void> {
    if (this.stopped || !this.config.enabled) return;
    const current = new Map(this.backends().map((target) => [keyOf(target), target]));
    for (const key of this.tracked.keys()) if (!current.has(key)) this.tracked.delete(key);
    this.round += 1;
    await Promise.all(
      [...current.values()].map((target) => {
        const entry = this.tracked.get(keyOf(target)) ?? this.track(target);
        entry.target = target;
        return this.check(entry);
      }),
    );
  }

  private track(target: BackendTarget): Tracked {
    const entry: Tracked = { target, verdict: notYetChecked, checking: false };
    this.tracked.set(keyOf(target), entry);
    return entry;
  }

  private async check(entry: Tracked): Promise<void> {
    if (entry.checking || this.stopped) return;
    entry.checking = true;
    const { sources, random, forcedDown } = this.deps;
    const source = sources[this.round % sources.length] ?? '100.64.0.1';
    const config = this.config;
    const port = config.connectPort ?? entry.target.port;
    const passed = await probe({ ip: entry.target.ip, port }, config, {
      address: source,
      port: ephemeralPort(random),
    });
    entry.checking = false;
    // The backend may have been removed, or the listener stopped, while the check ran.
    if (this.stopped || this.tracked.get(keyOf(entry.target)) !== entry) return;
    entry.verdict = nextVerdict(entry.verdict, passed && !forcedDown(entry.target.ip), config);
  }
}

function keyOf(target: BackendTarget): string {
  return `${target.serverId}|${target.ip}:${target.port}`;
}
