/**
 * nginx's binary hot upgrade on one host, without dropping a connection: the new binary in
 * place, USR2 (the old master starts a new master from it, both serve), the new master's workers
 * running and the service answering, WINCH (the old master's workers finish and leave), the
 * service answering from the new workers alone, QUIT to the old master. The way back, at any
 * step before QUIT: the old binary in place again, HUP to the old master (its workers start
 * again), QUIT to the new master. Each step is told to `onStep` before it is taken.
 *
 * nginx only takes USR2 from a master whose parent changed since it started (a daemon, or one
 * run by a supervisor that re-parents it); a master in the foreground of a shell ignores it,
 * which this reports as a new master that never started.
 */
import { pollUntil } from '../../clock/poll-until.js';
import { DrainctlError, ExitCode } from '../../errors/index.js';
import type { Clock } from '../../ports/index.js';
import { type NginxCommandOptions, type NginxHost, workers } from './nginx-host-commands.js';

export type HotUpgradeStep =
  | 'install'
  | 'usr2'
  | 'new-master'
  | 'winch'
  | 'quit-old'
  | 'done'
  | 'way-back';

export interface HotUpgradeOptions extends NginxCommandOptions {
  clock: Clock;
  /** Puts the new binary in place (replace by rename: a running binary cannot be written). */
  installCommand: string;
  /** Puts the old binary back, on the way back. */
  restoreCommand: string;
  /** Whether the service answers now (a request through nginx). */
  answers: () => Promise<boolean>;
  /** How long the new master may take to run its workers, and the old workers to leave. */
  stepTimeoutMs: number;
  onStep?: (step: HotUpgradeStep, masters: { old: number; new?: number }) => void;
}

function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

async function sh(target: NginxHost, options: HotUpgradeOptions, script: string, what: string) {
  const result = await target.host.runCommand(target.instanceId, {
    script,
    timeoutSeconds: options.timeoutSeconds,
    name: 'drainctl-nginx-upgrade',
  });
  if (result.status !== 'success') {
    throw new DrainctlError(
      'NGINX_UPGRADE_FAILED',
      `${what} on ${target.name} failed (exit ${result.exitCode ?? 'none'}): ${result.output.trim() || result.errorInfo || 'no output'}`,
      { exitCode: ExitCode.halted },
    );
  }
  return result.output;
}

/** The pids in the pid file and in its `.oldbin` sibling (0 when absent). */
async function masters(target: NginxHost, options: HotUpgradeOptions) {
  const file = quote(options.pidFile);
  const oldbin = quote(`${options.pidFile}.oldbin`);
  const output = await sh(
    target,
    options,
    `cat ${file} 2>/dev/null || echo 0; cat ${oldbin} 2>/dev/null || echo 0`,
    'reading the pid files',
  );
  const [current = 0, previous = 0] = output.split('\n').map((line) => Number(line.trim() || 0));
  return { current, previous };
}

const serving = (list: Array<{ title: string }>) =>
  list.filter((w) => /worker process/.test(w.title) && !/shutting down/.test(w.title));

export async function hotUpgrade(
  target: NginxHost,
  options: HotUpgradeOptions,
): Promise<{ oldMaster: number; newMaster: number }> {
  const old = (await masters(target, options)).current;
  if (old === 0) {
    throw new DrainctlError(
      'NGINX_UPGRADE_FAILED',
      `no nginx master in ${options.pidFile} on ${target.name}`,
    );
  }
  const poll = <T>(probe: () => Promise<T | undefined>) =>
    pollUntil(options.clock, { intervalMs: 100, timeoutMs: options.stepTimeoutMs }, probe);
  const oldMasterOptions = { ...options, pidFile: `${options.pidFile}.oldbin` };
  let newMaster: number | undefined;

  const wayBack = async (why: string): Promise<never> => {
    options.onStep?.('way-back', { old, ...(newMaster === undefined ? {} : { new: newMaster }) });
    await sh(target, options, options.restoreCommand, 'putting the old binary back');
    await sh(target, options, `kill -HUP ${old}`, 'HUP to the old master');
    if (newMaster !== undefined)
      await sh(target, options, `kill -QUIT ${newMaster}`, 'QUIT to the new master');
    throw new DrainctlError(
      'NGINX_UPGRADE_FAILED',
      `nginx's hot upgrade on ${target.name} went back to the old binary: ${why}`,
      {
        exitCode: ExitCode.halted,
        hint: `the old master ${old} serves with its workers again; see nginx's error log on ${target.name}`,
      },
    );
  };

  options.onStep?.('install', { old });
  await sh(target, options, options.installCommand, 'installing the new binary');
  options.onStep?.('usr2', { old });
  await sh(target, options, `kill -USR2 ${old}`, 'USR2 to the old master');
  newMaster = await poll(async () => {
    const { current, previous } = await masters(target, options);
    if (current === old || current === 0 || previous !== old) return undefined;
    return serving(await workers(target, options)).length > 0 ? current : undefined;
  });
  if (newMaster === undefined) return wayBack('the new master did not start its workers');
  options.onStep?.('new-master', { old, new: newMaster });
  if (!(await options.answers())) return wayBack('the service did not answer with both masters');

  options.onStep?.('winch', { old, new: newMaster });
  await sh(target, options, `kill -WINCH ${old}`, 'WINCH to the old master');
  const retired = await poll(async () =>
    serving(await workers(target, oldMasterOptions)).length === 0 ? true : undefined,
  );
  if (retired === undefined) return wayBack("the old master's workers did not leave");
  if (!(await options.answers()))
    return wayBack("the service did not answer from the new master's workers");

  options.onStep?.('quit-old', { old, new: newMaster });
  await sh(target, options, `kill -QUIT ${old}`, 'QUIT to the old master');
  const gone = await poll(async () => {
    const output = await sh(
      target,
      options,
      `kill -0 ${old} 2>/dev/null && echo alive || echo gone`,
      'checking the old master',
    );
    return output.trim() === 'gone' ? true : undefined;
  });
  if (gone === undefined) {
    throw new DrainctlError(
      'NGINX_UPGRADE_FAILED',
      `the old nginx master ${old} on ${target.name} has not exited ${options.stepTimeoutMs / 1000} s after QUIT`,
      {
        exitCode: ExitCode.halted,
        hint: 'it waits for its open connections; the new master serves',
      },
    );
  }
  options.onStep?.('done', { old, new: newMaster });
  return { oldMaster: old, newMaster };
}
