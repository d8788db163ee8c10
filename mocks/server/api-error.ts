/**
 * The one error class the API layer answers with, and the gateway errors every product shares.
 * Classes are named after the real codes (LocalStack style); status and default message come from
 * the error table, so a code has the same status wherever it is raised.
 */
import { errorTable, statusForUnknownCode } from './error-table.js';

/**
 * An error the emulator answers with: JSON body `{RequestId, HostId, Code, Message, Recommend}`
 * and the real HTTP status.
 *
 * @example throw new ApiError('ServiceIsConfiguring');
 */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  /** Extra response headers, e.g. `x-acs-retry-after` on an injected throttling error. */
  readonly headers: Record<string, string>;

  constructor(
    code: string,
    message?: string,
    options: { status?: number; headers?: Record<string, string> } = {},
  ) {
    const spec = errorTable[code];
    super(message ?? spec?.message ?? code);
    this.name = 'ApiError';
    this.code = code;
    this.status = options.status ?? spec?.status ?? statusForUnknownCode(code);
    this.headers = options.headers ?? {};
  }
}

export class SignatureDoesNotMatch extends ApiError {
  constructor(stringToSign: string) {
    super(
      'SignatureDoesNotMatch',
      `Specified signature does not match our calculation. server StringToSign is [${stringToSign}]`,
    );
  }
}

export class IncompleteSignature extends ApiError {
  constructor(detail: string) {
    super(
      'IncompleteSignature',
      `The request signature does not conform to Aliyun standards. ${detail}`,
    );
  }
}

export class InvalidAccessKeyIdNotFound extends ApiError {
  constructor() {
    super('InvalidAccessKeyId.NotFound');
  }
}

export class MissingAccessKeyId extends ApiError {
  constructor() {
    super('MissingAccessKeyId');
  }
}

export class InvalidTimeStampExpired extends ApiError {
  constructor(detail: string) {
    super('InvalidTimeStamp.Expired', `Specified time stamp or date value is expired. ${detail}`);
  }
}

export class InvalidTimeStampFormat extends ApiError {
  constructor(value: string) {
    super(
      'InvalidTimeStamp.Format',
      `Specified time stamp or date value is not well formatted: ${value}`,
    );
  }
}

export class SignatureNonceUsed extends ApiError {
  constructor() {
    super('SignatureNonceUsed');
  }
}

export class InvalidVersion extends ApiError {
  constructor() {
    super('InvalidVersion');
  }
}

export class InvalidActionNotFound extends ApiError {
  constructor() {
    super('InvalidAction.NotFound');
  }
}

export class MissingParameter extends ApiError {
  constructor(name: string) {
    super(
      'MissingParameter',
      `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
    );
  }
}

export class InvalidParameter extends ApiError {
  constructor(name: string, detail?: string) {
    super(
      'InvalidParameter',
      `The specified parameter "${name}" is not valid.${detail ? ` ${detail}` : ''}`,
    );
  }
}

export class InternalError extends ApiError {
  constructor(message?: string) {
    super('InternalError', message);
  }
}
