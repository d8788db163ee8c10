/**
 * The demo's live terminal view. `renderLiveView` is pure (snapshot → lines); `LiveView` redraws
 * those lines in place on a TTY, or prints a compact progress line now and then otherwise (CI
 * logs must stay readable).
 */

export interface NodeView {
  id: string;
  name: string;
  /** Engine state: pending, draining, drained, patching, rebooting, verifying, restoring, done, left-out. */
  state: string;
  weight?: number;
  kernel?: string;
  /** While draining: seconds quiet so far and the quiet period needed. */
  drain?: { quietSeconds: number; quietTarget: number; requestsPerSecond: number };
  note?: string;
}

export interface LiveSnapshot {
  title: string;
  elapsedSeconds: number;
  phase: string;
  nodes: NodeView[];
  /** Requests per second served by each backend over the last second. */
  requestsPerSecondByBackend: Record<string, number>;
  requests: { total: number; failed: number };
  dns?: string;
}

const BAR_WIDTH = 20;

function bar(value: number, max: number): string {
  const filled =
    max <= 0 ? 0 : Math.max(0, Math.min(BAR_WIDTH, Math.round((value / max) * BAR_WIDTH)));
  return `${'█'.repeat(filled)}${'·'.repeat(BAR_WIDTH - filled)}`;
}

export function renderLiveView(
  snapshot: LiveSnapshot,
  style: (kind: 'ok' | 'bad' | 'dim' | 'bold', text: string) => string,
): string[] {
  const lines: string[] = [];
  const failed = snapshot.requests.failed;
  lines.push(
    `${style('bold', snapshot.title)}  ${snapshot.elapsedSeconds.toFixed(0)}s  ${snapshot.phase}  ` +
      `requests ${snapshot.requests.total}  failed ${failed === 0 ? style('ok', '0') : style('bad', String(failed))}`,
  );
  if (snapshot.dns) lines.push(style('dim', `dns ${snapshot.dns}`));
  const peak = Math.max(1, ...Object.values(snapshot.requestsPerSecondByBackend));
  for (const node of snapshot.nodes) {
    const rps =
      snapshot.requestsPerSecondByBackend[node.name] ??
      snapshot.requestsPerSecondByBackend[node.id] ??
      0;
    const state =
      node.state === 'left-out'
        ? style('bad', node.state)
        : node.state === 'done'
          ? style('ok', node.state)
          : node.state;
    let detail = '';
    if (node.drain) {
      detail = `quiet ${node.drain.quietSeconds.toFixed(1)}/${node.drain.quietTarget}s, ${node.drain.requestsPerSecond.toFixed(0)} req/s still arriving`;
    } else if (node.note) {
      detail = node.note;
    }
    lines.push(
      `  ${node.name.padEnd(8)} ${String(state).padEnd(10)} w=${String(node.weight ?? '?').padStart(3)} ` +
        `${bar(rps, peak)} ${rps.toFixed(0).padStart(4)} req/s  ${style('dim', node.kernel ?? '')}  ${detail}`,
    );
  }
  return lines;
}

export class LiveView {
  private drawn = 0;
  private lastPlainAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly tty: boolean,
    private readonly style: (kind: 'ok' | 'bad' | 'dim' | 'bold', text: string) => string,
    /** Without a TTY, print at most one progress line per this many seconds. */
    private readonly plainEverySeconds = 5,
  ) {}

  update(snapshot: LiveSnapshot): void {
    const lines = renderLiveView(snapshot, this.style);
    if (this.tty) {
      // Move up over the previous frame and overwrite it line by line.
      const up = this.drawn > 0 ? `\u001b[${this.drawn}A` : '';
      this.stream.write(`${up}${lines.map((line) => `\u001b[2K${line}`).join('\n')}\n`);
      this.drawn = lines.length;
      return;
    }
    if (snapshot.elapsedSeconds - this.lastPlainAt >= this.plainEverySeconds) {
      this.lastPlainAt = snapshot.elapsedSeconds;
      const states = snapshot.nodes.map((node) => `${node.name}=${node.state}`).join(' ');
      this.stream.write(
        `[${snapshot.elapsedSeconds.toFixed(0)}s] ${snapshot.phase}: ${states}; requests ${snapshot.requests.total}, failed ${snapshot.requests.failed}\n`,
      );
    }
  }
}
