/**
 * The command-line interface: parses arguments (commander), builds the context every command
 * gets, maps any error to one clear line and an exit code — the only place that does. Owns
 * nothing else: commands live in commands/, one file each; they parse their flags, call a use
 * case of src/app, and render its result (with the planner's runbook and the workflow's schema).
 *
 * Must not import (lint-enforced): the engine, adapters, probes, the demo or the emulator — only
 * src/app does. Nothing in src/ imports src/cli.
 */
import { resolve } from 'node:path';
import { Command, CommanderError, Help } from 'commander';
import {
  type DotEnvOrigin,
  DRAINCTL_VERSION,
  loadDotEnv,
  logLevelFrom,
  readEnvironment,
} from '../config/index.js';
import {
  type DrainctlError,
  ExitCode,
  formatErrorLine,
  InvalidInputError,
  toDrainctlError,
} from '../errors/index.js';
import { redact, redactString, registerSecretsFromEnv } from '../log/redact.js';
import type { CliContext } from './cli-context.js';
import {
  COMMANDS,
  type CommandEntry,
  commandNamed,
  type RegisterCommand,
} from './command-table.js';
import { createOutput, type Output } from './output.js';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal: AbortSignal;
}

/** Run the CLI on `argv` (without `node` and the script) and return the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  const wantsJson = argv.includes('--json');
  const stdout = createOutput(io.stdout);
  const stderr = createOutput(io.stderr);
  let exitCode: number = ExitCode.ok;

  let origin: DotEnvOrigin;
  try {
    origin = { file: resolve(io.cwd, '.env'), names: loadDotEnv(io.cwd, io.env) };
  } catch (error) {
    return reportError(toDrainctlError(error), { stderr, stdout, verbose, wantsJson });
  }
  registerSecretsFromEnv(io.env);
  let logLevel: string | undefined;
  try {
    logLevel = logLevelFrom(io.env, origin);
  } catch (error) {
    return reportError(toDrainctlError(error), { stderr, stdout, verbose, wantsJson });
  }
  const running = commandNamed(argv);
  let register: RegisterCommand | undefined;
  try {
    // Loaded before the program is built, so that it keeps its place in `drainctl --help`.
    register = await running?.load();
  } catch (error) {
    return reportError(toDrainctlError(error), { stderr, stdout, verbose, wantsJson });
  }

  const program = new Command('drainctl')
    .description(
      'Zero-downtime maintenance behind Alibaba Cloud load balancers: drain a node, prove that ' +
        'traffic has left it, patch and reboot it, prove it is back healthy and patched, restore it.',
    )
    .version(DRAINCTL_VERSION, '-V, --version', 'print the version')
    .option('-v, --verbose', 'debug logs, and stack traces on errors (before or after the command)')
    .configureHelp({
      // Every command's --help lists --verbose too: it is accepted after the command as well.
      showGlobalOptions: true,
      // Commands that are not loaded are listed from the command table.
      subcommandTerm: (command) =>
        COMMANDS.find((entry) => entry.name === command.name())?.term ??
        new Help().subcommandTerm(command),
    })
    .showHelpAfterError(false)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Usage errors are reported once, by reportError below.
      outputError: () => {},
    })
    .exitOverride();

  for (const entry of COMMANDS) {
    if (entry === running && register !== undefined) {
      const ctx = await commandContext(io, origin, {
        verbose,
        logLevel,
        stdout,
        stderr,
        setExitCode: (code) => {
          exitCode = code;
        },
      });
      register(program, ctx);
    } else {
      program.command(entry.name).description(entry.description).action(notLoaded(entry));
    }
  }
  for (const command of program.commands) {
    command.exitOverride().configureOutput({ outputError: () => {} });
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') {
        return ExitCode.ok;
      }
      // `drainctl` without a command has printed its help to stderr: a usage problem.
      if (error.code === 'commander.help') return ExitCode.invalidInput;
      const message = error.message.replace(/^error: /, '');
      return reportError(
        new InvalidInputError(`${message} (see drainctl --help)`, { path: 'command line' }),
        { stderr, stdout, verbose, wantsJson },
      );
    }
    return reportError(toDrainctlError(error), { stderr, stdout, verbose, wantsJson });
  }
  return exitCode;
}

/**
 * What the command that runs is given. Its logger (pino) is loaded here, with the command:
 * `--version` and `--help` print without it.
 */
async function commandContext(
  io: CliIo,
  origin: DotEnvOrigin,
  options: {
    verbose: boolean;
    logLevel: string | undefined;
    stdout: Output;
    stderr: Output;
    setExitCode: (code: number) => void;
  },
): Promise<CliContext> {
  const { createLogger } = await import('../log/index.js');
  const logger = createLogger({
    level: options.verbose ? 'debug' : (options.logLevel ?? 'info'),
    destination: io.stderr,
  });
  let environment: ReturnType<typeof readEnvironment> | undefined;
  return {
    environment: () => {
      environment ??= readEnvironment(io.env, io.cwd, origin);
      return environment;
    },
    logger,
    stdout: options.stdout,
    stderr: options.stderr,
    verbose: options.verbose,
    signal: io.signal,
    setExitCode: options.setExitCode,
  };
}

/** A command listed but not loaded: commander dispatches only the one commandNamed found. */
function notLoaded(entry: CommandEntry): () => never {
  return () => {
    throw new Error(`drainctl ${entry.name} was dispatched without being loaded`);
  };
}

function reportError(
  error: DrainctlError,
  out: {
    stderr: Output;
    stdout: Output;
    verbose: boolean;
    wantsJson: boolean;
  },
): number {
  out.stderr.line(out.stderr.style('red', redactString(formatErrorLine(error))));
  if (error instanceof InvalidInputError) {
    for (const issue of error.issues.slice(1)) {
      out.stderr.line(
        `  also: ${issue.path}: expected ${issue.expected}${issue.found ? `, found ${issue.found}` : ''}`,
      );
    }
  }
  if (out.verbose) {
    let cause: unknown = error;
    while (cause instanceof Error) {
      out.stderr.line(redactString(cause.stack ?? String(cause)));
      cause = cause.cause;
      if (cause !== undefined) out.stderr.line('caused by:');
    }
    if (cause !== undefined) out.stderr.line(redactString(String(cause)));
  }
  if (out.wantsJson) {
    out.stdout.json(
      redact({
        error: {
          code: error.code,
          message: error.message,
          hint: error.hint,
          exitCode: error.exitCode,
          ...(error instanceof InvalidInputError
            ? {
                file: error.file,
                path: error.path,
                expected: error.expected,
                found: error.found,
                issues: error.issues,
              }
            : {}),
          ...('cloudCode' in error
            ? { cloudCode: error.cloudCode, requestId: (error as { requestId?: string }).requestId }
            : {}),
        },
      }),
    );
  }
  return error.exitCode;
}
