/**
 * yum/dnf's transaction history: `history` / `history list` lists it, newest first, and
 * `history undo <id|last>` reverses one transaction — erasing the kernels it installed and
 * installing again those it erased — and `history rollback <id>` every transaction after it, as
 * one transaction. As both tools do, the running kernel is protected: an undo
 * that would erase it is refused. Pure; no I/O: a change is returned for the runner to carry out.
 */
import { installedKernels, type MachineFacts, type PackageTransaction } from './machine-facts.js';

export type HistoryResult =
  | { kind: 'done'; exitCode: number; output: string }
  /** The kernels on disk become `kernels`, the next boot starts `defaultKernel`. */
  | {
      kind: 'undo';
      kernels: string[];
      defaultKernel: string;
      transaction: Omit<PackageTransaction, 'id' | 'at'>;
      output: string;
    };

/** `<tool> history …`, `args` after the word `history`. */
export function packageHistory(tool: string, args: string[], facts: MachineFacts): HistoryResult {
  const words = args.filter((arg) => !arg.startsWith('-'));
  const [verb = 'list', target] = words;
  const transactions = facts.transactions ?? [];
  if (verb === 'list') return { kind: 'done', exitCode: 0, output: historyList(transactions) };
  if (verb !== 'undo' && verb !== 'rollback') return { kind: 'done', exitCode: 0, output: '' };
  const id = target === 'last' ? transactions.at(-1)?.id : Number(target);
  const found = transactions.find((t) => t.id === id);
  // A rollback reverses the net change of every transaction after `id`, as one.
  const undone =
    verb === 'undo' || found === undefined
      ? found
      : netChangeAfter(found.id, transactions, installedKernels(facts));
  if (undone === undefined) {
    return {
      kind: 'done',
      exitCode: 1,
      output: `${tool === 'dnf' ? 'Error: ' : ''}No transaction ID, or package, given\n`,
    };
  }
  if (undone.installed.includes(facts.kernel)) {
    return {
      kind: 'done',
      exitCode: 1,
      output:
        'Error:\n Problem: The operation would result in removing the following protected packages: ' +
        `kernel (running kernel-${facts.kernel})\n`,
    };
  }
  const kernels = [
    ...installedKernels(facts).filter((release) => !undone.installed.includes(release)),
    ...undone.erased,
  ];
  // Erasing the default entry leaves grub's saved entry pointing nowhere: it boots entry 0.
  const defaultKernel = kernels.includes(facts.installedKernel)
    ? facts.installedKernel
    : (kernels.at(-1) ?? facts.kernel);
  const lines = [
    verb === 'undo'
      ? `Undoing transaction ${undone.id}, from ${historyDate(undone.at)}`
      : `Rollback to transaction ${undone.id}, from ${historyDate(found?.at ?? undone.at)}`,
    ...undone.installed.map((release) => `    Erase   kernel-${release}`),
    ...undone.erased.map((release) => `    Install kernel-${release}`),
    '',
    'Complete!',
  ];
  return {
    kind: 'undo',
    kernels,
    defaultKernel,
    transaction: {
      commandLine: `history ${verb} ${undone.id}`,
      installed: undone.erased,
      erased: undone.installed,
    },
    output: `${lines.join('\n')}\n`,
  };
}

/** Every transaction after `id` as one: kernels on disk now that were not then, and back. */
function netChangeAfter(
  id: number,
  transactions: readonly PackageTransaction[],
  onDiskNow: readonly string[],
): PackageTransaction {
  const later = transactions.filter((t) => t.id > id);
  const installed = new Set<string>();
  const erased = new Set<string>();
  for (const t of later) {
    for (const k of t.installed) {
      if (erased.has(k)) erased.delete(k);
      else installed.add(k);
    }
    for (const k of t.erased) {
      if (installed.has(k)) installed.delete(k);
      else erased.add(k);
    }
  }
  return {
    id,
    at: later.at(-1)?.at ?? 0,
    commandLine: '',
    installed: [...installed].filter((k) => onDiskNow.includes(k)),
    erased: [...erased].filter((k) => !onDiskNow.includes(k)),
  };
}

function historyList(transactions: readonly PackageTransaction[]): string {
  const header =
    'ID     | Command line             | Date and time    | Action(s)      | Altered\n' +
    '-------------------------------------------------------------------------------\n';
  const rows = [...transactions].reverse().map((t) => {
    const action =
      t.installed.length > 0 && t.erased.length > 0
        ? 'I, E'
        : t.erased.length > 0
          ? 'Erase'
          : 'Install';
    const altered = Math.max(t.installed.length + t.erased.length, 1);
    return `${String(t.id).padStart(6)} | ${t.commandLine.padEnd(24).slice(0, 24)} | ${historyDate(t.at)} | ${action.padEnd(14)} | ${String(altered).padStart(4)}\n`;
  });
  return `${header}${rows.join('')}`;
}

/** `2026-11-21 02:00`, UTC. */
function historyDate(at: number): string {
  return new Date(at).toISOString().slice(0, 16).replace('T', ' ');
}
