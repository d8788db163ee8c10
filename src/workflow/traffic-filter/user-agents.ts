/**
 * `ignoreUserAgents` entries: a request is ignored when its user agent contains one of them,
 * ignoring ASCII case (the classifier lower-cases the entry once, the line's bytes as it reads
 * them). A request without a User-Agent header is logged as `-`; one with an empty header as an
 * empty value, which no non-empty entry is contained in.
 */
import { utf8Bytes } from './path-patterns.js';

/** Likely user agents first, so the example reads like a request; the empty one always fits. */
const CANDIDATES = [
  'Mozilla/5.0 (X11; Linux x86_64)',
  'curl/8.5.0',
  '-',
  ...'abcdefghijklmnopqrstuvwxyz0123456789',
  '',
];

/** A user agent (ASCII) that contains none of `entries`, or undefined when every one does. */
export function userAgentNoEntryMatches(entries: readonly string[]): string | undefined {
  const needles = entries.map((entry) => utf8Bytes(entry.toLowerCase()));
  if (needles.includes('')) return undefined;
  return CANDIDATES.find((agent) => {
    const folded = agent.toLowerCase();
    return !needles.some((needle) => folded.includes(needle));
  });
}
