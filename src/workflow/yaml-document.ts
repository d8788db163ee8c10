/**
 * Parsing workflow text into a YAML document that remembers where everything is, so every later
 * problem can be reported with its line and column. Pure: the text is given.
 *
 * Anchors and aliases of whole values work. Merge keys (`<<`) are not supported (YAML 1.2 has
 * none): refused with their line. An alias without its anchor, or aliases expanding beyond
 * MAX_ALIAS_COUNT (an "alias bomb"), are invalid input naming the file — never a stack trace.
 */
import {
  type Document,
  isAlias,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
} from 'yaml';
import { InvalidInputError } from '../errors/index.js';
import {
  describeIssue,
  formatPath,
  type PathSegment,
  type RawIssue,
  type YamlLocator,
} from './issue.js';

/** How many alias expansions one file may have (the yaml library's own default). */
export const MAX_ALIAS_COUNT = 100;

export interface ParsedYaml extends YamlLocator {
  document: Document;
}

/** Throws InvalidInputError (exit 3) naming the file, line and column of a syntax error. */
export function parseYamlText(file: string, text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter });
  const first = document.errors[0];
  if (first?.code === 'MULTIPLE_DOCS') {
    // yaml's own words here name its API (`parseAllDocuments()`), not the file's problem.
    const position = first.linePos?.[0];
    throw yamlProblem(file, position, {
      path: ['(document)'],
      expected: 'one YAML document (one workflow per file)',
      found: `a second document${position ? `, started by the --- on line ${position.line}` : ''}`,
    });
  }
  if (first !== undefined) {
    const position = first.linePos?.[0];
    const where = position ? `:${position.line}:${position.col}` : '';
    throw new InvalidInputError(
      `${file}${where}: invalid YAML: ${first.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`,
      {
        file,
        path: '(document)',
        expected: 'valid YAML',
        found: first.code,
        issues: [{ path: '(document)', expected: 'valid YAML', found: first.code }],
        cause: first,
      },
    );
  }
  const parsed = { document, lineCounter };
  refuseUnsupportedAliases(file, parsed);
  return parsed;
}

/**
 * The document as plain data, aliases expanded at most MAX_ALIAS_COUNT times; too many is
 * invalid input (exit 3) naming the file.
 */
export function yamlData(file: string, parsed: ParsedYaml): unknown {
  try {
    return parsed.document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (cause) {
    throw yamlProblem(
      file,
      undefined,
      {
        path: [],
        expected: `at most ${MAX_ALIAS_COUNT} alias expansions`,
        found: 'more (an alias bomb?)',
      },
      cause,
    );
  }
}

function refuseUnsupportedAliases(file: string, parsed: ParsedYaml): void {
  const { document } = parsed;
  let problem: (RawIssue & { offset: number }) | undefined;
  visit(document, {
    Alias(_key, node, ancestors) {
      if (node.resolve(document) !== undefined) return undefined;
      problem = {
        offset: node.range?.[0] ?? 0,
        path: pathOf(ancestors, node),
        expected: `an anchor &${node.source} defined before the alias`,
        found: `*${node.source}, which has none`,
      };
      return visit.BREAK;
    },
    Pair(_key, pair, ancestors) {
      if (!isScalar(pair.key) || pair.key.value !== '<<') return undefined;
      if (!isAlias(pair.value) && pair.key.type !== 'PLAIN') return undefined;
      problem = {
        offset: pair.key.range?.[0] ?? 0,
        path: [...pathOf(ancestors, pair), '<<'],
        expected:
          'the keys written out (merge keys are not supported; aliases of whole values are)',
        found: 'a merge key <<',
      };
      return visit.BREAK;
    },
  });
  if (problem === undefined) return;
  throw yamlProblem(file, parsed.lineCounter.linePos(problem.offset), problem);
}

/** Keys and indexes from the document root down to `node`. */
function pathOf(ancestors: readonly unknown[], node: unknown): PathSegment[] {
  const path: PathSegment[] = [];
  ancestors.forEach((ancestor, index) => {
    const child = ancestors[index + 1] ?? node;
    if (isPair(ancestor) && isScalar(ancestor.key) && child === ancestor.value) {
      path.push(String(ancestor.key.value));
    } else if (isSeq(ancestor)) {
      path.push(ancestor.items.indexOf(child as never));
    }
  });
  return path;
}

function yamlProblem(
  file: string,
  position: { line: number; col: number } | undefined,
  raw: RawIssue,
  cause?: unknown,
): InvalidInputError {
  const issue = { path: formatPath(raw.path), expected: raw.expected, found: raw.found ?? '' };
  const where = position ? `:${position.line}:${position.col}` : '';
  return new InvalidInputError(`${file}${where}: ${describeIssue(issue)}`, {
    file,
    ...issue,
    issues: [{ ...issue, ...(position ? { line: position.line, column: position.col } : {}) }],
    cause,
  });
}
