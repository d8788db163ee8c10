/**
 * The timeline as HTML: `renderTimeline` is the part the page of `drainctl serve` replaces as
 * the run goes on, `renderDocument` one self-contained page around it (inline CSS, no external
 * asset, nothing fetched), and `renderReport` the static file `drainctl report --html` writes.
 * Every journal text is escaped. Pure.
 */
import { clockTime, escapeHtml, ganttSvg, PHASE_STYLE } from './gantt-svg.js';
import type { RunbookStep, StepStatus } from './runbook-progress.js';
import type { ServerRow, Timeline, TimelineOutcome } from './timeline.js';

const OUTCOME_TEXT: Record<TimelineOutcome, string> = {
  completed: 'completed',
  halted: 'halted',
  failed: 'failed',
  running: 'running',
  interrupted: 'interrupted (no process holds it)',
  unfinished: 'not finished (the journal has no end yet)',
};

const STEP_MARK: Record<StepStatus, string> = {
  done: '✓ done',
  failed: '✗ failed',
  current: '▶ now',
  pending: '· to do',
  'not-run': '– not run',
};

const CSS = `
:root{color-scheme:light;--fg:#1a1a1a;--muted:#555;--line:#ccc;--bg:#fff;--accent:#0b57d0}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header.top,main{max-width:1100px;margin:0 auto;padding:12px 16px}
header.top{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;border-bottom:1px solid var(--line)}
header.top a{color:var(--accent)}
h1{font-size:1.3rem;margin:.4rem 0}h2{font-size:1.1rem;margin:1.4rem 0 .5rem}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
.meta dt{color:var(--muted)}.meta dd{margin:0;overflow-wrap:anywhere}
.outcome{font-weight:700;padding:1px 8px;border:2px solid currentColor;border-radius:4px}
.outcome-completed{color:#1b5e20}.outcome-halted,.outcome-interrupted{color:#8a4b00}.outcome-failed{color:#b71c1c}.outcome-running{color:#0b57d0}
.notice{border-left:4px solid #8a4b00;background:#fff6e5;padding:6px 10px;margin:8px 0}
.scroll{overflow-x:auto}
svg.gantt{width:100%;min-width:640px;height:auto;font:12px system-ui,sans-serif}
svg.gantt .name,svg.gantt .state{fill:var(--fg)}svg.gantt .axis{fill:var(--muted)}
svg.gantt .tick{stroke:#e0e0e0}svg.gantt .in-bar{font-weight:600}
.legend{display:flex;flex-wrap:wrap;gap:4px 12px;padding:0;list-style:none;font-size:.9rem}
.legend span{display:inline-block;width:14px;height:14px;border:1px solid #777;vertical-align:-2px;margin-right:4px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted)}
ol.runbook{list-style:none;padding:0;margin:0}
ol.runbook li{display:grid;grid-template-columns:3.2em 6.2em 1fr;gap:0 8px;padding:4px 6px;border-bottom:1px solid #eee}
ol.runbook li .undo,ol.runbook li .when{grid-column:3;color:var(--muted);font-size:.88rem}
ol.runbook li.current{background:#e8f0fe;border-left:4px solid var(--accent);font-weight:600}
ol.runbook li.failed{background:#fdecea}ol.runbook li.not-run{color:var(--muted)}
ol.runbook h3{font-size:1rem;margin:.8rem 0 .2rem}
.mark{white-space:nowrap}
button,input{font:inherit}button.danger{background:#b71c1c;color:#fff;border:0;border-radius:4px;padding:8px 14px}
form.inline{display:inline}
.small{font-size:.88rem;color:var(--muted)}
@media (max-width:640px){body{font-size:14px}ol.runbook li{grid-template-columns:2.6em 1fr}ol.runbook li .mark{grid-column:2}ol.runbook li .what,ol.runbook li .undo,ol.runbook li .when{grid-column:1/-1}
table.servers thead{display:none}table.servers tr{display:block;border-bottom:2px solid var(--line);padding:4px 0}table.servers td{display:block;border:0;padding:2px 4px}table.servers td::before{content:attr(data-label) ": ";color:var(--muted)}}
`;

export interface DocumentParts {
  title: string;
  /** HTML before the main content (navigation). */
  header?: string;
  body: string;
  /** An inline script (the page's live updates); none for the static report. */
  script?: string;
  /** The script's nonce, for a Content-Security-Policy that allows only it. */
  nonce?: string;
}

