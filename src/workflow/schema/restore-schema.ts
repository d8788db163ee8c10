/**
 * `restore`: how a server goes back into service — its weight raised in steps (percent of the
 * weight recorded before it was drained), each held while its 5xx rate is watched.
 */
import { z } from 'zod';
import { seconds } from './common-schema.js';

export const restoreSchema = z
  .strictObject({
    rampPercent: z
      .array(
        z
          .int({ error: 'a whole percent from 1 to 100' })
          .min(1, { error: 'a whole percent from 1 to 100' })
          .max(100, { error: 'a whole percent from 1 to 100' }),
        { error: 'a list of percents like [10, 50, 100]' },
      )
      .min(1, { error: 'at least one step, ending at 100' })
      .default([10, 50, 100])
      .meta({ description: 'Steps in percent of the recorded weight, ascending, ending at 100.' }),
    holdSeconds: seconds('Seconds each step is held and watched.', { min: 0 }).default(30),
    max5xxRate: z
      .number({ error: 'a fraction from 0 to 1, like 0.01 for 1%' })
      .min(0, { error: 'a fraction from 0 to 1, like 0.01 for 1%' })
      .max(1, { error: 'a fraction from 0 to 1, like 0.01 for 1%' })
      .default(0.01)
      .meta({
        description:
          'Above this share of 5xx answers in a hold, the server goes back to weight 0 and the run halts.',
      }),
    minRequests: z
      .int({ error: 'a whole number ≥ 0' })
      .min(0, { error: 'a whole number ≥ 0' })
      .default(20)
      .meta({
        description:
          'Fewer requests than this in a hold cannot judge the rate: the hold watches longer (extendSeconds), then onInconclusive decides.',
      }),
    extendSeconds: seconds(
      'Seconds a hold that saw fewer than minRequests requests goes on watching for them.',
      { min: 0 },
    ).default(120),
    onInconclusive: z
      .enum(['halt', 'continue'], { error: 'halt or continue' })
      .default('halt')
      .meta({
        description:
          'Still fewer than minRequests after the extension: halt (the server goes back to weight 0, named, and the run halts) or continue (the ramp goes on, with a warning).',
      }),
  })
  .meta({ description: 'Bringing a server back into service.' });

export type RestoreSpec = z.output<typeof restoreSchema>;
