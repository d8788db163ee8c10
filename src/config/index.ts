/**
 * Process configuration: the `.env` file and the environment variables of docs/design.md §3, read
 * once into a typed object. Owns parsing and defaults of environment variables; does not read
 * credentials (the Alibaba Cloud credential chain does that) and never logs values. Must not
 * import any folder of src/ but src/errors (lint-enforced).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { InvalidInputError } from '../errors/index.js';
import { checkHomeShape, type DotEnvOrigin, environmentError, logLevelFrom } from './home.js';
import { readRegularFileSync, unreadableFileFound } from './regular-file.js';

export {
  type DotEnvOrigin,
  ensureWritableHome,
  environmentError,
  LOG_LEVELS,
  logLevelFrom,
} from './home.js';
export { packageFile } from './package-files.js';
export { DRAINCTL_VERSION } from './version.js';

export interface DrainctlEnvironment {
  /** Default region when a workflow does not name one. */
  regionId: string | undefined;
  /** One endpoint for SLB, Alidns and ECS (the emulator); undefined means the real endpoints. */
  cloudEndpoint: URL | undefined;
  /** Where journals and locks live. */
  home: string;
  logLevel: string | undefined;
  /** DRAINCTL_API_RATE_LIMITS: overrides of the documented per-action API rate limits. */
  apiRateLimits?: ApiRateLimits | undefined;
  /** DRAINCTL_DATABASE_URL: runs and leases in PostgreSQL (serve replicas); else files. */
  databaseUrl?: string;
}

/** 'off' (no client-side limits), or per action `{ calls, perSeconds }` or 'off'. */
export type ApiRateLimits = 'off' | Record<string, { calls: number; perSeconds: number } | 'off'>;

/**
 * Load `.env` from `dir` into `env` without overriding variables that are already set: the shell
 * (or CI) always wins over the file. Returns the names that were loaded.
 */
export function loadDotEnv(
  dir: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const file = resolve(dir, '.env');
  if (!existsSync(file)) return [];
  let text: string;
  try {
    text = readRegularFileSync(file).toString('utf8');
  } catch (cause) {
    const found = unreadableFileFound(cause);
    const expected = 'a readable file of KEY=value lines';
    throw new InvalidInputError(`${file}: expected ${expected}, found ${found}`, {
      file,
      expected,
      found,
      cause,
    });
  }
  let parsed: Record<string, string>;
  try {
    parsed = parseEnv(text) as Record<string, string>;
  } catch (cause) {
    throw new InvalidInputError(`${file}: cannot be parsed as a .env file`, {
      file,
      expected: 'KEY=value lines',
      cause,
    });
  }
  const loaded: string[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (env[key] === undefined) {
      env[key] = value;
      loaded.push(key);
    }
  }
  return loaded;
}

/**
 * Read and check drainctl's environment variables. Bad values are invalid input (exit 3), naming
 * the `.env` file of `origin` when the value came from it.
 */
export function readEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
  origin?: DotEnvOrigin,
): DrainctlEnvironment {
  const endpointText = nonEmpty(env.DRAINCTL_CLOUD_ENDPOINT);
  let cloudEndpoint: URL | undefined;
  if (endpointText !== undefined) {
    const found = JSON.stringify(endpointText);
    try {
      cloudEndpoint = new URL(endpointText);
    } catch (cause) {
      throw environmentError('DRAINCTL_CLOUD_ENDPOINT', 'a URL like http://127.0.0.1:8080', found, {
        cause,
        origin,
      });
    }
    if (cloudEndpoint.protocol !== 'http:' && cloudEndpoint.protocol !== 'https:') {
      throw environmentError('DRAINCTL_CLOUD_ENDPOINT', 'an http:// or https:// URL', found, {
        origin,
      });
    }
  }
  const homeText = nonEmpty(env.DRAINCTL_HOME) ?? '.drainctl';
  // A relative home is relative to the working directory (the documented default ./.drainctl).
  const home = resolve(cwd, homeText);
  checkHomeShape(home, homeText, origin);
  return {
    regionId: nonEmpty(env.ALIBABA_CLOUD_REGION_ID),
    cloudEndpoint,
    home,
    logLevel: logLevelFrom(env, origin),
    apiRateLimits: apiRateLimitsFrom(nonEmpty(env.DRAINCTL_API_RATE_LIMITS), origin),
    ...databaseUrlEntry(env, origin),
  };
}

function databaseUrlEntry(
  env: NodeJS.ProcessEnv,
  origin: DotEnvOrigin | undefined,
): { databaseUrl?: string } {
  const url = databaseUrlFrom(env, origin);
  return url === undefined ? {} : { databaseUrl: url };
}

/**
 * DRAINCTL_DATABASE_URL, checked: a `postgres://` or `postgresql://` URL, or undefined when
 * unset or empty (everything stays in files under DRAINCTL_HOME).
 */
export function databaseUrlFrom(env: NodeJS.ProcessEnv, origin?: DotEnvOrigin): string | undefined {
  const text = nonEmpty(env.DRAINCTL_DATABASE_URL);
  if (text === undefined) return undefined;
  if (!/^postgres(ql)?:\/\/./.test(text)) {
    // Only the scheme is shown: the rest may hold a password.
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(text)?.[0];
    throw environmentError(
      'DRAINCTL_DATABASE_URL',
      'a postgres:// or postgresql:// URL',
      scheme === undefined ? 'a value without a URL scheme' : `a ${scheme} URL`,
      { origin },
    );
  }
  return text;
}

/**
 * `off`, or `Action=N/S` and `Action=off` separated by commas:
 * `SetBackendServers=60/60,DescribeHealthStatus=off`.
 */
function apiRateLimitsFrom(
  text: string | undefined,
  origin: DotEnvOrigin | undefined,
): ApiRateLimits | undefined {
  if (text === undefined) return undefined;
  if (text === 'off') return 'off';
  const limits: Record<string, { calls: number; perSeconds: number } | 'off'> = {};
  for (const entry of text.split(',')) {
    const match = /^\s*([A-Za-z]+)\s*=\s*(?:(off)|(\d+)\s*\/\s*(\d+))\s*$/.exec(entry);
    const calls = Number(match?.[3]);
    const perSeconds = Number(match?.[4]);
    if (match?.[1] === undefined || (match[2] === undefined && !(calls > 0 && perSeconds > 0))) {
      throw environmentError(
        'DRAINCTL_API_RATE_LIMITS',
        'off, or Action=CALLS/SECONDS and Action=off separated by commas (e.g. SetBackendServers=90/60)',
        JSON.stringify(entry.trim()),
        { origin },
      );
    }
    limits[match[1]] = match[2] === 'off' ? 'off' : { calls, perSeconds };
  }
  return limits;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
