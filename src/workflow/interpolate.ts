// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the workflow syntax for environment references
/**
 * `${VAR}` and `${VAR:-default}` in workflow values, from an environment passed in (the spec is
 * pure: it never reads `process`). `$${` writes a literal `${`. An unset variable without a
 * default is an error naming the path. A plain (unquoted) value that is exactly one reference
 * takes the type its text has — `maxUnavailable: ${MAX:-1}` is the number 1 — while a quoted
 * one stays text. A default is literal text: a nested `${A:-${B}}` is refused.
 */
import { type Document, isMap, isPair, isScalar, isSeq, parse as parseYamlScalar } from 'yaml';
import { wordAround } from '../log/known-secrets.js';
import type { PathSegment, RawIssue } from './issue.js';
import { formatPath } from './issue.js';
import { isTemplateField, literalTemplateText } from './path-template.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/** A value a reference took from the environment (a default is written in the file: not one). */
export interface EnvironmentValue {
  /** The variable's name. */
  name: string;
  value: string;
  /**
   * The whole word the value ends up in: itself, or with the letters and digits the text glues
   * to it (`-p${PASS}` gives `p` + the password, `${USER}${PASS}` both values).
   */
  word: string;
}

export interface Interpolation {
  issues: RawIssue[];
  /** Paths (formatted) whose whole value is one `${VAR}` reference, with the variable's name. */
  wholeReferences: Map<string, string>;
  /** Every path that used a variable, with the value it got. */
  interpolatedValues: Map<string, string>;
  /**
   * Every path that used a variable, with the values its references took from the environment
   * (defaults are written in the file, so they are not secrets): what a secret in a command is,
   * as opposed to the whole command around it.
   */
  environmentValues: Map<string, EnvironmentValue[]>;
  /** Every path that used a variable, with its text as written in the file. */
  writtenTexts: Map<string, string>;
}

const REFERENCE = /\$\$\{|\$\{([^}]*)(\}|$)/g;
const INNER = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;
const WHOLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}$/;

/** Replaces references in the document's values in place. */
export function interpolateDocument(document: Document, env: Environment): Interpolation {
  const result: Interpolation = {
    issues: [],
    wholeReferences: new Map(),
    interpolatedValues: new Map(),
    environmentValues: new Map(),
    writtenTexts: new Map(),
  };
  visit(document.contents, [], env, result);
  return result;
}

function visit(node: unknown, path: PathSegment[], env: Environment, out: Interpolation): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isPair(pair) && isScalar(pair.key)) {
        visit(pair.value, [...path, String(pair.key.value)], env, out);
      }
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      visit(item, [...path, index], env, out);
    });
  } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('${')) {
    const text = node.value;
    const values: EnvironmentValue[] = [];
    const placed: Placed[] = [];
    const replaced = replaceReferences(text, path, env, out.issues, placed);
    if (replaced === undefined) return;
    for (const { name, value, start } of placed) {
      values.push({ name, value, word: wordAround(replaced, start, start + value.length) });
    }
    const key = formatPath(path);
    const whole = WHOLE.exec(text);
    if (whole?.[1] !== undefined) out.wholeReferences.set(key, whole[1]);
    out.interpolatedValues.set(key, replaced);
    out.environmentValues.set(key, values);
    out.writtenTexts.set(key, text);
    // In a per-node template, only the text as written holds placeholders: a value from the
    // environment is never read, checked or expanded as one (`pw{ab}` stays `pw{ab}`).
    const stored = isTemplateField(key) ? withValuesLiteral(replaced, placed) : replaced;
    node.value = whole !== null && node.type === 'PLAIN' ? typedScalar(stored) : stored;
  }
}

/** An environment value and where it landed in the replaced text. */
interface Placed {
  name: string;
  value: string;
  start: number;
}

/** `text` with the braces of each placed value made literal for the template expander. */
function withValuesLiteral(text: string, placed: readonly Placed[]): string {
  let result = text;
  for (const { value, start } of [...placed].sort((a, b) => b.start - a.start)) {
    result = `${result.slice(0, start)}${literalTemplateText(value)}${result.slice(start + value.length)}`;
  }
  return result;
}

/**
 * The text with every reference replaced, or undefined when a reference could not be. Each
 * value taken from the environment is added to `values` when given.
 */
export function interpolateText(
  text: string,
  path: readonly PathSegment[],
  env: Environment,
  issues: RawIssue[],
  values?: EnvironmentValue[],
): string | undefined {
  const placed: Placed[] = [];
  const replaced = replaceReferences(text, path, env, issues, placed);
  if (replaced === undefined) return undefined;
  for (const { name, value, start } of placed) {
    values?.push({ name, value, word: wordAround(replaced, start, start + value.length) });
  }
  return replaced;
}

/** The text with every reference replaced (or undefined), and where each environment value went. */
function replaceReferences(
  text: string,
  path: readonly PathSegment[],
  env: Environment,
  issues: RawIssue[],
  placed: Placed[],
): string | undefined {
  let failed = false;
  // Where each environment value lands in the result, to find the word it ends up in.
  let growth = 0;
  const replaced = text.replace(REFERENCE, (match, inner: string | undefined, close, offset) => {
    const outcome = resolveReference(match, inner, close as string, path, env);
    if ('issue' in outcome) {
      issues.push(outcome.issue);
      failed = true;
      return match;
    }
    if (outcome.name !== undefined) {
      placed.push({ name: outcome.name, value: outcome.text, start: (offset as number) + growth });
    }
    growth += outcome.text.length - match.length;
    return outcome.text;
  });
  return failed ? undefined : replaced;
}

/**
 * What one reference stands for: its text, with the variable's name when the text came from
 * the environment, or the issue that stops it.
 */
function resolveReference(
  match: string,
  inner: string | undefined,
  close: string,
  path: readonly PathSegment[],
  env: Environment,
): { text: string; name?: string } | { issue: RawIssue } {
  if (match === '$${') return { text: '${' };
  if (close !== '}') {
    return {
      issue: {
        path,
        expected: 'a closed variable reference like ${NAME}',
        found: JSON.stringify(match),
      },
    };
  }
  const parsed = INNER.exec(inner ?? '');
  if (parsed === null) {
    return {
      issue: {
        path,
        expected: 'a variable reference like ${NAME} or ${NAME:-default}',
        found: JSON.stringify(match),
      },
    };
  }
  const [, name = '', fallback] = parsed;
  if (fallback?.includes('${')) {
    // `${A:-${B}}` is not supported: the default is literal text. Refused rather than
    // half-read (the first `}` would end the reference and leave a stray one behind).
    return {
      issue: {
        path,
        expected: `a literal default: nested references like \${${name}:-\${OTHER}} are not supported`,
        found: JSON.stringify(`${match}}`),
      },
    };
  }
  const value = env[name];
  if (value !== undefined && value !== '') return { text: value, name };
  if (fallback !== undefined) return { text: fallback };
  return {
    issue: {
      path,
      expected: `environment variable ${name} to be set (or a default: \${${name}:-value})`,
      found: value === '' ? `${name} set but empty` : `${name} not set`,
    },
  };
}

/** Numbers and booleans keep their type; anything else stays text. */
function typedScalar(text: string): unknown {
  try {
    const value: unknown = parseYamlScalar(text);
    return typeof value === 'number' || typeof value === 'boolean' ? value : text;
  } catch {
    return text;
  }
}
