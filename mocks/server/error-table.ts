/**
 * Every error code the emulator can answer with, its HTTP status and its default message, in one
 * place: handlers raise them by class (see api-error.ts and each service's errors.ts), and fault
 * injection looks codes up here so an injected error has the real status and body.
 *
 * Sources: the SLB API error-code table, the common POP gateway codes, the Alidns and ECS API
 * references and docs/aliyun.md, "Error bodies and codes". Entries marked "unconfirmed" have a
 * status nobody has observed for that product; they use the status the same code has elsewhere.
 */

export interface ErrorSpec {
  status: number;
  message: string;
}

export const errorTable: Readonly<Record<string, ErrorSpec>> = {
  // --- gateway (every product) ---
  SignatureDoesNotMatch: {
    status: 400,
    message: 'Specified signature does not match our calculation.',
  },
  IncompleteSignature: {
    status: 400,
    message: 'The request signature does not conform to Aliyun standards.',
  },
  'InvalidAccessKeyId.NotFound': { status: 404, message: 'Specified access key is not found.' },
  // Status unconfirmed: 400 like the other malformed-credential codes.
  MissingAccessKeyId: { status: 400, message: 'AccessKeyId is mandatory for this action.' },
  'InvalidTimeStamp.Expired': {
    status: 400,
    message: 'Specified time stamp or date value is expired.',
  },
  'InvalidTimeStamp.Format': {
    status: 400,
    message: 'Specified time stamp or date value is not well formatted.',
  },
  SignatureNonceUsed: { status: 400, message: 'Specified signature nonce was used already.' },
  InvalidVersion: { status: 400, message: 'Specified parameter Version is not valid.' },
  'InvalidAction.NotFound': {
    status: 404,
    message: 'Specified api is not found, please check your url and method.',
  },
  MissingParameter: {
    status: 400,
    message: 'The input parameter that is mandatory for processing this request is not supplied.',
  },
  InvalidParameter: { status: 400, message: 'The specified parameter is not valid.' },
  Throttling: { status: 400, message: 'Request was denied due to request throttling.' },
  'Throttling.User': { status: 400, message: 'Request was denied due to user flow control.' },
  'Throttling.Api': { status: 400, message: 'Request was denied due to api flow control.' },
  'Throttling.ConcurrentLimitExceeded': {
    status: 400,
    message: 'Request was denied due to concurrent flow control.',
  },
  ServiceUnavailable: {
    status: 503,
    message: 'The request has failed due to a temporary failure of the server.',
  },
  InternalError: {
    status: 500,
    message: 'The request processing has failed due to some unknown error, exception or failure.',
  },
  Forbidden: { status: 403, message: 'User not authorized to operate on the specified resource.' },
  'InvalidRegionId.NotFound': { status: 404, message: 'The specified RegionId does not exist.' },

  // --- SLB ---
  'InvalidLoadBalancerId.NotFound': {
    status: 404,
    message: 'The specified LoadBalancerId does not exist.',
  },
  ServiceIsConfiguring: {
    status: 400,
    message: 'A previous configuration is pending; please try again later.',
  },
  VServerGroupProcessing: {
    status: 400,
    message: 'A previous configuration of the VServer group is pending; please try again later.',
  },
  OperationBusy: { status: 400, message: 'A previous operation is pending.' },
  SystemBusy: { status: 449, message: 'The system is busy.' },
  ServiceIsStopping: {
    status: 409,
    message: 'The specified Listener is stopping, please retry later.',
  },
  'BackendServer.configuring': {
    status: 409,
    message: 'A previous configuration of the load balancer is pending; please try again later.',
  },
  // Status unconfirmed.
  'OperationFailed.TokenIsProcessing': {
    status: 400,
    message: 'The request with the same ClientToken is being processed.',
  },
  LX_REQUEST_TOKEN_CONFLICT: { status: 400, message: 'The ClientToken is conflict.' },
  ListenerAlreadyExists: {
    status: 400,
    message: 'A listener with the specified port already exists',
  },
  ListenerNotFound: {
    status: 404,
    message: 'You have not created a listener for the specified port of the load balancer.',
  },
  TooManyBackendServers: {
    status: 400,
    message: 'The total number of input real servers exceeds max supported number: 20',
  },
  'InvalidWeight.Malformed': { status: 400, message: 'A specified weight is not valid.' },
  ObtainIpFail: {
    status: 400,
    message:
      'The specified BackendServers is invalid; some of the specified backend servers do not exist or are not running.',
  },
  BackendServersMalformed: {
    status: 400,
    message: 'the specified parameter BackendServers is unavailable.',
  },
  VServerGroupEmpty: {
    status: 400,
    message: 'The specified VServerGroupId is invalid; it does not contain vServers.',
  },
  'InvalidBackendServers.Inconsistent': {
    status: 400,
    message:
      'All BackendServers on one Specified LoadBalancer have to be in the same vpc or all classic',
  },
  ListenerNumberOverLimit: {
    status: 400,
    message: 'The maximum number of listeners is exceeded.',
  },

  // --- Alidns ---
  DomainRecordDuplicate: { status: 400, message: 'The DNS record already exists.' },
  DomainRecordNotBelongToUser: {
    status: 400,
    message: 'The DNS record does not exist or does not belong to the current account.',
  },
  'InvalidDomainName.NoExist': {
    status: 400,
    message: 'The specified domain name does not exist. Refresh the page and try again.',
  },
  'QuotaExceeded.TTL': {
    status: 400,
    message: 'The TTL value is less than the minimum value allowed by the DNS edition.',
  },
  DomainRecordConflict: {
    status: 400,
    message: 'The DNS record conflicts with an existing record.',
  },
  LastOperationNotFinished: { status: 400, message: 'The last operation is not finished.' },
  'RecordForbidden.DNSChange': {
    status: 400,
    message: 'The DNS record cannot be changed while the domain is locked.',
  },

  // --- ECS ---
  'InvalidInstanceId.NotFound': {
    status: 404,
    message: 'The specified InstanceId does not exist.',
  },
  IncorrectInstanceStatus: {
    status: 403,
    message: 'The current status of the resource does not support this operation.',
  },
  DryRunOperation: {
    status: 400,
    message: 'Request validation has been passed with DryRun flag set.',
  },
  OperationConflict: {
    status: 403,
    message: 'The operation may conflicts with others.',
  },
  'InvalidOperation.Conflict': {
    status: 403,
    message: 'The operation conflicts with another operation in progress.',
  },
  LastTokenProcessing: {
    status: 403,
    message: 'The last token request is processing.',
  },
  'InvalidInstanceIds.Malformed': {
    status: 400,
    message: 'The specified parameter InstanceIds is not valid.',
  },
  IdempotentParameterMismatch: {
    status: 400,
    message: 'The specified parameter has changed while using an already used clientToken.',
  },
  'InvalidInvokeId.NotFound': {
    status: 404,
    message: 'The specified InvokeId does not exist.',
  },
  'InvalidCmdType.NotSupported': {
    status: 400,
    message: 'The specified command type is not supported.',
  },
};

/** Status of a code not in the table (fault injection may name any code). */
export function statusForUnknownCode(code: string): number {
  if (/^(InternalError|ServiceUnavailable)/.test(code))
    return code.startsWith('Internal') ? 500 : 503;
  if (code.endsWith('.NotFound')) return 404;
  return 400;
}
