/**
 * Alidns errors, named after the real codes (status and message from the error table).
 */
import { ApiError } from '../server/api-error.js';

export class InvalidDomainNameNoExist extends ApiError {
  constructor() {
    super('InvalidDomainName.NoExist');
  }
}

export class DomainRecordNotBelongToUser extends ApiError {
  constructor() {
    super('DomainRecordNotBelongToUser');
  }
}

/**
 * Also what UpdateDomainRecord answers when nothing would change (docs/aliyun.md, "Error bodies and
 * codes").
 */
export class DomainRecordDuplicate extends ApiError {
  constructor() {
    super('DomainRecordDuplicate');
  }
}

export class DomainRecordConflict extends ApiError {
  constructor() {
    super('DomainRecordConflict', 'The DNS record conflicts with an existing record.', {
      status: 400,
    });
  }
}

export class QuotaExceededTtl extends ApiError {
  constructor(ttl: number, minTtl: number, edition: string) {
    super(
      'QuotaExceeded.TTL',
      `The TTL value ${ttl} is less than the minimum value ${minTtl} allowed by the ${edition}.`,
    );
  }
}
