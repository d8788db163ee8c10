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
  /** The default boot entry: the kernel the next reboot starts. */
  installedKernel: string;
  /** Every kernel installed on disk, oldest first (absent: the running and the default one). */
  kernels?: string[];
  /** yum/dnf's transaction history, oldest first. */
  transactions?: PackageTransaction[];
  /** The newest kernel in the package repositories. */
  availableKernel: string;
  /** Wall-clock time of the command, epoch milliseconds (for messages that print a date). */
  now: number;
  /** The app's listening socket, when it is up. */
  listening?: { address: string; port: number };
  /** TCP connections established to the app. */
  connections: EstablishedConnection[];
}

/** One yum/dnf transaction as `yum history` lists it; only kernel packages are tracked. */
export interface PackageTransaction {
  id: number;
  /** Epoch milliseconds. */
  at: number;
  /** The command line as `yum history` shows it (`update kernel -y`). */
  commandLine: string;
  /** Kernel releases it installed and erased. */
  installed: string[];
  erased: string[];
}

/** Every kernel on disk, oldest first. */
export function installedKernels(facts: MachineFacts): string[] {
  return facts.kernels ?? [...new Set([facts.kernel, facts.installedKernel])];
}

/** One established TCP connection to the app, its peer as the app sees it (PROXY header). */
export interface EstablishedConnection {
  localAddress: string;
  localPort: number;
  peerAddress: string;
  peerPort: number;
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
