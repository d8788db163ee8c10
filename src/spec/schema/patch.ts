/**
 * `patch`: what is done to a drained server — commands, a reboot — and how drainctl proves it
 * took effect (a verify command run before and after, default `uname -r`, and an expectation).
 */
import { z } from 'zod';
import { commandText, regexText, seconds } from './common.js';

export const verifyExpectationSchema = z
  .union(
    [
      z.literal('changed'),
      z.strictObject({
        equals: z.string().meta({ description: 'Output must equal this (trimmed).' }),
      }),
      z.strictObject({
        matches: regexText.meta({ description: 'Output must match this regular expression.' }),
      }),
    ],
    { error: 'changed, {equals: "…"} or {matches: "…"}' },
  )
  .meta({ description: 'changed (output differs from before the patch), equals or matches.' });

export const verifySchema = z
  .strictObject({
    command: commandText
      .default('uname -r')
      .meta({ description: 'Run before and after the patch.' }),
    expect: verifyExpectationSchema.default('changed'),
    timeoutSeconds: seconds('Seconds the command may take.').default(60),
    skipIfCompliant: z.boolean({ error: 'true or false' }).optional().meta({
      description:
        'Skip a server (no drain, patch or reboot) whose output already satisfies expect before its drain; equals/matches only.',
    }),
  })
  .meta({ description: 'Proof the patch took effect.' });

export const patchSchema = z
  .strictObject({
    commands: z
      .array(commandText, { error: 'a list of shell commands' })
      .default([])
      .meta({ description: 'Run in order on the drained server; a non-zero exit fails it.' }),
    timeoutSeconds: seconds('Seconds the commands may take, all together.').default(900),
    reboot: z
      .boolean({ error: 'true or false' })
      .default(true)
      .meta({ description: 'Reboot after the commands.' }),
    rebootTimeoutSeconds: seconds('Seconds until the server must be running again.').default(600),
    verify: z
      .union([z.literal(false), verifySchema], {
        error: 'false, or {command, expect, timeoutSeconds}',
      })
      .default({ command: 'uname -r', expect: 'changed', timeoutSeconds: 60 })
      .meta({
        description: 'Verify the patch (default: uname -r must change); false turns it off.',
      }),
  })
  .meta({ description: 'The maintenance done on each drained server.' });

export type PatchSpec = z.output<typeof patchSchema>;