/** A whole page: inline CSS, no external asset, readable on a phone. */
export function renderDocument(parts: DocumentParts): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(parts.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    parts.header ?? '',
    `<main>${parts.body}</main>`,
    parts.script === undefined
      ? ''
      : `<script${parts.nonce === undefined ? '' : ` nonce="${escapeHtml(parts.nonce)}"`}>${parts.script}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** The static report of a run: what `drainctl report --html` writes. */
export function renderReport(timeline: Timeline): string {
  return renderDocument({
    title: `drainctl run ${timeline.runId}: ${timeline.workflow.name}`,
    body: `${renderTimeline(timeline)}\n<p class="small">Made by drainctl from the run's journal at ${escapeHtml(timeline.now)}. Times are UTC.</p>`,
  });
}

/** Everything about the run, from its header to its runbook. */
export function renderTimeline(timeline: Timeline): string {
  return [
    summary(timeline),
    '<h2>Timeline</h2>',
    `<div class="scroll">${ganttSvg(timeline)}</div>`,
    legend(),
    '<h2>Servers</h2>',
    servers(timeline),
    '<h2>Gates</h2>',
    gates(timeline),
    `<h2>Runbook <span class="small">(estimated ${escapeHtml(timeline.runbook.estimate)})</span></h2>`,
    runbook(timeline.runbook.steps),
  ].join('\n');
}

function summary(t: Timeline): string {
  const rows: Array<[string, string]> = [
    [
      'state',
      `<span class="outcome outcome-${t.outcome}" data-outcome="${t.outcome}">${escapeHtml(OUTCOME_TEXT[t.outcome])}</span>`,
    ],
    [
      'workflow',
      `${escapeHtml(t.workflow.name)} <span class="small">(${escapeHtml(t.workflow.file)})</span>`,
    ],
    ['started by', escapeHtml(t.startedBy ?? 'a person at a terminal (drainctl run)')],
    ['started', escapeHtml(t.startedAt)],
    ['last entry', escapeHtml(t.updatedAt)],
    t.loadBalancers === undefined
      ? [
          'load balancer',
          escapeHtml(
            `${t.loadBalancer.name}${t.loadBalancer.id === undefined ? '' : ` (${t.loadBalancer.id})`}`,
          ),
        ]
      : [
          `load balancers (${t.loadBalancers.length})`,
          t.loadBalancers
            .map((lb) => escapeHtml(lb.name ? `${lb.name} (${lb.id})` : lb.id))
            .join('<br>'),
        ],
    ['plan sha256', `<code>${escapeHtml(t.planSha256)}</code>`],
  ];
  if (t.summary !== undefined) rows.push(['summary', escapeHtml(t.summary)]);
  const notices = [
    ...(t.abortRequested === undefined ? [] : [`Abort requested by ${t.abortRequested}.`]),
    ...(t.halt === undefined ? [] : [`Halted: ${t.halt}`]),
    ...t.warnings.map((warning) => `WARNING: ${warning}`),
  ];
  return [
    `<h1>Run <code>${escapeHtml(t.runId)}</code></h1>`,
    `<dl class="meta">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`,
    ...notices.map((notice) => `<p class="notice">${escapeHtml(notice)}</p>`),
  ].join('\n');
}

function legend(): string {
  const items = Object.values(PHASE_STYLE).map(
    (style) =>
      `<li><span style="background:${style.fill}${style.failed === true ? ';background-image:repeating-linear-gradient(45deg,transparent 0 3px,rgba(255,255,255,.5) 3px 6px)' : ''}"></span>${style.label}</li>`,
  );
  return `<ul class="legend" aria-label="phases">${items.join('')}</ul>`;
}

