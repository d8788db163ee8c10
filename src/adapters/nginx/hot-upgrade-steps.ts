/**
 * The NginxUpgrade port: nginx's binary hot upgrade one step at a time, each step deciding
 * from the two pid files what is left to do, so a step taken again after a crash (resume
 * repeats a command it cannot read back) never signals a master twice.
 *
 *   install   the new binary in place; the one it replaces kept as `<binary>.drainctl-old`
 *   usr2      USR2 to the master, unless `.oldbin` already names a live one; wait for the new
 *             master's workers
 *   new-master  both masters run and the URL answers
 *   winch     WINCH to the old master; its workers leave; the URL answers from the new ones
 *   quit-old  QUIT to the old master; it exits; the kept binary is removed
 *
 * The way back puts `<binary>.drainctl-old` in place again, HUPs the old master (its workers
 * start again) and QUITs the new one.
 */
import { pollUntil } from '../../clock/poll-until.js';
import { DrainctlError, ExitCode } from '../../errors/index.js';
import type {
  Clock,
  NginxMasters,
  NginxUpgrade,
  NginxUpgradeSettings,
  NginxUpgradeStepName,
  NginxUpgradeTarget,
} from '../../ports/index.js';

const COMMAND_SECONDS = 30;
const POLL_MS = 200;

/** The binary that was replaced, kept beside it until the old master has exited. */
export const keptBinary = (binary: string): string => `${binary}.drainctl-old`;

function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function upgradeFailed(target: NginxUpgradeTarget, message: string, hint?: string): DrainctlError {
  return new DrainctlError('NGINX_UPGRADE_FAILED', `${message} on ${target.name}`, {
    exitCode: ExitCode.halted,
    ...(hint === undefined ? {} : { hint }),
  });
}

async function sh(target: NginxUpgradeTarget, script: string, what: string): Promise<string> {
  const result = await target.host.runCommand(target.instanceId, {
    script,
    timeoutSeconds: COMMAND_SECONDS,
    name: 'drainctl-nginx-upgrade',
  });
  if (result.status !== 'success' || result.exitCode !== 0) {
    throw upgradeFailed(
      target,
      `${what} failed (${result.status}, exit ${result.exitCode ?? 'none'}${result.errorInfo === undefined ? '' : `, ${result.errorInfo}`}): ${result.output.trim() || 'no output'}`,
    );
  }
  return result.output;
}

/**
 * A pid file's pid when that process runs, else 0. A zombie does not run: an exited master
 * whose parent never reaps it still answers `kill -0`.
 */
function livePid(file: string): string {
  return `p=$(cat ${quote(file)} 2>/dev/null || true); if [ -n "$p" ] && [ -r /proc/$p/status ] && ! grep -q '^State:.*Z' /proc/$p/status 2>/dev/null; then echo "$p"; else echo 0; fi`;
}

async function readMasters(
  target: NginxUpgradeTarget,
  settings: NginxUpgradeSettings,
): Promise<NginxMasters> {
  const output = await sh(
    target,
    `${livePid(settings.pidFile)}; ${livePid(`${settings.pidFile}.oldbin`)}`,
    'reading the pid files',
  );
  const [current = 0, old = 0] = output
    .trim()
    .split('\n')
    .map((line) => Number(line.trim()) || 0);
  return { current, old };
}

/** Worker processes of `master` still taking connections (not `shutting down`). */
async function servingWorkers(target: NginxUpgradeTarget, master: number): Promise<number> {
  const output = await sh(
    target,
    `for pid in $(pgrep -P ${master} || true); do tr '\\0' ' ' < /proc/$pid/cmdline 2>/dev/null; echo; done`,
    'listing the workers',
  );
  return output
    .split('\n')
    .filter((title) => /worker process/.test(title) && !/shutting down/.test(title)).length;
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    return response.status < 400;
  } catch {
    return false;
  }
}

