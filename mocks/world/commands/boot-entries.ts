/**
 * The boot loader's entries as grubby and grub2-set-default see them: one entry per installed
 * kernel, newest first (grub's menu order, so index 0 is the newest), and the default entry the
 * next boot starts. Pure; no I/O: a change is returned for the runner to carry out.
 */
import { installedKernels, type MachineFacts } from './machine-facts.js';

export type BootLoaderResult =
  | { kind: 'done'; exitCode: number; output: string }
  /** The next boot starts `release`. */
  | { kind: 'set-default'; release: string; output: string };

/** grub's menu title of a kernel's entry, as CentOS 7 writes it. */
export function entryTitle(release: string, osName: string): string {
  const name = osName.startsWith('CentOS') ? 'CentOS Linux' : osName.replace(/ 64 bit$/, '');
  return `${name} (${release}) 7 (Core)`;
}

/** The entries, newest first: grub's menu order. */
export function bootEntries(facts: MachineFacts): string[] {
  return [...installedKernels(facts)].reverse();
}

/**
 * `grubby --default-kernel | --default-index | --default-title | --set-default <path>
 * | --set-default-index <n> | --info <path|ALL>`.
 */
export function grubby(args: string[], facts: MachineFacts): BootLoaderResult {
  const entries = bootEntries(facts);
  const option = (name: string): string | undefined => {
    const index = args.indexOf(name);
    if (index >= 0) return args[index + 1];
    return args.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);
  };
  const has = (name: string) => args.some((arg) => arg === name || arg.startsWith(`${name}=`));
  const done = (output: string, exitCode = 0): BootLoaderResult => ({
    kind: 'done',
    exitCode,
    output,
  });
  if (has('--set-default')) {
    const param = option('--set-default') ?? '';
    const release = param.replace(/^\/boot\/vmlinuz-/, '');
    if (!param.startsWith('/boot/vmlinuz-') || !entries.includes(release)) {
      return done(`The param ${param} is incorrect\n`, 1);
    }
    return { kind: 'set-default', release, output: `The default is /boot/vmlinuz-${release}\n` };
  }
  if (has('--set-default-index')) {
    const index = Number(option('--set-default-index'));
    const release = Number.isInteger(index) ? entries[index] : undefined;
    if (release === undefined) {
      return done(`The param ${option('--set-default-index') ?? ''} is incorrect\n`, 1);
    }
    return { kind: 'set-default', release, output: `The default is /boot/vmlinuz-${release}\n` };
  }
  if (has('--default-kernel')) return done(`/boot/vmlinuz-${facts.installedKernel}\n`);
  if (has('--default-index')) return done(`${entries.indexOf(facts.installedKernel)}\n`);
  if (has('--default-title')) return done(`${entryTitle(facts.installedKernel, facts.osName)}\n`);
  if (has('--info')) {
    const which = option('--info') ?? '';
    const shown = which === 'ALL' ? entries : entries.filter((r) => `/boot/vmlinuz-${r}` === which);
    if (shown.length === 0) return done(`The param ${which} is incorrect\n`, 1);
    return done(
      shown
        .map(
          (release) =>
            `index=${entries.indexOf(release)}\nkernel="/boot/vmlinuz-${release}"\n` +
            `title="${entryTitle(release, facts.osName)}"\n`,
        )
        .join(''),
    );
  }
  return done('grubby: no action specified\n', 1);
}

/** `grub2-set-default <index | menu title>`: grub2's saved entry, by index or by title. */
export function grub2SetDefault(args: string[], facts: MachineFacts): BootLoaderResult {
  const entries = bootEntries(facts);
  const which = args.filter((arg) => !arg.startsWith('-')).join(' ');
  const release = /^\d+$/.test(which)
    ? entries[Number(which)]
    : entries.find((r) => entryTitle(r, facts.osName) === which);
  // grub2-set-default writes whatever it is given; an unknown entry makes grub boot entry 0.
  return {
    kind: 'set-default',
    release: release ?? (entries[0] as string),
    output: '',
  };
}
