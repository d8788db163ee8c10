/**
 * Building blocks shared by the workflow sections. Each schema carries its own `error`, phrased
 * as what was expected ("a whole number of seconds ≥ 1"), because that phrase is what the user
 * reads after `expected` in an invalid-input message.
 */
import { z } from 'zod';
import { isCidr } from '../cidr.js';

/**
 * The longest wait any `*Seconds` field may ask for: a day. Longer is a typo (milliseconds
 * written as seconds), and would also overflow a Node timer (2^31-1 ms ≈ 24.8 days fires at once).
 */
export const MAX_SECONDS = 86_400;

/** A whole number of seconds from `min` (default 1) to `max` (default MAX_SECONDS, a day). */
export const seconds = (description: string, options: { min?: number; max?: number } = {}) => {
  const min = options.min ?? 1;
  const max = options.max ?? MAX_SECONDS;
  const phrase =
    max === MAX_SECONDS
      ? `a whole number of seconds from ${min} to ${MAX_SECONDS} (a day)`
      : `a whole number of seconds from ${min} to ${max}`;
  return z
    .int({ error: phrase })
    .min(min, { error: phrase })
    .max(max, { error: phrase })
    .meta({ description });
};

export const port = (description: string) =>
  z
    .int({ error: 'a port number from 1 to 65535' })
    .min(1, { error: 'a port number from 1 to 65535' })
    .max(65535, { error: 'a port number from 1 to 65535' })
    .meta({ description });

export const weight = (description: string, min = 0) =>
  z
    .int({ error: `a weight from ${min} to 100` })
    .min(min, { error: `a weight from ${min} to 100` })
    .max(100, { error: `a weight from ${min} to 100` })
    .meta({ description });

/** ECS instance ids: `i-bp1abc…` in the cloud, `i-emu-web-1` in the emulator. */
export const instanceId = z
  .string({ error: 'an ECS instance id like i-bp1abc2def' })
  .regex(/^i-[A-Za-z0-9][A-Za-z0-9-]*$/, { error: 'an ECS instance id like i-bp1abc2def' });

export const cidr = z
  .string({ error: 'a CIDR like 100.64.0.0/10' })
  .refine(isCidr, { error: 'a CIDR like 100.64.0.0/10' });

export const tags = (description: string) =>
  z
    .record(
      z
        .string()
        .min(1, { error: 'a tag key of 1 to 128 characters' })
        .max(128, { error: 'a tag key of 1 to 128 characters' }),
      z.string({ error: 'a tag value (text up to 128 characters)' }).max(128),
      { error: 'tags as `key: value` pairs' },
    )
    .meta({ description });

/** `2` or `"50%"`: minHealthy and maxUnavailable. */
export const countOrPercent = (description: string) =>
  z
    .union(
      [
        z.int().min(0),
        z.string().regex(/^(100|[1-9]?\d)%$/, { error: 'a count like 2 or a percent like "50%"' }),
      ],
      { error: 'a count like 2 or a percent like "50%"' },
    )
    .meta({ description });

export const absolutePath = (description: string) =>
  z
    .string({ error: 'an absolute file path' })
    .regex(/^\//, { error: 'an absolute file path' })
    .meta({ description });

export const commandText = z
  .string({ error: 'a shell command' })
  .min(1, { error: 'a shell command (not empty)' });

/** A JavaScript regular expression, checked by compiling it (pure: no I/O). */
export const regexText = z.string({ error: 'a regular expression' }).refine(
  (text) => {
    try {
      new RegExp(text);
      return true;
    } catch {
      return false;
    }
  },
  { error: 'a valid regular expression' },
);

export const httpStatusList = (description: string) =>
  z
    .array(
      z
        .int({ error: 'an HTTP status code from 100 to 599' })
        .min(100, { error: 'an HTTP status code from 100 to 599' })
        .max(599, { error: 'an HTTP status code from 100 to 599' }),
      { error: 'a list of HTTP status codes like [200]' },
    )
    .min(1, { error: 'at least one HTTP status code' })
    .meta({ description });

export const urlPath = z
  .string({ error: 'a URL path starting with /' })
  .regex(/^\/\S*$/, { error: 'a URL path starting with / (no spaces)' });
