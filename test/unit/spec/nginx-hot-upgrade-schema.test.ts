import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '#src/errors/index.js';
import { parseWorkflow } from '#src/workflow/index.js';
import { loadExample } from '#support/workflows.js';

const HEAD = `name: web
region: cn-hangzhou
loadBalancer: { id: lb-abc }
backends: { instances: [i-a] }
drain: { probe: { kind: none, waitSeconds: 0 } }
`;

function parse(patch: string) {
  return parseWorkflow({ file: 'up.yaml', text: `${HEAD}patch:\n${patch}` }, {});
}

function issues(patch: string): string[] {
  try {
    parse(patch);
  } catch (error) {
    if (error instanceof InvalidInputError) {
      return error.issues.map((issue) => `${issue.path}: ${issue.expected} / ${issue.found}`);
    }
    throw error;
  }
  throw new Error('the workflow was accepted');
}

const NGINX = '  nginx: { newBinary: /opt/nginx/sbin/nginx, url: "http://{privateIp}/healthz" }\n';

describe('patch.kind: nginx-hot-upgrade', () => {
  it('reads the hot upgrade with its defaults; commands stays the default kind', () => {
    const { spec } = parse(`  kind: nginx-hot-upgrade\n${NGINX}  reboot: false\n  verify: false\n`);
    expect(spec.patch.kind).toBe('nginx-hot-upgrade');
    expect(spec.patch.nginx).toEqual({
      newBinary: '/opt/nginx/sbin/nginx',
      binary: '/usr/sbin/nginx',
      pidFile: '/run/nginx.pid',
      url: 'http://{privateIp}/healthz',
      stepTimeoutSeconds: 30,
    });
    expect(parse('  commands: [yum update -y]\n').spec.patch.kind).toBe('commands');
  });

  it('refuses a hot upgrade without its settings, with commands, a reboot or the kernel as proof', () => {
    expect(issues('  kind: nginx-hot-upgrade\n  commands: [yum update -y]\n')).toEqual([
      "patch.nginx: the hot upgrade's settings {newBinary, url, …} / nothing",
      'patch.reboot: false with kind nginx-hot-upgrade (a reboot would stop the nginx it keeps serving) / true (the default when not written)',
      'patch.verify.command: a command that tells the nginx binary (`nginx -v 2>&1`), or verify: false: a hot upgrade does not change the kernel / uname -r',
      'patch.commands: no commands with kind nginx-hot-upgrade (the upgrade is the patch) / 1 command(s)',
    ]);
  });

  it('refuses hot upgrade settings on the commands kind, an unknown placeholder and a relative path', () => {
    expect(issues(`${NGINX}  commands: [yum update -y]\n`)).toEqual([
      "patch.nginx: patch.kind: nginx-hot-upgrade beside it (it is the hot upgrade's settings) / kind: commands",
    ]);
    expect(
      issues(
        '  kind: nginx-hot-upgrade\n  nginx: { newBinary: /n, url: "http://{ip}/" }\n  reboot: false\n  verify: false\n',
      ),
    ).toEqual(['patch.nginx.url: placeholders among {instanceId}, {name}, {privateIp} / {ip}']);
    expect(
      issues('  kind: nginx-hot-upgrade\n  nginx: { newBinary: nginx, url: "http://x/" }\n'),
    ).toContainEqual(expect.stringMatching(/^patch\.nginx\.newBinary: an absolute file path/));
  });

  it('accepts the example of workflows/', () => {
    expect(
      loadExample('workflows/nginx-hot-upgrade.yaml', { LOAD_BALANCER_ID: 'lb-1' }).spec.patch.kind,
    ).toBe('nginx-hot-upgrade');
  });
});
