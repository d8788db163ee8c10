/**
 * What one simple command does on the simulated machine. Recognised: package updates (see
 * package-commands.ts), `uname`, `hostname`, `cat` of a few files, `echo`, `true`, `false`,
 * `exit N`, `sleep N`, `reboot` and its aliases, the boot loader's default entry (`grubby`,
 * `grub2-set-default`: boot-entries.ts), yum/dnf's `history` and `history undo`
 * (package-history.ts), nginx's graceful reload (`nginx -s reload`,
 * `systemctl reload nginx`, `service nginx reload`), `needs-restarting -r`, `rpm -q kernel`, `ss`
 * and `netstat` (socket-stats.ts), `curl` (curl.ts), and as pipeline filters `grep`, `head`,
 * `tail`, `wc -l`. Anything else succeeds with empty output.
 * Pure; no I/O: effects are returned for the runner to carry out.
 */
import { type BootLoaderResult, grub2SetDefault, grubby } from './boot-entries.js';
import { type CurlRequest, parseCurl } from './curl.js';
import {
  fileContents,
  type MachineFacts,
  type PackageTransaction,
  uname,
} from './machine-facts.js';
import { needsRestarting, packageCommand, rpmQueryKernel } from './package-commands.js';
import { netstat, ss } from './socket-stats.js';

export type Step =
  | { kind: 'done'; exitCode: number; output: string }
  /** Takes the package update time, then the available kernel is installed. */
  | { kind: 'install-kernel'; output: string }
  /** The boot loader's default entry becomes `release`: the next reboot starts it. */
  | { kind: 'set-default-kernel'; release: string; output: string }
  /** A package transaction undone: the kernels on disk and the default entry change. */
  | {
      kind: 'undo-transaction';
      kernels: string[];
      defaultKernel: string;
      transaction: Omit<PackageTransaction, 'id' | 'at'>;
      output: string;
    }
  | { kind: 'sleep'; seconds: number }
  /** An HTTP request made from the machine (curl); the runner makes it and formats the result. */
  | { kind: 'http'; request: CurlRequest }
  /** nginx reloads gracefully; `notRunning` is what the command prints when nginx is down. */
  | { kind: 'reload-web-server'; notRunning: string }
  /** The invocation ends here; the machine reboots after `delaySeconds`. */
  | { kind: 'reboot'; delaySeconds: number; output: string }
  | { kind: 'exit'; exitCode: number }
  | { kind: 'errexit'; on: boolean };

export function interpretCommand(rawArgv: string[], facts: MachineFacts): Step {
  const argv = stripPrefixes(rawArgv);
  const [name = '', ...args] = argv;
  const done = (output = '', exitCode = 0): Step => ({ kind: 'done', exitCode, output });

  const packages = packageCommand([name, ...args], facts);
  if (packages.kind === 'install-kernel')
    return { kind: 'install-kernel', output: packages.output };
  if (packages.kind === 'kernel-current') return done(packages.output);
  if (packages.kind === 'other') return done(packages.output, packages.exitCode);
  if (packages.kind === 'history') {
    const { result } = packages;
    return result.kind === 'undo'
      ? {
          kind: 'undo-transaction',
          kernels: result.kernels,
          defaultKernel: result.defaultKernel,
          transaction: result.transaction,
          output: result.output,
        }
      : done(result.output, result.exitCode);
  }

  switch (name) {
    case '':
    case 'true':
    case ':':
      return done();
    case 'false':
      return done('', 1);
    case 'exit': {
      const code = args[0] === undefined ? 0 : Number(args[0]);
      return { kind: 'exit', exitCode: Number.isInteger(code) ? code & 0xff : 2 };
    }
    case 'set':
      if (args.includes('-e') || (args[0] === '-o' && args[1] === 'errexit'))
        return { kind: 'errexit', on: true };
      if (args.includes('+e')) return { kind: 'errexit', on: false };
      return done();
    case 'sleep': {
      const seconds = parseDuration(args[0]);
      return seconds === undefined
        ? done('sleep: invalid time interval\n', 1)
        : { kind: 'sleep', seconds };
    }
    case 'echo': {
      const noNewline = args[0] === '-n';
      const words = noNewline ? args.slice(1) : args;
      return done(`${words.join(' ')}${noNewline ? '' : '\n'}`);
    }
    case 'uname': {
      const result = uname(args, facts);
      return done(result.output, result.exitCode);
    }
    case 'hostname':
      return done(
        args[0] === '-I' || args[0] === '-i' ? `${facts.privateIp} \n` : `${facts.hostname}\n`,
      );
    case 'cat':
      return done(args.map((file) => fileContents(file, facts) ?? '').join(''));
    case 'needs-restarting': {
      const result = needsRestarting(facts);
      return args.includes('-r') ? done(result.output, result.exitCode) : done();
    }
    case 'ss': {
      const result = ss(args, facts);
      return done(result.output, result.exitCode);
    }
    case 'netstat': {
      const result = netstat(args, facts);
      return done(result.output, result.exitCode);
    }
    case 'curl': {
      const request = parseCurl(args);
      return 'error' in request ? done(request.error, request.exitCode) : { kind: 'http', request };
    }
    case 'rpm':
      return args.includes('-q') && args.includes('kernel') ? done(rpmQueryKernel(facts)) : done();
    case 'reboot':
      return { kind: 'reboot', delaySeconds: 0, output: '' };
    case 'grubby':
      return bootLoaderStep(grubby(args, facts));
    case 'grub2-set-default':
      return bootLoaderStep(grub2SetDefault(args, facts));
    case 'init':
    case 'telinit':
      return args[0] === '6' ? { kind: 'reboot', delaySeconds: 0, output: '' } : done();
    case 'nginx':
      return args.some((arg, i) => arg === '-s' && args[i + 1] === 'reload')
        ? {
            kind: 'reload-web-server',
            notRunning:
              'nginx: [error] open() "/run/nginx.pid" failed (2: No such file or directory)\n',
          }
        : done();
    case 'systemctl':
      if (args.includes('reboot')) return { kind: 'reboot', delaySeconds: 0, output: '' };
      return ['reload', 'reload-or-restart'].includes(args[0] ?? '') && isNginx(args[1])
        ? { kind: 'reload-web-server', notRunning: 'nginx.service is not active, cannot reload.\n' }
        : done();
    case 'service':
      return isNginx(args[0]) && args[1] === 'reload'
        ? { kind: 'reload-web-server', notRunning: 'nginx.service is not active, cannot reload.\n' }
        : done();
    case 'shutdown':
      return shutdown(args, facts.now);
    default:
      return done();
  }
}

