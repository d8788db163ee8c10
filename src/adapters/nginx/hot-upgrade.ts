/**
 * nginx's binary hot upgrade on one host in one call, without dropping a connection: the
 * NginxUpgrade port's steps in order (hot-upgrade-steps.ts), each told to `onStep` before it is
 * taken, and the way back when one before QUIT fails. A run takes the same steps one plan step
 * at a time, journaled; this is for a caller that has no journal.
 *
 * nginx only takes USR2 from a master whose parent changed since it started (a daemon, or one
 * run by a supervisor that re-parents it); a master in the foreground of a shell ignores it,
 * which this reports as a new master that never started.
 */
import { DrainctlError, ExitCode } from '../../errors/index.js';
import type {
  Clock,
  NginxUpgradeSettings,
  NginxUpgradeStepName,
  NginxUpgradeTarget,
} from '../../ports/index.js';
import { createNginxUpgrade } from './hot-upgrade-steps.js';

export type HotUpgradeStep = NginxUpgradeStepName | 'done' | 'way-back';

export interface HotUpgradeOptions extends NginxUpgradeSettings {
  clock: Clock;
  onStep?: (step: HotUpgradeStep, masters: { old: number; new?: number }) => void;
}

const ORDER: readonly NginxUpgradeStepName[] = [
  'install',
  'usr2',
  'new-master',
  'winch',
  'quit-old',
];

export async function hotUpgrade(
  target: NginxUpgradeTarget,
  options: HotUpgradeOptions,
): Promise<{ oldMaster: number; newMaster: number }> {
  const port = createNginxUpgrade(options.clock);
  const old = (await port.masters(target, options)).current;
  if (old === 0) {
    throw new DrainctlError(
      'NGINX_UPGRADE_FAILED',
      `no nginx master in ${options.pidFile} on ${target.name}`,
    );
  }
  let newMaster: number | undefined;
  const masters = () => ({ old, ...(newMaster === undefined ? {} : { new: newMaster }) });
  for (const step of ORDER) {
    options.onStep?.(step, masters());
    try {
      await port.step(target, step, options);
    } catch (error) {
      if (step === 'quit-old') throw error;
      options.onStep?.('way-back', masters());
      await port.wayBack(target, options);
      const why = error instanceof Error ? error.message : String(error);
      throw new DrainctlError(
        'NGINX_UPGRADE_FAILED',
        `nginx's hot upgrade on ${target.name} went back to the old binary: ${why}`,
        {
          exitCode: ExitCode.halted,
          hint: `the old master ${old} serves with its workers again; see nginx's error log on ${target.name}`,
          cause: error,
        },
      );
    }
    if (step === 'usr2') newMaster = (await port.masters(target, options)).current;
  }
  options.onStep?.('done', masters());
  return { oldMaster: old, newMaster: newMaster ?? 0 };
}
