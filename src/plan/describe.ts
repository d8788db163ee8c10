/** Small phrasing helpers shared by step descriptions and the runbook. */

/** `1 h 5 min`, `2 min 30 s`, `45 s` */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) return `${hours} h${minutes > 0 ? ` ${minutes} min` : ''}`;
  if (minutes > 0) return `${minutes} min${rest > 0 ? ` ${rest} s` : ''}`;
  return `${rest} s`;
}

/** `app=web, managed-by=drainctl` */
export function formatTags(tags: Record<string, string>): string {
  return Object.entries(tags)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
}

/** The weights a ramp passes through: `0 → 10 → 50 → 100`. */
export function rampWeights(from: number, target: number, percents: readonly number[]): string {
  if (target === 0) return `${from} (its recorded weight is 0: it stays out of rotation)`;
  const steps = percents.map((percent) => Math.max(1, Math.round((target * percent) / 100)));
  return [from, ...steps].join(' → ');
}

/** `1 %`, `0.5 %` */
export function formatRate(rate: number): string {
  return `${Number((rate * 100).toFixed(2))} %`;
}

/**
 * What a watched ramp hold does when it sees too few requests to judge: `, up to 150 s while it
 * has fewer than 20 requests (still fewer: back to 0, halts)`. Empty when nothing is watched
 * (no probe, or held 0 s).
 */
export function inconclusiveHold(
  restore: {
    holdSeconds: number;
    minRequests: number;
    extendSeconds: number;
    onInconclusive: 'halt' | 'continue';
  },
  watched: boolean,
): string {
  if (!watched || restore.holdSeconds <= 0) return '';
  const then = restore.onInconclusive === 'halt' ? 'back to 0, halts' : 'goes on with a warning';
  return `, up to ${restore.holdSeconds + restore.extendSeconds} s while it has fewer than ${restore.minRequests} requests (still fewer: ${then})`;
}
