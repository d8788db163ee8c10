/**
 * ECS and Cloud Assistant errors, named after the real codes (status and message from the error
 * table; IncorrectInstanceStatus 403 and InvalidInstanceId.NotFound 404 are the likely statuses
 * docs/aliyun.md, "Error bodies and codes" gives).
 */
import { ApiError } from '../server/api-error.js';

export class InvalidInstanceIdNotFound extends ApiError {
  constructor(id?: string) {
    super(
      'InvalidInstanceId.NotFound',
      id ? `The specified InstanceId does not exist: ${id}.` : undefined,
    );
  }
}

export class IncorrectInstanceStatus extends ApiError {
  constructor(status: string) {
    super(
      'IncorrectInstanceStatus',
      `The current status of the resource does not support this operation. (status: ${status})`,
    );
  }
}

export class DryRunOperation extends ApiError {
  constructor() {
    super('DryRunOperation');
  }
}

export class InvalidInstanceIdsMalformed extends ApiError {
  constructor() {
    super('InvalidInstanceIds.Malformed', 'The specified parameter InstanceIds is not valid.', {
      status: 400,
    });
  }
}
