import { describe, expect, it } from 'vitest';
import { filterOutput, interpretCommand } from '#mocks/world/commands/command-semantics.js';
import type { MachineFacts } from '#mocks/world/commands/machine-facts.js';

const facts: MachineFacts = {
  hostname: 'web-1',
  privateIp: '127.9.9.11',
  osName: 'CentOS 7.9 64 bit',
  kernel: '3.10.0-1160.el7.x86_64',
  installedKernel: '3.10.0-1160.el7.x86_64',
  availableKernel: '3.10.0-1160.119.1.el7.x86_64',
  now: Date.parse('2026-11-21T02:00:00Z'),
  connections: [],
};
const step = (...argv: string[]) => interpretCommand(argv, facts);

describe('interpretCommand', () => {
  it.each([
    [['yum', 'update', '-y']],
    [['yum', '-y', 'update']],
    [['yum', 'update', 'kernel', '-y']],
    [['yum', 'install', '-y', 'kernel-3.10.0-1160.119.1.el7']],
    [['dnf', 'upgrade', '--refresh', '-y']],
    [['sudo', '-E', 'apt-get', 'dist-upgrade', '-y']],
    [['apt', 'install', 'linux-image-5.15.0-91-generic']],
    [['/usr/bin/yum', 'update', 'kernel*']],
    [['zypper', 'patch']],
  ])('takes %j for a kernel install', (argv) => {
    expect(interpretCommand(argv, facts).kind).toBe('install-kernel');
  });

  it.each([
    [['yum', 'update', 'nginx']],
    [['yum', 'update', '-x', 'kernel*']],
    [['apt-get', 'update']],
    [['apt-get', 'install', 'curl']],
    [['yum', 'list', 'kernel']],
  ])('does not take %j for a kernel install', (argv) => {
    expect(interpretCommand(argv, facts).kind).toBe('done');
  });

  it('knows reboots, including a delayed shutdown', () => {
    expect(step('reboot')).toMatchObject({ kind: 'reboot', delaySeconds: 0 });
    expect(step('shutdown', '-r', 'now')).toMatchObject({ kind: 'reboot', delaySeconds: 0 });
    expect(step('systemctl', 'reboot')).toMatchObject({ kind: 'reboot', delaySeconds: 0 });
    expect(step('init', '6')).toMatchObject({ kind: 'reboot', delaySeconds: 0 });
    expect(step('shutdown', '-r', '+2')).toMatchObject({ kind: 'reboot', delaySeconds: 120 });
    expect(step('shutdown', '-h', 'now')).toMatchObject({ kind: 'done', exitCode: 0 });
  });

  it("knows nginx's graceful reload, and nothing else of nginx or systemctl", () => {
    for (const argv of [
      ['nginx', '-s', 'reload'],
      ['/usr/sbin/nginx', '-c', '/etc/nginx/nginx.conf', '-s', 'reload'],
      ['sudo', 'systemctl', 'reload', 'nginx'],
      ['systemctl', 'reload', 'nginx.service'],
      ['systemctl', 'reload-or-restart', 'nginx'],
      ['service', 'nginx', 'reload'],
    ]) {
      expect(interpretCommand(argv, facts).kind, argv.join(' ')).toBe('reload-web-server');
    }
    for (const argv of [
      ['nginx', '-t'],
      ['nginx', '-s', 'quit'],
      ['systemctl', 'restart', 'nginx'],
      ['systemctl', 'reload', 'sshd'],
      ['service', 'nginx', 'status'],
    ]) {
      expect(interpretCommand(argv, facts), argv.join(' ')).toEqual({
        kind: 'done',
        exitCode: 0,
        output: '',
      });
    }
  });

  it('prints uname fields in uname order', () => {
    expect(step('uname', '-r')).toEqual({ kind: 'done', exitCode: 0, output: `${facts.kernel}\n` });
    expect(step('uname', '-rn')).toMatchObject({ output: `web-1 ${facts.kernel}\n` });
    expect(step('uname')).toMatchObject({ output: 'Linux\n' });
    expect(step('uname', '-Z')).toMatchObject({ exitCode: 1 });
  });

  it('gives exit codes', () => {
    expect(step('exit', '7')).toEqual({ kind: 'exit', exitCode: 7 });
    expect(step('exit', '256')).toEqual({ kind: 'exit', exitCode: 0 });
    expect(step('false')).toMatchObject({ exitCode: 1 });
    expect(step('sleep', '1.5')).toEqual({ kind: 'sleep', seconds: 1.5 });
    expect(step('sleep', '2m')).toEqual({ kind: 'sleep', seconds: 120 });
    expect(step('whatever', '--x')).toEqual({ kind: 'done', exitCode: 0, output: '' });
  });

  it('filters pipeline output with grep, head, tail and wc -l', () => {
    expect(filterOutput(['grep', 'el7'], 'a el7\nb\n')).toEqual({ exitCode: 0, output: 'a el7\n' });
    expect(filterOutput(['grep', '-v', 'el7'], 'a el7\nb\n')).toEqual({
      exitCode: 0,
      output: 'b\n',
    });
    expect(filterOutput(['grep', '-q', 'zzz'], 'a\n')).toEqual({ exitCode: 1, output: '' });
    expect(filterOutput(['head', '-n', '1'], 'a\nb\n')).toEqual({ exitCode: 0, output: 'a\n' });
    expect(filterOutput(['tail', '-n', '1'], 'a\nb\n')).toEqual({ exitCode: 0, output: 'b\n' });
    expect(filterOutput(['wc', '-l'], 'a\nb\n')).toEqual({ exitCode: 0, output: '2\n' });
  });
});
