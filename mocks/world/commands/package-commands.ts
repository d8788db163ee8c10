/**
 * Package managers as far as a kernel patch is concerned: which invocations install the newest
 * kernel (yum/dnf `update`/`upgrade`/`install kernel…`, apt `upgrade`/`install linux-image-…`,
 * zypper `update`/`patch`), and what they print. Pure; no I/O.
 */
import { installedKernels, type MachineFacts, splitKernelRelease } from './machine-facts.js';
import { type HistoryResult, packageHistory } from './package-history.js';

export type PackageResult =
  | { kind: 'not-a-package-command' }
  /** Runs without touching the kernel (apt-get update, yum makecache, an update of nginx …). */
  | { kind: 'other'; exitCode: number; output: string }
  /** Installs `facts.availableKernel`; `output` is what the tool prints. */
  | { kind: 'install-kernel'; output: string }
  /** Would install the kernel, but it is installed already. */
  | { kind: 'kernel-current'; output: string }
  /** `yum history …` / `dnf history …` (package-history.ts). */
  | { kind: 'history'; result: HistoryResult };

const kernelPackage =
  /^(kernel|kernel-core|kernel-default|linux-image|linux-generic|linux-image-generic)([-.*]|$)/;

/** Options of yum/dnf/apt that take the next word as their value. */
const optionsWithValue = new Set([
  '-x',
  '--exclude',
  '-e',
  '-d',
  '-c',
  '--setopt',
  '-o',
  '-t',
  '--releasever',
]);

export function packageCommand(argv: string[], facts: MachineFacts): PackageResult {
  const [tool, ...rest] = argv;
  if (!tool) return { kind: 'not-a-package-command' };
  const { operands, excluded } = readOperands(rest);
  const verb = operands[0];
  const packages = operands.slice(1);
  const touchesKernel = (all: boolean) =>
    !excluded.some((name) => kernelPackage.test(name)) &&
    (all
      ? packages.length === 0 || packages.some((name) => kernelPackage.test(name))
      : packages.some((name) => kernelPackage.test(name)));

  if (tool === 'yum' || tool === 'dnf') {
    if (verb === 'check-update') return yumCheckUpdate(facts);
    if (verb === 'history') {
      return { kind: 'history', result: packageHistory(tool, operands.slice(1), facts) };
    }
    const updates = [
      'update',
      'upgrade',
      'update-minimal',
      'upgrade-minimal',
      'distro-sync',
      'dist-upgrade',
    ];
    if (updates.includes(verb ?? '') && touchesKernel(true))
      return kernelResult(facts, yumInstalled, yumNothing);
    if ((verb === 'install' || verb === 'reinstall') && touchesKernel(false)) {
      return kernelResult(facts, yumInstalled, yumNothing);
    }
    return {
      kind: 'other',
      exitCode: 0,
      output: verb && updates.includes(verb) ? yumNothing() : '',
    };
  }
  if (tool === 'apt-get' || tool === 'apt') {
    if (['upgrade', 'dist-upgrade', 'full-upgrade'].includes(verb ?? '') && touchesKernel(true)) {
      return kernelResult(facts, aptInstalled, aptNothing);
    }
    if (verb === 'install' && touchesKernel(false))
      return kernelResult(facts, aptInstalled, aptNothing);
    if (verb === 'update')
      return { kind: 'other', exitCode: 0, output: 'Reading package lists... Done\n' };
    return { kind: 'other', exitCode: 0, output: '' };
  }
  if (tool === 'zypper') {
    if (
      ['update', 'up', 'patch', 'dist-upgrade', 'dup'].includes(verb ?? '') &&
      touchesKernel(true)
    ) {
      return kernelResult(facts, zypperInstalled, () => 'Nothing to do.\n');
    }
    return { kind: 'other', exitCode: 0, output: '' };
  }
  return { kind: 'not-a-package-command' };
}

/** `needs-restarting -r`: exit 1 when a newer kernel waits for a reboot (yum-utils' contract). */
export function needsRestarting(facts: MachineFacts): { exitCode: number; output: string } {
  if (facts.installedKernel !== facts.kernel) {
    return {
      exitCode: 1,
      output:
        'Core libraries or services have been updated since boot-up:\n  * kernel\n\n' +
        'Reboot is required to fully utilize these updates.\n' +
        'More information: https://access.redhat.com/solutions/27943\n',
    };
  }
  return {
    exitCode: 0,
    output:
      'No core libraries or services have been updated since boot-up.\nReboot should not be necessary.\n',
  };
}

/** `rpm -q kernel`: every kernel on disk, oldest first. */
export function rpmQueryKernel(facts: MachineFacts): string {
  return installedKernels(facts)
    .map((release) => `kernel-${release}\n`)
    .join('');
}

function readOperands(args: string[]): { operands: string[]; excluded: string[] } {
  const operands: string[] = [];
  const excluded: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (optionsWithValue.has(arg)) {
      if (arg === '-x' || arg === '--exclude') excluded.push(args[i + 1] ?? '');
      i += 1;
    } else if (arg.startsWith('--exclude=')) {
      excluded.push(arg.slice('--exclude='.length));
    } else if (!arg.startsWith('-')) {
      operands.push(arg);
    }
  }
  return { operands, excluded };
}

function kernelResult(
  facts: MachineFacts,
  installed: (release: string) => string,
  nothing: () => string,
): PackageResult {
  return installedKernels(facts).includes(facts.availableKernel)
    ? { kind: 'kernel-current', output: nothing() }
    : { kind: 'install-kernel', output: installed(facts.availableKernel) };
}

function yumCheckUpdate(facts: MachineFacts): PackageResult {
  if (installedKernels(facts).includes(facts.availableKernel))
    return { kind: 'other', exitCode: 0, output: '' };
  const { version, arch } = splitKernelRelease(facts.availableKernel);
  // yum's documented contract: exit 100 when updates are available.
  return { kind: 'other', exitCode: 100, output: `\nkernel.${arch}    ${version}    updates\n` };
}

function yumInstalled(release: string): string {
  const { version, arch } = splitKernelRelease(release);
  return (
    'Loaded plugins: fastestmirror\nResolving Dependencies\n--> Running transaction check\n' +
    `---> Package kernel.${arch} 0:${version} will be installed\n--> Finished Dependency Resolution\n\n` +
    'Running transaction\n' +
    `  Installing : kernel-${release}    1/1\n  Verifying  : kernel-${release}    1/1\n\n` +
    `Installed:\n  kernel.${arch} 0:${version}\n\nComplete!\n`
  );
}

function yumNothing(): string {
  return 'Loaded plugins: fastestmirror\nNo packages marked for update\n';
}

function aptInstalled(release: string): string {
  const { version } = splitKernelRelease(release);
  return (
    'Reading package lists... Done\nBuilding dependency tree... Done\n' +
    `The following NEW packages will be installed:\n  linux-image-${version}\n` +
    `Setting up linux-image-${version} ...\n`
  );
}

function aptNothing(): string {
  return 'Reading package lists... Done\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n';
}

function zypperInstalled(release: string): string {
  return `Loading repository data...\nThe following NEW package is going to be installed:\n  kernel-default-${release}\n`;
}
