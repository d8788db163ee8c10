/**
 * One problem found in a workflow file, and the one error that carries all of them. Every
 * issue names the path inside the file (`rollout.maxUnavailable`), what was expected and what
 * was found; the line and column when the path exists in the file.
 */
import type { Document, LineCounter } from 'yaml';
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import { InvalidInputError, type InvalidInputIssue } from '../errors/index.js';

export type PathSegment = string | number;

/** An issue before it is placed in the file. */
export interface RawIssue {
  path: readonly PathSegment[];
  expected: string;
  found?: string;
}

export interface SpecIssue extends InvalidInputIssue {
  line?: number;
  column?: number;
}

/** `rollout.groups.db[1]`; the top level is `(top level)`. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? segment : `.${segment}`;
  }
  return text === '' ? '(top level)' : text;
}

/** How a value found in the file reads in a message: `"two"`, `5`, `a list of 3`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length === 0 ? 'an empty mapping' : `a mapping with ${keys.slice(0, 4).join(', ')}`;
  }
  return String(value);
}

export interface YamlLocator {
  document: Document;
  lineCounter: LineCounter;
}

/** Line and column of the deepest part of `path` present in the file (keys point at the key). */
export function locate(
  locator: YamlLocator,
  path: readonly PathSegment[],
): { line: number; column: number } | undefined {
  let node: unknown = locator.document.contents;
  let offset: number | undefined = rangeStart(node);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair === undefined) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      node = item;
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  if (offset === undefined) return undefined;
  const position = locator.lineCounter.linePos(offset);
  return { line: position.line, column: position.col };
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range?.[0];
}

/** Place raw issues in the file and order them as they appear in it. */
export function placeIssues(raw: readonly RawIssue[], locator?: YamlLocator): SpecIssue[] {
  const seen = new Set<string>();
  const placed: SpecIssue[] = [];
  for (const issue of raw) {
    const path = formatPath(issue.path);
    const key = `${path}\u0000${issue.expected}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const where = locator ? locate(locator, issue.path) : undefined;
    placed.push({
      path,
      expected: issue.expected,
      ...(issue.found === undefined ? {} : { found: issue.found }),
      ...(where ? { line: where.line, column: where.column } : {}),
    });
  }
  return placed.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/**
 * The error for a workflow with problems: exit 3, the first problem in the message (with file,
 * line and path), every problem in `issues`.
 */
export function invalidWorkflowError(
  file: string,
  issues: readonly SpecIssue[],
): InvalidInputError {
  const [first, ...rest] = issues;
  if (first === undefined) {
    return new InvalidInputError(`${file}: invalid workflow`, { file });
  }
  const where = first.line === undefined ? '' : `:${first.line}:${first.column}`;
  const more =
    rest.length === 0 ? '' : ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})`;
  return new InvalidInputError(`${file}${where}: ${describeIssue(first)}${more}`, {
    file,
    path: first.path,
    expected: first.expected,
    ...(first.found === undefined ? {} : { found: first.found }),
    issues: [...issues],
    hint: rest.length === 0 ? undefined : 'every problem is listed; fix them all before re-running',
  });
}

/** `rollout.maxUnavailable: expected a count like 2 or a percent like "50%", found "two"` */
export function describeIssue(issue: InvalidInputIssue): string {
  const found = issue.found === undefined ? '' : `, found ${issue.found}`;
  return `${issue.path}: expected ${issue.expected}${found}`;
}
