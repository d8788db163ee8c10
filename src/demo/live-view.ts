/**
 * What the demo adds to the run's progress view: the clients' traffic, which only the demo
 * sees (requests and failures, each backend's requests per second and kernel, the drain probe's
 * quiet so far, the service's DNS answer). The servers' states, weights, countdowns and the ETA
 * are the run's own progress view, the one `drainctl run` shows; this file never repeats them.
 */

export interface BackendTraffic {
  id: string;
  name: string;
  kernel?: string;
  /** While its drain is watched: seconds quiet so far and the quiet period needed. */
  drain?: { quietSeconds: number; quietTarget: number; requestsPerSecond: number };
}

export interface DemoTraffic {
  title: string;
  elapsedSeconds: number;
  backends: BackendTraffic[];
  /** Requests per second served by each backend over the last second. */
  requestsPerSecondByBackend: Record<string, number>;
  requests: { total: number; failed: number };
  dns?: string;
}

/** Where the demo's view goes: the CLI draws it on a terminal, or prints lines in a log. */
export interface DemoView {
  /** The run's plain progress lines for one journal entry, as they come. */
  progress(lines: readonly string[]): void;
  /** The whole picture now: the run's frame, then the traffic. */
  frame(runFrame: readonly string[], traffic: DemoTraffic): void;
}

export type DemoStyle = (kind: 'ok' | 'bad' | 'dim' | 'bold', text: string) => string;

const BAR_WIDTH = 20;

function bar(value: number, max: number): string {
  const filled =
    max <= 0 ? 0 : Math.max(0, Math.min(BAR_WIDTH, Math.round((value / max) * BAR_WIDTH)));
  return `${'█'.repeat(filled)}${'·'.repeat(BAR_WIDTH - filled)}`;
}

/** The traffic under the run's frame on a terminal. Pure. */
export function renderDemoTraffic(traffic: DemoTraffic, style: DemoStyle): string[] {
  const failed = traffic.requests.failed;
  const lines = [
    `${style('bold', traffic.title)}  ${traffic.elapsedSeconds.toFixed(0)}s  ` +
      `requests ${traffic.requests.total}  failed ${failed === 0 ? style('ok', '0') : style('bad', String(failed))}`,
  ];
  if (traffic.dns) lines.push(style('dim', `dns ${traffic.dns}`));
  const peak = Math.max(1, ...Object.values(traffic.requestsPerSecondByBackend));
  for (const backend of traffic.backends) {
    const rps =
      traffic.requestsPerSecondByBackend[backend.name] ??
      traffic.requestsPerSecondByBackend[backend.id] ??
      0;
    const drain = backend.drain
      ? `quiet ${backend.drain.quietSeconds.toFixed(1)}/${backend.drain.quietTarget}s, ${backend.drain.requestsPerSecond.toFixed(0)} req/s still arriving`
      : '';
    lines.push(
      `  ${backend.name.padEnd(8)} ${bar(rps, peak)} ${rps.toFixed(0).padStart(4)} req/s  ` +
        `${style('dim', backend.kernel ?? '')}  ${drain}`.trimEnd(),
    );
  }
  return lines;
}

/** The traffic in one line, for logs now and then. Pure. */
export function demoTrafficLine(traffic: DemoTraffic): string {
  return `[${traffic.elapsedSeconds.toFixed(0)}s] ${traffic.title}: requests ${traffic.requests.total}, failed ${traffic.requests.failed}`;
}
