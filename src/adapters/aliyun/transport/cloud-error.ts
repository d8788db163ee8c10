/**
 * Turns a failed cloud call into the error people read at 3 am: the cloud's Code, HTTP status
 * and RequestId, plus — for the mistakes people make when setting drainctl up (credentials,
 * permissions, region, endpoint) — one line naming what to check.
 */
import { CloudApiError } from '../../../errors/index.js';
import type { CloudProduct, FailureKind } from './retry-policy.js';
import type { SdkFailure } from './sdk-error.js';

/** Where a call went and with which credentials, for the hints. */
export interface CallTarget {
  region: string;
  /** `host[:port]` the product's calls go to. */
  endpoint: string;
  /** True when DRAINCTL_CLOUD_ENDPOINT (or an explicit endpoint) replaced the real ones. */
  endpointOverridden: boolean;
  /** Where the credentials came from: `explicit`, `default/env`, `default/profile`, …; undefined before the first call. */
  credentialSource: string | undefined;
}

const CREDENTIAL_CODES = new Set([
  'InvalidAccessKeyId.NotFound',
  'InvalidAccessKeyId',
  'InvalidAccessKeyId.Inactive',
  'MissingAccessKeyId',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'InvalidSecurityToken.Expired',
  'InvalidSecurityToken.Malformed',
  'InvalidSecurityToken.MismatchWithAccessKey',
]);
const PERMISSION_CODES = new Set([
  'Forbidden',
  'Forbidden.RAM',
  'Forbidden.NoPermission',
  'Forbidden.AccessDenied',
  'NoPermission',
]);
const REGION_CODES = new Set([
  'InvalidRegionId',
  'InvalidRegionId.NotFound',
  'InvalidRegionId.Malformed',
  'InvalidRegion',
  'UnsupportedRegion',
]);
const UNREACHABLE_CODES = new Set(['ENOTFOUND', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The stable `code`s of the errors below (scripts and chat-ops match on them). */
export type AliyunErrorCode =
  | 'CLOUD_API_ERROR'
  | 'CLOUD_RETRIES_EXHAUSTED'
  | 'CLOUD_CREDENTIALS_REJECTED'
  | 'CLOUD_PERMISSION_DENIED'
  | 'CLOUD_REGION_INVALID'
  | 'CLOUD_ENDPOINT_UNREACHABLE';

/** A CloudApiError whose `code` says which kind of failure it is. */
export class AliyunApiError extends CloudApiError {
  override readonly code: AliyunErrorCode;
  /** How many attempts were made before giving up (always counted here). */
  override readonly attempts: number;
  /**
   * `ambiguous`: the request may have been applied (timeout, reset, 5xx); `rejected`: the cloud
   * refused it; `fatal`: the cloud answered no. Adapters re-read after an ambiguous failure.
   */
  readonly failureKind: FailureKind;

  constructor(
    code: AliyunErrorCode,
    details: ConstructorParameters<typeof CloudApiError>[0] & {
      attempts: number;
      failureKind: FailureKind;
    },
  ) {
    super(details);
    this.code = code;
    this.attempts = details.attempts;
    this.failureKind = details.failureKind;
  }
}

/** The error for a failure that will not be retried (or no longer). */
export function toCloudError(
  failure: SdkFailure,
  call: {
    product: CloudProduct;
    action: string;
    target: CallTarget;
    attempts: number;
    kind: FailureKind;
  },
  exhausted?: { elapsedMs: number },
): AliyunApiError {
  const { code, hint } = diagnose(failure, call);
  const tail = exhausted
    ? ` (still failing after ${call.attempts} attempts in ${(exhausted.elapsedMs / 1000).toFixed(1)} s; retry budget exhausted)`
    : '';
  return new AliyunApiError(
    exhausted && code === 'CLOUD_API_ERROR' ? 'CLOUD_RETRIES_EXHAUSTED' : code,
    {
      provider: `aliyun ${call.product}`,
      action: call.action,
      cloudCode: failure.code,
      message: `${firstLine(failure.message)}${tail}`,
      httpStatus: failure.httpStatus,
      requestId: failure.requestId,
      retryable: exhausted !== undefined,
      hint,
      attempts: call.attempts,
      failureKind: call.kind,
    },
  );
}

function diagnose(
  failure: SdkFailure,
  call: { product: CloudProduct; action: string; target: CallTarget },
): { code: AliyunErrorCode; hint?: string } {
  const { code } = failure;
  const { target } = call;
  if (CREDENTIAL_CODES.has(code)) {
    return { code: 'CLOUD_CREDENTIALS_REJECTED', hint: credentialHint(code, target) };
  }
  if (PERMISSION_CODES.has(code)) {
    return {
      code: 'CLOUD_PERMISSION_DENIED',
      hint: `grant the RAM action ${ramNamespace(call.product)}:${call.action} to the user or role drainctl runs as (docs/aliyun.md lists every action drainctl needs)`,
    };
  }
  if (REGION_CODES.has(code)) {
    return {
      code: 'CLOUD_REGION_INVALID',
      hint: `region "${target.region}" was refused: check the workflow's region or ALIBABA_CLOUD_REGION_ID`,
    };
  }
  if (failure.transport && UNREACHABLE_CODES.has(code)) {
    return {
      code: 'CLOUD_ENDPOINT_UNREACHABLE',
      hint: target.endpointOverridden
        ? `nothing answers at ${target.endpoint}: is the emulator running? check DRAINCTL_CLOUD_ENDPOINT`
        : `cannot reach ${target.endpoint}: check the region ("${target.region}", from the workflow or ALIBABA_CLOUD_REGION_ID) and this machine's network`,
    };
  }
  return { code: 'CLOUD_API_ERROR' };
}

function credentialHint(code: string, target: CallTarget): string {
  const source = describeSource(target.credentialSource);
  if (code.startsWith('InvalidSecurityToken')) {
    return `the STS token ${source} is expired or does not belong to the access key: refresh ALIBABA_CLOUD_SECURITY_TOKEN (or the profile's token)`;
  }
  if (code === 'SignatureDoesNotMatch' || code === 'IncompleteSignature') {
    return `the access key secret ${source} does not match its access key id: check ALIBABA_CLOUD_ACCESS_KEY_SECRET, or the profile in ~/.alibabacloud/credentials (ALIBABA_CLOUD_PROFILE)`;
  }
  return `Alibaba Cloud does not know the access key id ${source}: check ALIBABA_CLOUD_ACCESS_KEY_ID, or the profile in ~/.alibabacloud/credentials (ALIBABA_CLOUD_PROFILE), or the instance RAM role (ALIBABA_CLOUD_ECS_METADATA)`;
}

function describeSource(source: string | undefined): string {
  if (source === undefined) return '';
  if (source === 'explicit') return '(passed explicitly)';
  if (source.includes('env')) return '(from the environment)';
  if (source.includes('profile')) return '(from a credentials profile)';
  if (source.includes('ecs_ram_role')) return '(from the instance RAM role)';
  return `(from ${source})`;
}

function ramNamespace(product: CloudProduct): string {
  return product === 'alidns' ? 'alidns' : product;
}

/** The real service appends "server StringToSign is [...]" (multi-line); keep one plain line. */
function firstLine(text: string): string {
  const withoutStringToSign = text.replace(/\s*server StringToSign is[\s\S]*$/, '');
  return withoutStringToSign.split('\n')[0]?.trim() ?? withoutStringToSign;
}
