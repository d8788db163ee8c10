/**
 * Turning zod's issues into drainctl's: every message is phrased as what was expected, the
 * value found is quoted, unknown keys come with the known ones (and the likely intended one),
 * and a failed union reports the branch the user was evidently writing.
 */
import type { z } from 'zod';
import { describeValue, type PathSegment, type RawIssue } from './issue.js';

const KNOWN_KEYS = 'one of the known keys: ';

const TYPE_PHRASES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
};

/**
 * zod error map: the message of every issue zod raises itself becomes an "expected" phrase.
 * Schema-level `error` options take precedence and are already phrased that way.
 */
export const expectedPhrase: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type': {
      const phrase = TYPE_PHRASES[issue.expected] ?? issue.expected;
      return issue.input === undefined ? `${phrase} (required)` : phrase;
    }
    case 'too_small':
      if (issue.origin === 'array') return `at least ${issue.minimum} item(s)`;
      if (issue.origin === 'string') return `at least ${issue.minimum} character(s)`;
      return `a number ${issue.inclusive ? '≥' : '>'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'array') return `at most ${issue.maximum} item(s)`;
      if (issue.origin === 'string') return `at most ${issue.maximum} character(s)`;
      return `a number ${issue.inclusive ? '≤' : '<'} ${issue.maximum}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `exactly ${JSON.stringify(issue.values[0])}`
        : `one of ${issue.values.map((value) => String(value)).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'regex'
        ? `text matching ${issue.pattern}`
        : `a valid ${issue.format}`;
    case 'unrecognized_keys': {
      const shape = (issue.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def
        ?.shape;
      return `${KNOWN_KEYS}${Object.keys(shape ?? {}).join(', ')}`;
    }
    default:
      return undefined;
  }
};

/** Flatten zod issues into raw issues (paths relative to the document). */
export function fromZodIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PathSegment[] = [],
): RawIssue[] {
  return issues.flatMap((issue) => fromZodIssue(issue, prefix));
}

function fromZodIssue(issue: z.core.$ZodIssue, prefix: readonly PathSegment[]): RawIssue[] {
  const path = [...prefix, ...(issue.path as PathSegment[])];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => unknownKey(path, key, issue.message));
    case 'invalid_union': {
      const branch = likelyBranch(issue.errors);
      if (branch !== undefined) return fromZodIssues(branch, path);
      const found = issue.input === undefined ? 'nothing' : describeValue(issue.input);
      return [{ path, expected: issue.message, found }];
    }
    case 'invalid_key':
    case 'invalid_element':
      return [{ path, expected: issue.issues[0]?.message ?? issue.message, found: 'a bad key' }];
    default:
      return [{ path, expected: issue.message, found: describeValue(issue.input) }];
  }
}

/**
 * The union branch the user was writing: the only one that did not fail right at its root
 * (a mapping where text was allowed fails the text branch at its root; its object branch then
 * holds the useful complaint).
 */
function likelyBranch(branches: readonly z.core.$ZodIssue[][]): z.core.$ZodIssue[] | undefined {
  const viable = branches.filter(
    (branch) =>
      branch.length > 0 &&
      !branch.every(
        (issue) =>
          issue.path.length === 0 &&
          (issue.code === 'invalid_type' || issue.code === 'invalid_value'),
      ),
  );
  return viable.length === 1 ? viable[0] : undefined;
}

function unknownKey(path: readonly PathSegment[], key: string, message: string): RawIssue {
  const known = message.startsWith(KNOWN_KEYS)
    ? message.slice(KNOWN_KEYS.length).split(', ').filter(Boolean)
    : [];
  const suggestion = closest(key, known);
  return {
    path: [...path, key],
    expected: known.length > 0 ? `a known key (${known.join(', ')})` : 'no such key',
    found: `unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
  };
}

/** The known key within a small edit distance of `key`, if any. */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (
      distance <= Math.max(2, Math.floor(name.length / 4)) &&
      (!best || distance < best.distance)
    ) {
      best = { name, distance };
    }
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
