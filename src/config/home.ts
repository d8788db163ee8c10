/**
 * DRAINCTL_HOME and DRAINCTL_LOG_LEVEL checked before any command uses them: a bad value is
 * invalid input (exit 3) naming the variable and what is expected — never a stack trace from
 * the logger, and never a run that fails to write its journal after it started changing things.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidInputError } from '../errors/index.js';

/** The levels DRAINCTL_LOG_LEVEL may name (pino's). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** DRAINCTL_LOG_LEVEL, checked; undefined when unset or empty. */
export function logLevelFrom(env: NodeJS.ProcessEnv, origin?: DotEnvOrigin): string | undefined {
  const text = env.DRAINCTL_LOG_LEVEL?.trim();
  if (text === undefined || text === '') return undefined;
  const level = text.toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level;
  throw environmentError('DRAINCTL_LOG_LEVEL', `one of ${LOG_LEVELS.join(', ')}`, `"${text}"`, {
    origin,
  });
}

/**
 * The home (already resolved to an absolute path) must be a directory, or not exist yet below
 * a directory. `shown` is how the user wrote it.
 */
export function checkHomeShape(home: string, shown: string, origin?: DotEnvOrigin): void {
  let path = home;
  for (;;) {
    const kind = kindOf(path);
    if (kind === 'directory') return;
    if (kind === 'other') {
      throw environmentError(
        'DRAINCTL_HOME',
        'a directory for journals and locks (or a path where one can be created)',
        path === home
          ? `${quote(shown)}, which is a file`
          : `${quote(shown)}, below the file ${path}`,
        { origin },
      );
    }
    const parent = dirname(path);
    if (parent === path) return;
    path = parent;
  }
}

/**
 * Before a command writes journals or locks: create the home if needed and make sure this
 * process may write into it.
 */
export function ensureWritableHome(home: string, shown: string = home): void {
  checkHomeShape(home, shown);
  try {
    makeDirectories(home);
    accessSync(home, constants.W_OK | constants.X_OK);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw environmentError(
      'DRAINCTL_HOME',
      'a directory drainctl can create and write (journals and locks live there)',
      `${quote(shown)}, which cannot be written (${code})`,
      { cause },
    );
  }
}

/**
 * `mkdir -p`, one level at a time: Node 20's recursive mkdir never returns where a level cannot
 * be created (below /proc, for one).
 */
function makeDirectories(path: string): void {
  if (kindOf(path) === 'directory') return;
  const parent = dirname(path);
  if (parent !== path) makeDirectories(parent);
  mkdirSync(path);
}

function kindOf(path: string): 'directory' | 'other' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'other';
  } catch {
    return 'missing';
  }
}

function quote(text: string): string {
  return JSON.stringify(text);
}

/** The variables a `.env` file set (the shell had not), so their errors name that file. */
export interface DotEnvOrigin {
  file: string;
  names: readonly string[];
}

/**
 * `DRAINCTL_LOG_LEVEL: expected …, found …`, prefixed with the `.env` file when the value came
 * from it: a person looks for a bad value where it was written.
 */
export function environmentError(
  variable: string,
  expected: string,
  found: string,
  options: { cause?: unknown; origin?: DotEnvOrigin | undefined } = {},
): InvalidInputError {
  const file = options.origin?.names.includes(variable) ? options.origin.file : undefined;
  return new InvalidInputError(
    `${file === undefined ? '' : `${file}: `}${variable}: expected ${expected}, found ${found}`,
    {
      file: file ?? 'environment',
      path: variable,
      expected,
      found,
      issues: [{ path: variable, expected, found }],
      cause: options.cause,
    },
  );
}
