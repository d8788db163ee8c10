/**
 * What a blocked gate says about the alerts that block it: each by its name and labels, as
 * Prometheus writes a series, cut to a length a journal line, a status screen and a chat
 * message can carry.
 */
import type { AlertMatch } from '../ports/index.js';

/** The longest reason; the full list is in the verdict's `matches`. */
export const MAX_REASON_LENGTH = 400;

/** Labels every ALERTS series has, which say nothing about which alert it is. */
const NOISE = new Set(['__name__', 'alertname', 'alertstate']);

/** `HighErrorRate{instance="web-1", severity="critical"}`; a plain series by its metric name. */
export function describeSeries(labels: Record<string, string>): string {
  const name = labels.alertname ?? labels.__name__ ?? '';
  const rest = Object.keys(labels)
    .filter((key) => !NOISE.has(key))
    .sort()
    .map((key) => `${key}="${labels[key]}"`);
  return `${name}{${rest.join(', ')}}`;
}

/** "2 series match ALERTS{…}: A{…}, B{…}", cut at MAX_REASON_LENGTH with how many were left out. */
export function describeMatches(query: string, matches: readonly AlertMatch[]): string {
  const head = `${matches.length} series match ${query}: `;
  const shown: string[] = [];
  for (const match of matches) {
    const text = describeSeries(match.labels);
    const left = matches.length - shown.length - 1;
    const candidate = [...shown, text].join(', ') + (left > 0 ? `, … and ${left} more` : '');
    if (shown.length > 0 && head.length + candidate.length > MAX_REASON_LENGTH) break;
    shown.push(text);
  }
  const left = matches.length - shown.length;
  const text = `${head}${shown.join(', ')}${left > 0 ? `, … and ${left} more` : ''}`;
  return text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH - 1)}…` : text;
}
