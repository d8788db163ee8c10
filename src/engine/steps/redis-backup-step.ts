/**
 * `redis.backup`: BGSAVE on the node, wait until LASTSAVE changes, then copy the RDB file it
 * wrote into the backup directory on its host (through the access the plan names, as hooks run)
 * with a timestamped name; the copy's sha256 is journaled with the step. A step journaled done is
 * not run again by resume; one cut short is taken again whole (a second BGSAVE is harmless).
 */
import type { Step } from '../../plan/types.js';
import { message } from '../engine-errors.js';
import type { RunContext, StepOutcome } from '../execution/run-context.js';
import { failed, ok, stopped } from '../execution/run-context.js';
import { isStop } from '../execution/run-control.js';
import { keptOutput, mutatingCommand, succeeded } from './host-steps.js';
import { connectOptions, waitUntil } from './redis-member-waits.js';

type BackupStep = Extract<Step, { action: 'redis.backup' }>;

const POLL_MS = 500;
const STAYS = 'it does not leave service and the rollout halts';

export async function runRedisBackup(ctx: RunContext, step: BackupStep): Promise<StepOutcome> {
  const redis = ctx.ports.redis;
  const { address, host, dir, timeoutSeconds } = step.params;
  if (redis === undefined) return failed('error', 'this drainctl has no Redis client');
  const options = connectOptions(step.params);
  const { clock } = ctx.ports;
  const started = clock.monotonic();
  let before: Awaited<ReturnType<typeof redis.saveState>>;
  try {
    before = await redis.saveState(address, options);
    // LASTSAVE counts whole seconds: a save ending in the second the last one did would not
    // change it, so the BGSAVE is sent only once that second is over.
    const waitMs = (before.lastSave + 1) * 1000 - clock.now();
    if (waitMs > 0) await clock.sleep(waitMs, ctx.control.signal);
  } catch (error) {
    if (isStop(error)) return stopped(`stop requested before the backup of ${address}`);
    return failed('gate-blocked', `Redis ${address} cannot be asked (${message(error)}); ${STAYS}`);
  }
  const opId = `${step.id}#bgsave`;
  const node = step.node === undefined ? {} : { node: step.node };
  await ctx.record({
    type: 'intent',
    step: step.id,
    opId,
    op: 'redis-backup',
    ...node,
    target: { address },
    before: { lastSave: before.lastSave },
    to: { bgsave: true },
  });
  const settle = (applied: boolean, after: Record<string, unknown>) =>
    ctx.record({
      type: 'result',
      step: step.id,
      opId,
      op: 'redis-backup',
      ...node,
      applied,
      after,
    });
  try {
    await redis.backgroundSave(address, options);
  } catch (error) {
    await settle(false, { error: message(error) });
    return failed('gate-blocked', `BGSAVE on ${address} was refused (${message(error)}); ${STAYS}`);
  }
  const remainingMs = () => timeoutSeconds * 1000 - (clock.monotonic() - started);
  let saved = before;
  const end = await waitUntil(
    ctx,
    step,
    `BGSAVE on ${address}`,
    { intervalMs: POLL_MS, timeoutMs: remainingMs() },
    async () => {
      saved = await redis.saveState(address, options);
      if (saved.lastSave > before.lastSave && !saved.inProgress)
        return { done: true, detail: `LASTSAVE ${saved.lastSave}` };
      if (!saved.inProgress && saved.lastStatus === 'err')
        throw new Error('rdb_last_bgsave_status:err');
      return { done: false, detail: `LASTSAVE still ${saved.lastSave}` };
    },
  );
  if (end.kind === 'stopped') return stopped(`stop requested during the backup of ${address}`);
  if (end.kind === 'timeout') {
    await settle(false, { detail: end.detail });
    return failed(
      'gate-blocked',
      `BGSAVE on ${address} had not finished within ${timeoutSeconds}s (${end.detail}); ${STAYS}`,
    );
  }
  await settle(true, { lastSave: saved.lastSave, rdbPath: saved.rdbPath });

  const file = `${dir}/redis-${(step.node ?? 'node').replace(/[^\w.-]/g, '_')}-${stamp(clock.now())}.rdb`;
  const command = `mkdir -p ${quote(dir)} && cp ${quote(saved.rdbPath)} ${quote(file)} && sha256sum ${quote(file)}`;
  const copySeconds = Math.max(1, Math.ceil(remainingMs() / 1000));
  const result = await mutatingCommand(ctx, step, `${step.id}#copy`, host, command, copySeconds);
  const sha256 = /^[0-9a-f]{64}\b/m.exec(result.output)?.[0];
  if (!succeeded(result) || sha256 === undefined) {
    return failed(
      'gate-blocked',
      `the copy of ${saved.rdbPath} to ${file} failed (exit ${result.exitCode ?? result.status}: ${keptOutput(result.output)}); ${STAYS}`,
    );
  }
  return ok(`backed up Redis ${address} to ${file} (sha256 ${sha256})`, {
    file,
    sha256,
    lastSave: saved.lastSave,
  });
}

/** `20261205T221503Z`: sorts by time, no characters a shell or a file system minds. */
function stamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
