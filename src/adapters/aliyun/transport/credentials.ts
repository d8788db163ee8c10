/**
 * Credentials for every Alibaba Cloud client: explicit keys (tests, the programmatic API) or
 * the default chain of `@alicloud/credentials` (environment, profile file, CLI profile, OIDC,
 * instance RAM role, credentials URI). Each secret is registered for redaction the moment it is
 * read, and "nothing found" becomes one message naming what to set.
 */
import { DrainctlError } from '../../../errors/index.js';
import { registerSecret } from '../../../log/index.js';
import { Credential, CredentialConfig } from './sdk-modules.js';

/** Keys passed explicitly instead of the default chain. */
export interface StaticCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

type CredentialModel = Awaited<ReturnType<Credential['getCredential']>>;

/** A credential that remembers where it came from and masks what it hands out. */
export class TrackedCredential extends Credential {
  /** `explicit`, or the chain's provider name (`default/env`, `default/profile`, …). */
  source: string | undefined;
  private readonly explicit: boolean;

  constructor(explicit?: StaticCredentials) {
    if (explicit !== undefined) {
      registerSecret(explicit.accessKeySecret);
      registerSecret(explicit.securityToken);
    }
    super(
      explicit === undefined
        ? null
        : new CredentialConfig({
            type: explicit.securityToken ? 'sts' : 'access_key',
            accessKeyId: explicit.accessKeyId,
            accessKeySecret: explicit.accessKeySecret,
            securityToken: explicit.securityToken,
          }),
    );
    this.explicit = explicit !== undefined;
  }

  override async getCredential(): Promise<CredentialModel> {
    let model: CredentialModel;
    try {
      model = await super.getCredential();
    } catch (cause) {
      throw missingCredentials(cause);
    }
    registerSecret(model.accessKeySecret);
    registerSecret(model.securityToken);
    this.source = this.explicit ? 'explicit' : model.providerName;
    return model;
  }
}

function missingCredentials(cause: unknown): DrainctlError {
  const env = process.env;
  const hasId = Boolean(env.ALIBABA_CLOUD_ACCESS_KEY_ID);
  const hasSecret = Boolean(env.ALIBABA_CLOUD_ACCESS_KEY_SECRET);
  if (hasId !== hasSecret) {
    const missing = hasId ? 'ALIBABA_CLOUD_ACCESS_KEY_SECRET' : 'ALIBABA_CLOUD_ACCESS_KEY_ID';
    return new DrainctlError('CLOUD_CREDENTIALS_MISSING', `${missing} is not set`, {
      hint: 'set both ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (in the environment or .env)',
      cause,
    });
  }
  return new DrainctlError('CLOUD_CREDENTIALS_MISSING', 'no Alibaba Cloud credentials found', {
    hint:
      'set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or a profile in ' +
      '~/.alibabacloud/credentials (ALIBABA_CLOUD_PROFILE), or run on an ECS instance with a RAM role',
    cause,
  });
}
