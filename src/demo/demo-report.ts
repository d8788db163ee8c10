/**
 * The demo's report: what the run did to each node (from the engine's own report), what the
 * clients experienced (from the load generator) and what the world looks like at the end (from
 * the emulator's ground truth), and the verdict on each promise drainctl makes. Pure.
 */
import type { RunReport } from '../engine/index.js';
import type { InvariantSummary } from './invariant-monitor.js';
import type { LoadStats } from './load-generator.js';

export interface DemoNodeReport {
  id: string;
  name: string;
  state: string;
  kernelBefore: string | undefined;
  kernelAfter: string | undefined;
  /** Weight recorded just before its drain. */
  weightBefore: number | undefined;
  /** Weight on the balancer at the end, read from the emulator. */
  weightAfter: number | undefined;
  reason?: string;
  detail?: string;
  timeline: Array<{ state: string; at: string }>;
}

export interface InvariantVerdict {
  name: string;
  held: boolean;
  detail: string;
}

export interface DemoReport {
  mode: 'drain' | 'no-drain';
  outcome: string;
  ok: boolean;
  durationSeconds: number;
  requests: Pick<LoadStats, 'total' | 'ok' | 'failed' | 'byBackend' | 'failures'>;
  dns: {
    name: string;
    before: { value: string; ttl: number } | undefined;
    after: { value: string; ttl: number } | undefined;
    loadBalancerAddress: string | undefined;
  };
  nodes: DemoNodeReport[];
  invariants: InvariantVerdict[];
  run: { runId: string; home: string; summary: string; haltReason?: string };
}

export interface DemoFacts {
  mode: 'drain' | 'no-drain';
  durationSeconds: number;
  run: RunReport;
  home: string;
  load: LoadStats;
  monitor: InvariantSummary;
  minHealthy: number;
  maxUnavailable: number;
  /** Ground truth at the start and at the end. */
  kernels: { before: Map<string, string>; after: Map<string, string> };
  weightsAfter: Map<string, number>;
  dns: DemoReport['dns'];
}

export function buildDemoReport(facts: DemoFacts): DemoReport {
  const nodes = facts.run.nodes.map<DemoNodeReport>((node) => ({
    id: node.id,
    name: node.name,
    state: node.state,
    kernelBefore: facts.kernels.before.get(node.id),
    kernelAfter: facts.kernels.after.get(node.id),
    weightBefore: node.weightBefore,
    weightAfter: facts.weightsAfter.get(node.id),
    ...(node.reason === undefined ? {} : { reason: node.reason }),
    ...(node.detail === undefined ? {} : { detail: node.detail }),
    timeline: node.timeline,
  }));
  const invariants = verdicts(facts, nodes);
  return {
    mode: facts.mode,
    outcome: facts.run.outcome,
    ok: facts.run.outcome === 'completed' && invariants.every((v) => v.held),
    durationSeconds: facts.durationSeconds,
    requests: {
      total: facts.load.total,
      ok: facts.load.ok,
      failed: facts.load.failed,
      byBackend: facts.load.byBackend,
      failures: facts.load.failures.slice(0, 10),
    },
    dns: facts.dns,
    nodes,
    invariants,
    run: {
      runId: facts.run.runId,
      home: facts.home,
      summary: facts.run.summary,
      ...(facts.run.haltReason === undefined ? {} : { haltReason: facts.run.haltReason }),
    },
  };
}