function servers(t: Timeline): string {
  const rows = t.servers.map((server) => {
    const cells: Array<[string, string]> = [
      [
        'server',
        `<strong>${escapeHtml(server.name)}</strong><br><span class="small">${escapeHtml(server.id)} · batch ${server.batch}</span>`,
      ],
      ['state', escapeHtml(stateText(server))],
      ['weight', weightText(server)],
      ['drain', drainText(server)],
      ['notes', notesText(server)],
    ];
    return `<tr data-server="${escapeHtml(server.id)}" data-state="${server.state}">${cells.map(([label, html]) => `<td data-label="${label}">${html}</td>`).join('')}</tr>`;
  });
  return `<table class="servers"><thead><tr><th>server</th><th>state</th><th>weight</th><th>drain</th><th>notes</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function stateText(server: ServerRow): string {
  const label = server.state === 'pending' ? 'pending' : PHASE_STYLE[server.state].label;
  const since = server.phases.at(-1);
  return `${label}${server.reason === undefined ? '' : ` (${server.reason})`}${since === undefined ? '' : ` since ${clockTime(since.start)}`}`;
}

function weightText(server: ServerRow): string {
  const now = server.attachments
    .map(
      (a) =>
        `${escapeHtml(a.place ?? a.loadBalancerId)}: ${a.weight ?? (server.plannedWeight === undefined ? 'as found' : `${server.plannedWeight} (when planned)`)}`,
    )
    .join('<br>');
  const back =
    server.originalWeight === undefined
      ? ''
      : `<br><span class="small">comes back to ${server.originalWeight}</span>`;
  const history =
    server.weights.length === 0
      ? ''
      : `<br><span class="small">set: ${server.weights.map((w) => w.weight).join(' → ')}</span>`;
  return `${now}${back}${history}`;
}

function drainText(server: ServerRow): string {
  const drain = server.drain;
  if (drain === undefined) return '';
  const parts: string[] = [];
  if (drain.remainingSeconds !== undefined) {
    parts.push(
      `<span class="countdown" data-deadline="${escapeHtml(drain.deadline)}">${drain.remainingSeconds} s</span> left of ${drain.timeoutSeconds} s (needs ${drain.quietSeconds} s without a real request)`,
    );
    // Filled live by the page's script from the server's drain events; a static report has none.
    parts.push(`<span class="drain-rate" data-drain-node="${escapeHtml(server.id)}"></span>`);
  }
  if (drain.outcome !== undefined) parts.push(escapeHtml(drain.outcome));
  if (drain.requestsPerSecond !== undefined) {
    parts.push(
      `${drain.realRequests} real request(s) in ${Math.round(drain.waitedSeconds ?? 0)} s (${drain.requestsPerSecond} req/s)`,
    );
  }
  return parts.join('<br>');
}

function notesText(server: ServerRow): string {
  const parts: string[] = [];
  if (server.waiting !== undefined) {
    parts.push(
      `<strong>since ${clockTime(server.waiting.since)}:</strong> ${escapeHtml(server.waiting.message)}`,
    );
  }
  if (server.detail !== undefined) parts.push(escapeHtml(server.detail));
  return parts.join('<br>');
}

function gates(t: Timeline): string {
  const rules = `<ul>${t.gates.rules.map((rule) => `<li>${escapeHtml(rule.replace(/^\s*-\s*/, ''))}</li>`).join('')}</ul>`;
  const blocked =
    t.gates.blocked.length === 0
      ? '<p>Nothing blocks a server from leaving service.</p>'
      : `<ul class="blocked">${t.gates.blocked
          .map(
            (b) =>
              `<li><strong>${escapeHtml(b.name ?? 'run')}</strong> ${b.alertGate ? '(alert gate) ' : ''}at ${clockTime(b.at)}: ${escapeHtml(b.message)}</li>`,
          )
          .join('')}</ul>`;
  const verdicts =
    t.gates.verdicts.length === 0
      ? ''
      : `<p class="small">Last verdicts: ${t.gates.verdicts
          .map(
            (v) => `${escapeHtml(v.name)} ${v.passed ? 'passed' : 'blocked'} at ${clockTime(v.at)}`,
          )
          .join('; ')}</p>`;
  return `${rules}${blocked}${verdicts}`;
}

function runbook(steps: readonly RunbookStep[]): string {
  const out: string[] = ['<ol class="runbook">'];
  let section = '';
  for (const step of steps) {
    if (step.section !== section) {
      section = step.section;
      out.push(`<li class="section" style="display:block"><h3>${escapeHtml(section)}</h3></li>`);
    }
    const when = [
      step.startedAt === undefined ? '' : `started ${clockTime(step.startedAt)}`,
      step.endedAt === undefined ? '' : `ended ${clockTime(step.endedAt)}`,
      step.detail === undefined ? '' : escapeHtml(step.detail),
    ]
      .filter((part) => part !== '')
      .join(' · ');
    out.push(
      `<li class="${step.status}" data-step="${step.index}"${step.status === 'current' ? ' aria-current="step"' : ''}>`,
      `<span class="num">${step.index}.</span><span class="mark">${STEP_MARK[step.status]}</span>`,
      `<span class="what">${escapeHtml(step.description)} <span class="small">[~${escapeHtml(step.estimate)}]</span></span>`,
      `<span class="undo">undo: ${escapeHtml(step.undo)}</span>`,
      when === '' ? '' : `<span class="when">${when}</span>`,
      '</li>',
    );
  }
  out.push('</ol>');
  return out.join('\n');
}