/** Pipeline stages after the first: a few filters; any other stage passes its input through. */
export function filterOutput(
  rawArgv: string[],
  input: string,
): { exitCode: number; output: string } {
  const [name = '', ...args] = stripPrefixes(rawArgv);
  const lines = input.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const join = (kept: string[]) => (kept.length > 0 ? `${kept.join('\n')}\n` : '');
  switch (name) {
    case 'grep': {
      const flags = args.filter((arg) => arg.startsWith('-')).join('');
      const pattern = args.find((arg) => !arg.startsWith('-')) ?? '';
      const matcher = flags.includes('F') ? undefined : safeRegExp(pattern, flags.includes('i'));
      const hit = (line: string) => (matcher ? matcher.test(line) : line.includes(pattern));
      const kept = lines.filter((line) => hit(line) !== flags.includes('v'));
      return { exitCode: kept.length > 0 ? 0 : 1, output: flags.includes('q') ? '' : join(kept) };
    }
    case 'head':
    case 'tail': {
      const count = Number(args[args.indexOf('-n') + 1] ?? 10) || 10;
      return {
        exitCode: 0,
        output: join(name === 'head' ? lines.slice(0, count) : lines.slice(-count)),
      };
    }
    case 'wc':
      return {
        exitCode: 0,
        output: args.includes('-l') ? `${lines.length}\n` : `${input.length}\n`,
      };
    default:
      return { exitCode: 0, output: input };
  }
}

function bootLoaderStep(result: BootLoaderResult): Step {
  return result.kind === 'set-default'
    ? { kind: 'set-default-kernel', release: result.release, output: result.output }
    : { kind: 'done', exitCode: result.exitCode, output: result.output };
}

function isNginx(unit: string | undefined): boolean {
  return unit === 'nginx' || unit === 'nginx.service';
}

/** sudo, env, VAR=value, nohup, command, exec, time in front of the real command; paths to basenames. */
function stripPrefixes(argv: string[]): string[] {
  let rest = argv;
  for (;;) {
    const head = rest[0];
    if (head === undefined) return rest;
    if (head === 'sudo' || head === 'env') {
      rest = rest.slice(1);
      while (rest[0]?.startsWith('-')) rest = rest.slice(rest[0] === '-u' ? 2 : 1);
    } else if (
      /^[A-Za-z_][A-Za-z0-9_]*=/.test(head) ||
      ['nohup', 'command', 'exec', 'time'].includes(head)
    ) {
      rest = rest.slice(1);
    } else {
      return [head.slice(head.lastIndexOf('/') + 1), ...rest.slice(1)];
    }
  }
}

/** `shutdown -r [now|+M|M]`; without a time systemd waits one minute. Halting is not simulated. */
function shutdown(args: string[], now: number): Step {
  const reboot = args.some((arg) => /^-[a-zA-Z]*r/.test(arg) || arg === '--reboot');
  if (!reboot) return { kind: 'done', exitCode: 0, output: '' };
  const when = args.find((arg) => !arg.startsWith('-'));
  if (when === 'now' || when === '+0' || when === '0')
    return { kind: 'reboot', delaySeconds: 0, output: '' };
  const minutes = when === undefined ? 1 : Number(when.replace(/^\+/, ''));
  const delaySeconds = Number.isFinite(minutes) ? minutes * 60 : 60;
  return {
    kind: 'reboot',
    delaySeconds,
    output: `Shutdown scheduled for ${new Date(now + delaySeconds * 1000).toUTCString()}, use 'shutdown -c' to cancel.\n`,
  };
}

function parseDuration(text: string | undefined): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text ?? '');
  if (!match) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

function safeRegExp(pattern: string, ignoreCase: boolean): RegExp | undefined {
  try {
    return new RegExp(pattern, ignoreCase ? 'i' : '');
  } catch {
    return undefined;
  }
}
