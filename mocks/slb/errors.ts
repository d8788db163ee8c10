/**
 * SLB's errors, named after the real codes (status and message from the error table). Where the
 * real API uses a generic code with a specific message, the class says which.
 */
import { ApiError } from '../server/api-error.js';

export class InvalidLoadBalancerIdNotFound extends ApiError {
  constructor() {
    super('InvalidLoadBalancerId.NotFound');
  }
}

/** The real API answers an unknown group with InvalidParameter and status 404. */
export class VServerGroupIdNotFound extends ApiError {
  constructor() {
    super('InvalidParameter', 'The specified VServerGroupId does not exist.', { status: 404 });
  }
}

/** Unknown master-slave group: the same generic code, naming the parameter. */
export class MasterSlaveServerGroupIdNotFound extends ApiError {
  constructor() {
    super('InvalidParameter', 'The specified MasterSlaveServerGroupId does not exist.', {
      status: 404,
    });
  }
}

export class ServiceIsConfiguring extends ApiError {
  constructor() {
    super('ServiceIsConfiguring');
  }
}

export class LxRequestTokenConflict extends ApiError {
  constructor() {
    super('LX_REQUEST_TOKEN_CONFLICT');
  }
}

export class ListenerAlreadyExists extends ApiError {
  constructor() {
    super('ListenerAlreadyExists');
  }
}

/** Start/Stop/Delete of a port without a listener. */
export class ListenerNotFound extends ApiError {
  constructor() {
    super('ListenerNotFound');
  }
}

/**
 * Describe*ListenerAttribute of a port without a listener (or of another protocol): the real API
 * answers InvalidParameter with this message (the Terraform provider matches on it).
 */
export class ListenerResourceNotFound extends ApiError {
  constructor() {
    super('InvalidParameter', 'The specified resource does not exist.');
  }
}

export class TooManyBackendServers extends ApiError {
  constructor() {
    super('TooManyBackendServers');
  }
}

export class InvalidWeightMalformed extends ApiError {
  constructor(weight: unknown) {
    super(
      'InvalidWeight.Malformed',
      `A specified weight is not valid: ${JSON.stringify(weight)} (0–100).`,
    );
  }
}

export class ObtainIpFail extends ApiError {
  constructor() {
    super('ObtainIpFail');
  }
}

export class BackendServersMalformed extends ApiError {
  constructor(detail: string) {
    super(
      'BackendServersMalformed',
      `the specified parameter BackendServers is unavailable. ${detail}`,
    );
  }
}

/** Unconfirmed code: adding a server that is already attached is an error (API reference). */
export class BackendServerAlreadyAttached extends ApiError {
  constructor(serverId: string) {
    super('InvalidParameter', `The specified backend server already exists: ${serverId}.`);
  }
}

/**
 * Unconfirmed code: changing or removing a server that is not attached (docs/aliyun.md, "SLB
 * requests and answers").
 */
export class BackendServerNotAttached extends ApiError {
  constructor(serverId: string) {
    super('InvalidParameter', `The specified backend server is not attached: ${serverId}.`);
  }
}
