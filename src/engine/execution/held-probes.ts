/**
 * The drain probes a run keeps open from a node's drain decision to its reboot: clients that
 * cached an old DNS answer, or have a second path to the server, can reach it while it is
 * patched, and the reboot step judges that traffic before it reboots. One probe per node, owned
 * by the run: the reboot step takes it (and closes it); whatever is still held when the node's
 * sequence ends, or when the run returns, is closed then — no log follower or SSH session is
 * left behind.
 */
import type { Logger } from '../../log/index.js';
import type { TrafficProbe } from '../../ports/index.js';
import { message } from '../engine-errors.js';

export class HeldProbes {
  private readonly held = new Map<string, TrafficProbe>();

  constructor(private readonly logger: Logger) {}

  /** Keep `probe` open for `node` (a probe held before for it is closed). */
  async hold(node: string, probe: TrafficProbe): Promise<void> {
    const earlier = this.held.get(node);
    this.held.set(node, probe);
    if (earlier !== undefined && earlier !== probe) await this.close(node, earlier);
  }

  /** The probe held for `node`, handed over: the caller closes it. */
  take(node: string): TrafficProbe | undefined {
    const probe = this.held.get(node);
    this.held.delete(node);
    return probe;
  }

  /** Close the probe held for `node`, if any. */
  async release(node: string): Promise<void> {
    const probe = this.take(node);
    if (probe !== undefined) await this.close(node, probe);
  }

  async releaseAll(): Promise<void> {
    for (const node of [...this.held.keys()]) await this.release(node);
  }

  /**
   * A probe that cannot be closed changes nothing about the node: it is logged, and the step or
   * run that let it go goes on to its own outcome.
   */
  private async close(node: string, probe: TrafficProbe): Promise<void> {
    try {
      await probe.close();
    } catch (error) {
      this.logger.warn(
        { err: error, node },
        `could not close the drain probe of ${node}: ${message(error)}`,
      );
    }
  }
}
