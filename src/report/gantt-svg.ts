/**
 * The timeline as a Gantt-like SVG: one row per server, one bar per phase. Each phase has a
 * colour, a lightness of its own and a text label (in the bar when it fits, and in the legend),
 * and failures are hatched, so the chart reads in grey scale and without colour too. Pure.
 */
import type { Phase, ServerRow, Timeline } from './timeline.js';

/** Colour, label and whether it is a failure, per phase; ordered light → dark within the path. */
export const PHASE_STYLE: Record<Phase, { fill: string; label: string; failed?: boolean }> = {
  draining: { fill: '#f6c85f', label: 'draining' },
  drained: { fill: '#d9d9d9', label: 'drained' },
  patching: { fill: '#9bbfe0', label: 'patching' },
  rebooting: { fill: '#6f4e9c', label: 'rebooting' },
  verifying: { fill: '#3f7fbf', label: 'verifying' },
  restoring: { fill: '#8dc77b', label: 'restoring' },
  baking: { fill: '#a8d68f', label: 'baking' },
  done: { fill: '#2e7d32', label: 'done' },
  skipped: { fill: '#bdbdbd', label: 'skipped' },
  'rolling-back': { fill: '#f4a261', label: 'rolling back', failed: true },
  'rolled-back': { fill: '#e07b39', label: 'rolled back', failed: true },
  'left-out': { fill: '#b71c1c', label: 'left out', failed: true },
};

const WIDTH = 960;
const LABEL = 150;
const END_LABEL = 170;
const ROW = 30;
const AXIS = 26;
/** Dark phases take white text; the rest black (contrast in colour and in grey). */
const DARK = new Set<Phase>(['rebooting', 'verifying', 'done', 'left-out']);

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** `02:00:13` of an ISO time, in UTC (the page says so). */
export function clockTime(iso: string): string {
  return iso.slice(11, 19);
}

export function ganttSvg(timeline: Timeline): string {
  const start = Date.parse(timeline.startedAt);
  const ongoing = timeline.outcome === 'running' || timeline.outcome === 'unfinished';
  const end = Math.max(
    start + 1000,
    Date.parse(ongoing ? timeline.now : timeline.updatedAt),
    ...timeline.servers.flatMap((s) => s.phases.map((p) => Date.parse(p.end ?? p.start))),
  );
  const chart = WIDTH - LABEL - END_LABEL;
  const x = (iso: string) => LABEL + ((Date.parse(iso) - start) / (end - start)) * chart;
  const height = AXIS + ROW * Math.max(1, timeline.servers.length) + 8;
  const parts: string[] = [];
  parts.push(
    `<svg class="gantt" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="gantt-title" xmlns="http://www.w3.org/2000/svg">`,
    '<title id="gantt-title">Timeline: one row per server, one bar per phase</title>',
    '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" fill="#ffffff" fill-opacity="0.45"/></pattern></defs>',
  );
  for (let tick = 0; tick <= 4; tick += 1) {
    const at = start + ((end - start) * tick) / 4;
    const tx = LABEL + (chart * tick) / 4;
    parts.push(
      `<line x1="${tx.toFixed(1)}" y1="${AXIS - 6}" x2="${tx.toFixed(1)}" y2="${height - 4}" class="tick"/>`,
      `<text x="${tx.toFixed(1)}" y="${AXIS - 10}" text-anchor="middle" class="axis">${clockTime(new Date(at).toISOString())}</text>`,
    );
  }
  timeline.servers.forEach((server, row) => {
    parts.push(serverRow(server, AXIS + row * ROW, x, ongoing ? timeline.now : timeline.updatedAt));
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function serverRow(
  server: ServerRow,
  top: number,
  x: (iso: string) => number,
  until: string,
): string {
  const parts = [`<g class="row" data-server="${escapeHtml(server.id)}">`];
  parts.push(
    `<text x="${LABEL - 8}" y="${top + 19}" text-anchor="end" class="name">${escapeHtml(server.name)}</text>`,
  );
  for (const span of server.phases) {
    const style = PHASE_STYLE[span.phase];
    const from = x(span.start);
    const to = Math.max(from + 3, x(span.end ?? until));
    const width = to - from;
    const label = `${server.name}: ${style.label} from ${clockTime(span.start)}${span.end === undefined ? '' : ` to ${clockTime(span.end)}`}`;
    parts.push(
      `<rect x="${from.toFixed(1)}" y="${top + 4}" width="${width.toFixed(1)}" height="${ROW - 8}" fill="${style.fill}" class="bar phase-${span.phase}"><title>${escapeHtml(label)}</title></rect>`,
    );
    if (style.failed === true) {
      parts.push(
        `<rect x="${from.toFixed(1)}" y="${top + 4}" width="${width.toFixed(1)}" height="${ROW - 8}" fill="url(#hatch)"/>`,
      );
    }
    if (width >= style.label.length * 6.5 + 6) {
      parts.push(
        `<text x="${(from + width / 2).toFixed(1)}" y="${top + 19}" text-anchor="middle" class="in-bar" fill="${DARK.has(span.phase) ? '#ffffff' : '#000000'}">${style.label}</text>`,
      );
    }
  }
  const state = server.state === 'pending' ? 'pending' : PHASE_STYLE[server.state].label;
  const reason = server.reason === undefined ? '' : `: ${server.reason}`;
  parts.push(
    `<text x="${(WIDTH - END_LABEL + 8).toFixed(1)}" y="${top + 19}" class="state">${escapeHtml(`${state}${reason}`)}</text>`,
    '</g>',
  );
  return parts.join('');
}
