/**
 * Runs of the three-node rollout that meet a weight some run saved on the balancer: the same
 * workflow from another DRAINCTL_HOME, a verify that accepts an earlier run's patch, the saved
 * weights read back. Shared by the saved-weight tests, split in two files to run side by side.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { emulatorPorts } from './balancer-by-hand.js';
import { type CliRun, runDrainctl } from './cli-runner.js';
import type { RunEnv } from './rollout-on-emulator.js';

export const OLD = '3.10.0-1160.el7.x86_64';
export const NEW = '3.10.0-1160.119.1.el7.x86_64';
export const ALL_BACK = { 'i-emu-web-1': 100, 'i-emu-web-2': 100, 'i-emu-web-3': 100 };

/** The same workflow, run by someone else: another working directory, so another home. */
export async function fromAnotherHome(env: RunEnv, args: string[]): Promise<CliRun> {
  const other = join(env.dir, 'elsewhere');
  await mkdir(other, { recursive: true });
  return runDrainctl(args, {
    cwd: other,
    env: { ...env.env, DRAINCTL_HOME: join(other, '.drainctl') },
    timeoutMs: 90_000,
  });
}

/** Runs after the first judge a server patched by an earlier one patched too. */
export async function verifyEqualsNew(env: RunEnv): Promise<void> {
  const text = await readFile(env.workflow, 'utf8');
  await writeFile(env.workflow, text.replace('expect: changed', `expect: { equals: ${NEW} }`));
}

export async function weightTags(env: RunEnv): Promise<Record<string, string>> {
  const tags = await emulatorPorts(env.emu).loadBalancer.getTags(env.loadBalancerId);
  return Object.fromEntries(
    Object.entries(tags).filter(([key]) => key.startsWith('drainctl-weight-')),
  );
}
