/**
 * drainctl's error model. Owns the base error class, the exit-code table and the mapping of any
 * thrown value to one clear line. Every folder throws these (or subclasses); only the CLI's
 * top-level handler turns them into exit codes and output. Must not import from any other folder.
 */

/** Process exit codes: the CLI contract of docs/design.md §3. */
export const ExitCode = {
  ok: 0,
  error: 1,
  /** The run stopped in a safe state; `drainctl status` says which node needs attention. */
  halted: 2,
  invalidInput: 3,
  /** `drainctl watch`: the drain timed out. */
  drainTimeout: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface DrainctlErrorOptions {
  /** What the person at the keyboard should check or do next. */
  hint?: string;
  cause?: unknown;
  /** Whether retrying the same operation may succeed (used by the retry policy). */
  retryable?: boolean;
  exitCode?: ExitCode;
}

/**
 * Base class of every error drainctl raises on purpose. `code` is stable (scripts and chat-ops
 * match on it); `message` is for people.
 *
 * @example
 *   throw new DrainctlError('LOCK_HELD', 'slb lb-1 is held by run r-42', { hint: 'drainctl status r-42' });
 */
export class DrainctlError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: DrainctlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode ?? ExitCode.error;
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
  }
}

/** Where in the input the problem is: a file and a dotted path inside it (`rollout.maxUnavailable`). */
export interface InputLocation {
  file?: string;
  path?: string;
}

/**
 * Bad input: a workflow, a flag, a topology file. Always exit 3 and always names the file, the
 * path inside it, what was expected and what was found. Raised before anything is mutated.
 */
export class InvalidInputError extends DrainctlError {
  readonly file: string | undefined;
  readonly path: string | undefined;
  readonly expected: string | undefined;
  readonly found: string | undefined;
  /** Further problems found in the same input, so a user can fix them all in one go. */
  readonly issues: readonly InvalidInputIssue[];

  constructor(
    message: string,
    details: InputLocation & {
      expected?: string;
      found?: string;
      issues?: InvalidInputIssue[];
      cause?: unknown;
      hint?: string;
    } = {},
  ) {
    super('INVALID_INPUT', message, {
      exitCode: ExitCode.invalidInput,
      cause: details.cause,
      hint: details.hint,
    });
    this.file = details.file;
    this.path = details.path;
    this.expected = details.expected;
    this.found = details.found;
    this.issues = details.issues ?? [];
  }
}

export interface InvalidInputIssue {
  path: string;
  expected: string;
  found?: string;
}

/** A feature whose command exists but whose implementation has not landed yet. */
export class NotAvailableError extends DrainctlError {
  constructor(feature: string, detail?: string) {
    super('NOT_AVAILABLE', `${feature} is not built yet${detail ? `: ${detail}` : ''}`, {
      exitCode: ExitCode.error,
    });
  }
}

/**
 * An error answered by a cloud API. Keeps the provider's `Code`, HTTP status and `RequestId`
 * because people quote the request id to the provider's support.
 */
export class CloudApiError extends DrainctlError {
  readonly provider: string;
  readonly action: string;
  readonly cloudCode: string;
  readonly httpStatus: number | undefined;
  readonly requestId: string | undefined;
  /**
   * How many times the request was sent before this error (retries included), when the caller
   * counted. More than one means an earlier attempt may have reached the API and been applied,
   * whatever this last answer says.
   */
  readonly attempts: number | undefined;

  constructor(details: {
    provider: string;
    action: string;
    cloudCode: string;
    message: string;
    httpStatus?: number;
    requestId?: string;
    attempts?: number;
    retryable: boolean;
    hint?: string;
    cause?: unknown;
  }) {
    const status = details.httpStatus === undefined ? '' : ` HTTP ${details.httpStatus}`;
    const rid = details.requestId === undefined ? '' : ` RequestId ${details.requestId}`;
    super(
      'CLOUD_API_ERROR',
      `${details.provider} ${details.action} failed: ${details.cloudCode}${status}: ${details.message}${rid}`,
      { retryable: details.retryable, hint: details.hint, cause: details.cause },
    );
    this.provider = details.provider;
    this.action = details.action;
    this.cloudCode = details.cloudCode;
    this.httpStatus = details.httpStatus;
    this.requestId = details.requestId;
    this.attempts = details.attempts;
  }
}

/** Turn anything thrown into a DrainctlError without losing the original as `cause`. */
export function toDrainctlError(error: unknown): DrainctlError {
  if (error instanceof DrainctlError) return error;
  if (error instanceof Error) {
    return new DrainctlError('UNEXPECTED', error.message, { cause: error });
  }
  return new DrainctlError('UNEXPECTED', String(error));
}

/** The one line the CLI prints for an error: `drainctl: <CODE>: message (hint: …)`. */
export function formatErrorLine(error: DrainctlError): string {
  const hint = error.hint ? ` (hint: ${error.hint})` : '';
  return `drainctl: ${error.code}: ${error.message}${hint}`;
}

export { describeIoError, ioErrorCode, ioErrorRemedy } from './io-error.js';
