// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the workflow syntax for environment references
/**
 * Cross-field checks of how servers are reached: SSH needs a user and a verifiable host key
 * (drainctl never trusts an unknown host key), and notification secrets come from the
 * environment, never from the file.
 */
import type { Interpolation } from '../interpolate.js';
import type { RawIssue } from '../issue.js';
import type { SshSettingsSpec } from '../schema/access-schema.js';
import type { Check } from './check-context.js';

const ADDRESS_KINDS = ['privateIp', 'publicIp'];

export const checkAccess: Check = ({ doc, fleet }) => {
  const issues: RawIssue[] = [];
  const { access } = doc;
  const defaults = access.ssh ?? {};
  const logsOverSsh = doc.drain.probe.kind === 'access-log' && doc.drain.probe.source === 'ssh';
  const defaultUsesSsh = access.via === 'ssh' || logsOverSsh;
  if (defaultUsesSsh) issues.push(...sshProblems(defaults, ['access', 'ssh'], logsOverSsh));
  for (const [id, node] of Object.entries(access.nodes)) {
    if ((node.via ?? access.via) !== 'ssh' && !logsOverSsh) continue;
    if (node.ssh === undefined && defaultUsesSsh) continue;
    issues.push(
      ...sshProblems({ ...defaults, ...node.ssh }, ['access', 'nodes', id, 'ssh'], logsOverSsh),
    );
  }
  const address = defaults.address;
  if (address !== undefined && !ADDRESS_KINDS.includes(address) && fleet?.length !== 1) {
    issues.push({
      path: ['access', 'ssh', 'address'],
      expected: 'privateIp or publicIp (a literal address belongs in access.nodes.<id>.ssh)',
      found: JSON.stringify(address),
    });
  }
  return issues;
};

function sshProblems(
  settings: SshSettingsSpec,
  path: readonly (string | number)[],
  forLogs: boolean,
): RawIssue[] {
  const why = forLogs ? ' (drain.probe.source is ssh)' : '';
  const issues: RawIssue[] = [];
  if (settings.user === undefined) {
    issues.push({ path: [...path, 'user'], expected: `an SSH user${why}`, found: 'nothing' });
  }
  if (settings.knownHosts === undefined && settings.hostKeyFingerprint === undefined) {
    issues.push({
      path: [...path, 'knownHosts'],
      expected: `knownHosts or hostKeyFingerprint: drainctl never trusts an unknown host key${why}`,
      found: 'neither',
    });
  }
  return issues;
}

export const checkNotify: Check = ({ doc, interpolation }) =>
  notifySecretIssues(doc.notify, interpolation);

/**
 * A channel's signing secret must come from the environment: every file with a `notify` block
 * (workflows, `serve.yaml`) refuses one written literally.
 */
export function notifySecretIssues(
  notify: { channels: ReadonlyArray<{ secret?: string | undefined }> } | undefined,
  interpolation: Interpolation,
): RawIssue[] {
  const issues: RawIssue[] = [];
  notify?.channels.forEach((channel, index) => {
    if (channel.secret === undefined) return;
    const path = ['notify', 'channels', index, 'secret'];
    if (!interpolation.wholeReferences.has(`notify.channels[${index}].secret`)) {
      issues.push({
        path,
        expected:
          'a reference to an environment variable like ${DINGTALK_SECRET} (secrets are never written in workflow files)',
        // Never echo what was written: it may be the secret itself.
        found: 'a literal value',
      });
    }
  });
  return issues;
}