export function createNginxUpgrade(clock: Clock): NginxUpgrade {
  const poll = <T>(settings: NginxUpgradeSettings, probe: () => Promise<T | undefined>) =>
    pollUntil(clock, { intervalMs: POLL_MS, timeoutMs: settings.stepTimeoutSeconds * 1000 }, probe);

  /** Both masters run: the old one in `.oldbin`, the new one in the pid file. */
  async function bothMasters(target: NginxUpgradeTarget, settings: NginxUpgradeSettings) {
    const masters = await readMasters(target, settings);
    if (masters.old === 0 || masters.current === 0) {
      throw upgradeFailed(
        target,
        `the two nginx masters are not both running (${settings.pidFile}: ${masters.current || 'none'}, .oldbin: ${masters.old || 'none'})`,
      );
    }
    return masters;
  }

  async function mustAnswer(target: NginxUpgradeTarget, url: string, when: string) {
    if (!(await answers(url))) throw upgradeFailed(target, `${url} did not answer ${when}`);
  }

  const steps: Record<
    NginxUpgradeStepName,
    (target: NginxUpgradeTarget, settings: NginxUpgradeSettings) => Promise<string>
  > = {
    async install(target, settings) {
      const binary = quote(settings.binary);
      const kept = quote(keptBinary(settings.binary));
      const next = quote(`${settings.binary}.drainctl-new`);
      // The kept copy is made once: taken again after a crash, install must not keep the new one.
      await sh(
        target,
        `set -e; [ -e ${kept} ] || cp -p ${binary} ${kept}; cp -p ${quote(settings.newBinary)} ${next}; mv -f ${next} ${binary}`,
        'installing the new binary',
      );
      return `${settings.newBinary} installed as ${settings.binary} (the old one kept as ${keptBinary(settings.binary)})`;
    },
    async usr2(target, settings) {
      const before = await readMasters(target, settings);
      let old = before.old;
      if (old === 0) {
        if (before.current === 0) {
          throw upgradeFailed(target, `no nginx master running in ${settings.pidFile}`);
        }
        old = before.current;
        await sh(target, `kill -USR2 ${old}`, 'USR2 to the master');
      }
      const started = await poll(settings, async () => {
        const { current, old: oldbin } = await readMasters(target, settings);
        if (oldbin !== old || current === 0 || current === old) return undefined;
        return (await servingWorkers(target, current)) > 0 ? current : undefined;
      });
      if (started === undefined) {
        throw upgradeFailed(
          target,
          `the new nginx master did not run its workers within ${settings.stepTimeoutSeconds} s`,
          'see nginx error log',
        );
      }
      return `new master ${started} runs its workers beside the old master ${old}`;
    },
    async 'new-master'(target, settings) {
      const { current, old } = await bothMasters(target, settings);
      await mustAnswer(target, settings.url, 'with both masters serving');
      return `${settings.url} answers with masters ${old} (old) and ${current} (new)`;
    },
    async winch(target, settings) {
      const { current, old } = await bothMasters(target, settings);
      await sh(target, `kill -WINCH ${old}`, 'WINCH to the old master');
      const retired = await poll(settings, async () =>
        (await servingWorkers(target, old)) === 0 ? true : undefined,
      );
      if (retired === undefined) {
        throw upgradeFailed(
          target,
          `the old master ${old}'s workers still take connections ${settings.stepTimeoutSeconds} s after WINCH`,
        );
      }
      await mustAnswer(target, settings.url, `from the new master ${current}'s workers alone`);
      return `old master ${old}'s workers retired; ${settings.url} answers from new master ${current}`;
    },
    async 'quit-old'(target, settings) {
      const { old } = await readMasters(target, settings);
      if (old !== 0) {
        await sh(target, `kill -QUIT ${old}`, 'QUIT to the old master');
        const gone = await poll(settings, async () =>
          (await readMasters(target, settings)).old === 0 ? true : undefined,
        );
        if (gone === undefined) {
          throw upgradeFailed(
            target,
            `the old nginx master ${old} has not exited ${settings.stepTimeoutSeconds} s after QUIT`,
            'it waits for its open connections; the new master serves',
          );
        }
      }
      await sh(target, `rm -f ${quote(keptBinary(settings.binary))}`, 'removing the kept binary');
      return old === 0 ? 'the old master had already exited' : `old master ${old} exited`;
    },
  };

  return {
    masters: readMasters,
    step: (target, step, settings) => steps[step](target, settings),
    async wayBack(target, settings) {
      const kept = quote(keptBinary(settings.binary));
      const next = quote(`${settings.binary}.drainctl-new`);
      const binary = quote(settings.binary);
      const done: string[] = [];
      // No kept copy: install never ran, so the binary in place is the old one.
      await sh(
        target,
        `set -e; if [ -e ${kept} ]; then cp -p ${kept} ${next}; mv -f ${next} ${binary}; rm -f ${kept}; fi`,
        'putting the old binary back',
      );
      done.push(`${settings.binary} is the old binary again`);
      const { current, old } = await readMasters(target, settings);
      if (old !== 0) {
        await sh(target, `kill -HUP ${old}`, 'HUP to the old master');
        done.push(`HUP to the old master ${old}`);
        if (current !== 0 && current !== old) {
          await sh(target, `kill -QUIT ${current}`, 'QUIT to the new master');
          done.push(`QUIT to the new master ${current}`);
          // nginx renames `.oldbin` back to the pid file once the new master has exited.
          const back = await poll(settings, async () => {
            const now = await readMasters(target, settings);
            return now.current === old && now.old === 0 ? true : undefined;
          });
          if (back === undefined) {
            throw upgradeFailed(
              target,
              `the new nginx master ${current} has not exited ${settings.stepTimeoutSeconds} s after QUIT`,
              `the old master ${old} serves with its workers again`,
            );
          }
        }
      } else if (current !== 0) {
        done.push(`master ${current} serves on (no second master ran)`);
      }
      return done.join('; ');
    },
  };
}
