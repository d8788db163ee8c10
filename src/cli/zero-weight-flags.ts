/**
 * `--restore-weight <id>=<weight>` and `--leave-at-zero <id>`, which `plan` and `run` both take:
 * the operator's word on a server found at weight 0 with no saved weight (docs/engine.md §1,
 * "Where a server comes back to"). Here only their syntax; whether each names such a server, and
 * the weight's range, the planner checks (src/plan/at-zero.ts), so the API gets the same rules.
 */
import type { Command } from 'commander';
import { InvalidInputError } from '../errors/index.js';
import { LEAVE_AT_ZERO_FLAG, RESTORE_WEIGHT_FLAG } from '../plan/at-zero.js';
import type { ZeroWeightChoices } from '../plan/index.js';

export interface ZeroWeightFlags {
  restoreWeight: string[];
  leaveAtZero: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function addZeroWeightFlags(command: Command): Command {
  return command
    .option(
      `${RESTORE_WEIGHT_FLAG} <id=weight>`,
      'a server found at weight 0 that no drainctl run saved a weight for: maintain it and bring it back to this weight (repeatable)',
      collect,
      [] as string[],
    )
    .option(
      `${LEAVE_AT_ZERO_FLAG} <id>`,
      'a server found at weight 0: leave it there untouched, on purpose, so the run may end done (repeatable)',
      collect,
      [] as string[],
    );
}

/** The flags as the planner takes them; a value that is not `<id>=<digits>` is invalid input. */
export function zeroWeightChoices(flags: ZeroWeightFlags): ZeroWeightChoices {
  const restoreWeight: Record<string, number> = {};
  for (const value of flags.restoreWeight) {
    const match = /^([^=\s]+)=(\d{1,6})$/.exec(value.trim());
    if (match === null) {
      throw new InvalidInputError(
        `${RESTORE_WEIGHT_FLAG}: expected <instance id>=<weight> (e.g. i-bp1abc=100), found "${value}"`,
        {
          path: RESTORE_WEIGHT_FLAG,
          expected: '<instance id>=<weight>, e.g. i-bp1abc=100',
          found: value,
        },
      );
    }
    const [, id = '', weight = ''] = match;
    if (id in restoreWeight) {
      throw new InvalidInputError(
        `${RESTORE_WEIGHT_FLAG}: expected each server once, found ${id} twice`,
        { path: RESTORE_WEIGHT_FLAG, expected: 'each server once', found: `${id} twice` },
      );
    }
    restoreWeight[id] = Number(weight);
  }
  const leaveAtZero = flags.leaveAtZero.map((id) => id.trim());
  return {
    ...(Object.keys(restoreWeight).length === 0 ? {} : { restoreWeight }),
    ...(leaveAtZero.length === 0 ? {} : { leaveAtZero }),
  };
}