function verdicts(facts: DemoFacts, nodes: DemoNodeReport[]): InvariantVerdict[] {
  const unpatched = nodes.filter(
    (n) => n.kernelBefore === undefined || n.kernelBefore === n.kernelAfter,
  );
  const notRestored = nodes.filter(
    (n) => n.weightBefore === undefined || n.weightAfter !== n.weightBefore,
  );
  const { monitor } = facts;
  const sampled = monitor.samples > 0;
  return [
    {
      name: 'no request failed',
      held: facts.load.failed === 0 && facts.load.total > 0,
      detail: `${facts.load.failed} of ${facts.load.total} requests failed`,
    },
    {
      name: 'every kernel changed',
      held: unpatched.length === 0,
      detail:
        unpatched.length === 0
          ? `${nodes.length} of ${nodes.length} nodes run the new kernel`
          : `still on the old kernel: ${unpatched.map((n) => n.name).join(', ')}`,
    },
    {
      name: 'every weight back to its original',
      held: notRestored.length === 0,
      detail:
        notRestored.length === 0
          ? 'all weights restored'
          : notRestored
              .map((n) => `${n.name} ${n.weightBefore ?? '?'} → ${n.weightAfter ?? '?'}`)
              .join(', '),
    },
    {
      name: `never fewer than ${facts.minHealthy} healthy weighted backends`,
      held: sampled && monitor.minHealthyWeighted >= facts.minHealthy,
      detail: sampled
        ? `lowest seen: ${monitor.minHealthyWeighted} (${monitor.samples} samples)`
        : 'not sampled',
    },
    {
      name: `never more than ${facts.maxUnavailable} node(s) out of service`,
      held: sampled && monitor.maxOutOfService <= facts.maxUnavailable,
      detail: sampled
        ? `most at once: ${monitor.maxOutOfService}${monitor.worstOutOfService.length > 0 ? ` (${monitor.worstOutOfService.join(', ')})` : ''}`
        : 'not sampled',
    },
    {
      name: 'DNS points at the load balancer',
      held:
        facts.dns.after !== undefined && facts.dns.after.value === facts.dns.loadBalancerAddress,
      detail: `${facts.dns.name} → ${facts.dns.after?.value ?? '?'} (load balancer ${facts.dns.loadBalancerAddress ?? '?'})`,
    },
  ];
}

/** The report for a terminal. */
export function formatDemoReport(
  report: DemoReport,
  style: (kind: 'ok' | 'bad' | 'bold' | 'dim', text: string) => string,
): string[] {
  const lines: string[] = [];
  const verdict = report.ok ? style('ok', 'PASSED') : style('bad', 'FAILED');
  lines.push('');
  lines.push(
    style(
      'bold',
      `drainctl demo (${report.mode}): ${verdict} in ${report.durationSeconds.toFixed(0)}s — run ${report.outcome}`,
    ),
  );
  lines.push(`  requests: ${report.requests.total} sent, ${report.requests.failed} failed`);
  const spread = Object.entries(report.requests.byBackend)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([backend, count]) => `${backend} ${count}`)
    .join(', ');
  if (spread) lines.push(`  served by: ${spread}`);
  lines.push(
    `  dns: ${report.dns.name} ${report.dns.before?.value ?? '?'} (ttl ${report.dns.before?.ttl ?? '?'}) → ` +
      `${report.dns.after?.value ?? '?'} (ttl ${report.dns.after?.ttl ?? '?'})`,
  );
  lines.push('  nodes:');
  for (const node of report.nodes) {
    const kernel = `${node.kernelBefore ?? '?'} → ${node.kernelAfter ?? '?'}`;
    lines.push(
      `    ${node.name} (${node.id}): ${node.state}, weight ${node.weightBefore ?? '?'} → ${node.weightAfter ?? '?'}, kernel ${kernel}`,
    );
    if (node.reason || node.detail)
      lines.push(`      ${style('bad', `${node.reason ?? ''} ${node.detail ?? ''}`.trim())}`);
    const times = node.timeline.slice(1).map((t) => `${t.state} ${t.at.slice(11, 19)}`);
    if (times.length > 0) lines.push(style('dim', `      ${times.join(' · ')}`));
  }
  lines.push('  promises:');
  for (const v of report.invariants) {
    lines.push(`    ${v.held ? style('ok', '✓') : style('bad', '✗')} ${v.name}: ${v.detail}`);
  }
  if (report.requests.failures.length > 0) {
    lines.push('  first failed requests:');
    for (const f of report.requests.failures.slice(0, 5))
      lines.push(`    ${f.at} ${f.target}: ${f.reason}`);
  }
  if (report.run.haltReason) lines.push(`  halted: ${report.run.haltReason}`);
  lines.push(
    style('dim', `  journal: DRAINCTL_HOME=${report.run.home} drainctl status ${report.run.runId}`),
  );
  return lines;
}
