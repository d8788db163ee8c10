/**
 * What a command can see of the machine it runs on, and the texts real tools print about it.
 * Pure; no I/O.
 */

export interface MachineFacts {
  hostname: string;
  privateIp: string;
  osName: string;
  /** The running kernel (`uname -r`). */
  kernel: string;
  /** The newest kernel installed on disk; boots with the next reboot. */
  installedKernel: string;
  /** The newest kernel in the package repositories. */
  availableKernel: string;
  /** Wall-clock time of the command, epoch milliseconds (for messages that print a date). */
  now: number;
}

/** `3.10.0-1160.119.1.el7.x86_64` → `{ version: '3.10.0-1160.119.1.el7', arch: 'x86_64' }`. */
export function splitKernelRelease(release: string): { version: string; arch: string } {
  const match = /^(.*)\.(x86_64|aarch64|i686|ppc64le|s390x|noarch)$/.exec(release);
  return match
    ? { version: match[1] as string, arch: match[2] as string }
    : { version: release, arch: 'x86_64' };
}

const buildStamp = '#1 SMP Mon Oct 19 16:18:59 UTC 2020';

/** `/proc/version` as a CentOS kernel writes it. */
export function procVersion(kernel: string): string {
  return (
    `Linux version ${kernel} (mockbuild@kbuilder.bsys.centos.org) ` +
    `(gcc version 4.8.5 20150623 (Red Hat 4.8.5-44) (GCC) ) ${buildStamp}\n`
  );
}

/** `uname` with its flags (`-a`, `-r`, `-n`, `-s`, `-m`, combined like `-sr`). */
export function uname(flags: string[], facts: MachineFacts): { exitCode: number; output: string } {
  const { arch } = splitKernelRelease(facts.kernel);
  const fields: Record<string, string> = {
    s: 'Linux',
    n: facts.hostname,
    r: facts.kernel,
    v: buildStamp,
    m: arch,
    p: arch,
    i: arch,
    o: 'GNU/Linux',
  };
  const order = ['s', 'n', 'r', 'v', 'm', 'p', 'i', 'o'];
  const wanted = new Set<string>();
  for (const flag of flags) {
    const letters =
      flag === '--all'
        ? 'a'
        : flag === '--kernel-release'
          ? 'r'
          : flag === '--nodename'
            ? 'n'
            : flag.replace(/^-/, '');
    for (const letter of letters) {
      if (letter === 'a') for (const key of order) wanted.add(key);
      else if (letter in fields) wanted.add(letter);
      else return { exitCode: 1, output: `uname: invalid option -- '${letter}'\n` };
    }
  }
  if (wanted.size === 0) wanted.add('s');
  return {
    exitCode: 0,
    output: `${order
      .filter((key) => wanted.has(key))
      .map((key) => fields[key])
      .join(' ')}\n`,
  };
}

/** What `cat` prints for the few files worth knowing; undefined for any other file. */
export function fileContents(file: string, facts: MachineFacts): string | undefined {
  switch (file) {
    case '/proc/version':
      return procVersion(facts.kernel);
    case '/proc/sys/kernel/osrelease':
      return `${facts.kernel}\n`;
    case '/etc/hostname':
    case '/proc/sys/kernel/hostname':
      return `${facts.hostname}\n`;
    case '/etc/os-release':
      return `PRETTY_NAME="${facts.osName}"\n`;
    default:
      return undefined;
  }
}
