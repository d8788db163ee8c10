// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the workflow syntax named in messages
/**
 * The alert gate's credentials and Redis's password come from the environment: a token or password
 * written in the workflow file is refused, as a notification's signing secret is.
 */
import type { RawIssue } from '../issue.js';
import type { Check } from './check-context.js';

export const checkAlertGateSecrets: Check = ({ doc, interpolation }) => {
  const auth = doc.alertGate?.auth;
  if (auth === undefined) return [];
  const field = 'bearerToken' in auth ? 'bearerToken' : 'password';
  if (interpolation.wholeReferences.has(`alertGate.auth.${field}`)) return [];
  const issue: RawIssue = {
    path: ['alertGate', 'auth', field],
    expected:
      'a reference to an environment variable like ${PROMETHEUS_TOKEN} (secrets are never written in workflow files)',
    // Never echo what was written: it may be the secret itself.
    found: 'a literal value',
  };
  return [issue];
};

/** Redis's AUTH password, like the alert gate's: from the environment only. */
export const checkRedisInventorySecret: Check = ({ doc, interpolation }) => {
  if (doc.inventory?.redis?.password === undefined) return [];
  if (interpolation.wholeReferences.has('inventory.redis.password')) return [];
  return [
    {
      path: ['inventory', 'redis', 'password'],
      expected:
        'a reference to an environment variable like ${REDIS_PASSWORD} (secrets are never written in workflow files)',
      found: 'a literal value',
    },
  ];
};
