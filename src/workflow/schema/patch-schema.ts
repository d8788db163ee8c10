/**
 * `patch`: what is done to a drained server — commands, a reboot — how drainctl proves it took
 * effect (a verify command run before and after, default `uname -r`, and an expectation), and
 * how it tells a server that does not need it (`neededWhen`, and `verify.skipIfCompliant`).
 */
import { z } from 'zod';
import { absolutePath, commandText, regexText, seconds } from './common-schema.js';

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
        'Skip a server (no gate, hooks, drain, patch or reboot) already compliant before its drain: its output already satisfies expect (equals/matches) and no patch.neededWhen check says the patch is needed. On by default whenever compliance can be told (equals/matches, or neededWhen checks); false turns it off.',
    }),
  })
  .meta({ description: 'Proof the patch took effect.' });

const exitCodePhrase = 'an exit code from 1 to 255 (exit 0 means the patch is not needed)';

/** One read-only question "does this server need the patch?", answered by an exit code. */
export const neededCheckSchema = z
  .strictObject({
    command: commandText.meta({
      description:
        'Read-only command run on the server: exit 0 when it is current, exitCode when it needs the patch; any other exit fails closed.',
    }),
    exitCode: z
      .int({ error: exitCodePhrase })
      .min(1, { error: exitCodePhrase })
      .max(255, { error: exitCodePhrase })
      .meta({ description: 'The exit code that means the server needs the patch.' }),
    timeoutSeconds: seconds('Seconds the check may take.').default(60),
  })
  .meta({ description: 'A check whether a server needs the patch.' });

/** `patch.nginx`: what the hot upgrade of the server's own nginx needs. */
export const nginxHotUpgradeSchema = z
  .strictObject({
    newBinary: absolutePath('The new nginx binary, already on the server.'),
    binary: absolutePath('The binary nginx runs, replaced in place.').default('/usr/sbin/nginx'),
    pidFile: absolutePath("The master's pid file (nginx's pid directive).").default(
      '/run/nginx.pid',
    ),
    url: z
      .string({ error: 'an http:// or https:// URL' })
      .regex(/^https?:\/\/\S+$/, { error: 'an http:// or https:// URL (no spaces)' })
      .meta({
        description:
          'Must answer (status below 400) through this nginx with both masters and with the new one alone; {privateIp}, {name} and {instanceId} name the server.',
      }),
    stepTimeoutSeconds: seconds(
      'Seconds the new master may take to run its workers, the old workers to leave, the old master to exit.',
    ).default(30),
  })
  .meta({ description: "nginx's binary hot upgrade: USR2, WINCH, QUIT, and the way back." });

const rollbackTimeout = seconds('Seconds the rollback commands may take, all together.').default(
  300,
);

/** How a server whose patch proved bad goes back to the version it ran before. */
export const rollbackSchema = z
  .discriminatedUnion(
    'kind',
    [
      z.strictObject({
        kind: z.literal('kernel').meta({
          description:
            'Make the kernel it ran before the patch the default boot entry again (grubby), reboot, prove it.',
        }),
        timeoutSeconds: rollbackTimeout,
      }),
      z.strictObject({
        kind: z.literal('packages').meta({
          description:
            'Roll the package transactions back to the last one before the patch (yum history rollback, recorded before the patch), reboot, prove it.',
        }),
        timeoutSeconds: rollbackTimeout,
      }),
      z.strictObject({
        kind: z.literal('custom'),
        commands: z
          .array(commandText, { error: 'a list of shell commands' })
          .min(1, { error: 'at least one command' })
          .meta({
            description:
              'Run in order on the server; {previous} stands for the output of the verify command before the patch.',
          }),
        timeoutSeconds: rollbackTimeout,
      }),
    ],
    { error: '{kind: kernel}, {kind: packages} or {kind: custom, commands: [...]}' },
  )
  .meta({
    description:
      'Roll the patch back when the server fails its health checks, its verify or its ramp; then the rollout halts.',
  });

const kbPhrase = 'a KB article id like KB5040437';

/** `patch.windows`: the Windows updates a `windows-update` patch installs and proves. */
export const windowsUpdateSchema = z
  .strictObject({
    kbs: z
      .array(z.string({ error: kbPhrase }).regex(/^KB\d{6,8}$/, { error: kbPhrase }), {
        error: 'a list of KB article ids',
      })
      .min(1, { error: 'at least one KB' })
      .max(20, { error: 'at most 20 KBs' })
      .meta({
        description:
          'Installed with Install-WindowsUpdate -KBArticleID (the PSWindowsUpdate module) unless patch.commands says how; verified with Get-HotFix after the restart.',
      }),
    service: z
      .string({ error: 'a Windows service name like W3SVC' })
      .regex(/^[A-Za-z0-9_.$-]+$/, { error: 'a Windows service name like W3SVC' })
      .optional()
      .meta({
        description: 'Must be Running after the restart (Get-Service), checked with the KBs.',
      }),
  })
  .meta({ description: 'The Windows updates of a windows-update patch.' });

export const patchSchema = z
  .strictObject({
    kind: z
      .enum(['commands', 'nginx-hot-upgrade', 'windows-update'], {
        error: 'commands, nginx-hot-upgrade or windows-update',
      })
      .default('commands')
      .meta({
        description:
          "commands (default): the commands, then the reboot; nginx-hot-upgrade: the server's nginx binary replaced without a reboot (patch.nginx); windows-update: Windows updates through Cloud Assistant's PowerShell, a restart, and Get-HotFix as the proof (patch.windows).",
      }),
    nginx: nginxHotUpgradeSchema.optional(),
    windows: windowsUpdateSchema.optional(),
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
    neededWhen: z
      .array(neededCheckSchema, { error: 'a list of checks like {command, exitCode}' })
      .max(10, { error: 'at most 10 checks' })
      .default([])
      .meta({
        description:
          'Read-only checks whether a server needs the patch, asked before its drain (none says so: skipped) and after it when expect: changed finds the output unchanged.',
      }),
    rollback: rollbackSchema.optional(),
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
export type NginxHotUpgradeSpec = z.output<typeof nginxHotUpgradeSchema>;
export type RollbackSpec = z.output<typeof rollbackSchema>;

export type WindowsUpdateSpec = z.output<typeof windowsUpdateSchema>;
