/**
 * Every command of the CLI: its name, its line in `drainctl --help`, and how to load the module
 * that registers it. program.ts loads only the command being run (or whose help is asked for),
 * so `--version`, `--help` and a mistyped name load no command at all, and no command loads
 * another's dependencies. The lines of `--help` are written here because listing them must not
 * load the modules; test/unit/cli/command-table.test.ts checks that each module registers
 * exactly this name, usage and description.
 */
import type { Command } from 'commander';
import type { CliContext } from './cli-context.js';

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

export interface CommandEntry {
  name: string;
  /** The command as `drainctl --help` lists it: name, `[options]` if it has any, arguments. */
  term: string;
  description: string;
  load(): Promise<RegisterCommand>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'plan',
    term: 'plan [options] <workflow>',
    description: 'print the runbook drainctl would execute for a workflow; changes nothing',
    load: async () => (await import('./commands/plan.js')).registerPlan,
  },
  {
    name: 'run',
    term: 'run [options] <workflow>',
    description: 'execute a workflow: drain, patch, reboot, verify and restore, batch by batch',
    load: async () => (await import('./commands/run.js')).registerRun,
  },
  {
    name: 'rehearse',
    term: 'rehearse [options] <workflow>',
    description:
      "try tonight's plan on an emulator mirroring the real account, under load and faults",
    load: async () => (await import('./commands/rehearse.js')).registerRehearse,
  },
  {
    name: 'resume',
    term: 'resume [options] <run-id>',
    description: 'reconcile a run journal with the live state, then continue or roll back',
    load: async () => (await import('./commands/resume.js')).registerResume,
  },
  {
    name: 'status',
    term: 'status [options] [run-id]',
    description: 'show the state of a run, node by node (default: the latest run)',
    load: async () => (await import('./commands/status.js')).registerStatus,
  },
  {
    name: 'report',
    term: 'report [options] <run-id>',
    description:
      "a run's timeline and runbook from its journal: one self-contained HTML file, or JSON",
    load: async () => (await import('./commands/report.js')).registerReport,
  },
  {
    name: 'abort',
    term: 'abort <run-id>',
    description:
      'stop a run after its current step, leaving every node serving or explicitly reported',
    load: async () => (await import('./commands/abort.js')).registerAbort,
  },
  {
    name: 'inspect',
    term: 'inspect [options] <workflow>',
    description:
      'read-only pre-flight: what drainctl sees live, and a checklist against the workflow',
    load: async () => (await import('./commands/inspect.js')).registerInspect,
  },
  {
    name: 'watch',
    term: 'watch [options] <access-log>',
    description: 'stand-alone drain probe: follow an access log until real traffic has stopped',
    load: async () => (await import('./commands/watch.js')).registerWatch,
  },
  {
    name: 'schema',
    term: 'schema [kind]',
    description: 'print the JSON Schema of workflow files or of serve.yaml (for editors)',
    load: async () => (await import('./commands/schema.js')).registerSchema,
  },
  {
    name: 'schedule',
    term: 'schedule',
    description: "patch-night schedules in serve.yaml: each one's next occurrences",
    load: async () => (await import('./commands/schedule.js')).registerSchedule,
  },
  {
    name: 'serve',
    term: 'serve [options]',
    description: 'HTTP API for runs (start, abort, resume, status, events) and /metrics',
    load: async () => (await import('./commands/serve.js')).registerServe,
  },
  {
    name: 'emulator',
    term: 'emulator [options]',
    description: 'run the local Alibaba Cloud emulator (SLB, Alidns, ECS) until SIGINT/SIGTERM',
    load: async () => (await import('./commands/emulator.js')).registerEmulator,
  },
  {
    name: 'demo',
    term: 'demo [options]',
    description:
      'rolling kernel patch on the emulator under live load, with a report (what `npm start` runs)',
    load: async () => (await import('./commands/demo.js')).registerDemo,
  },
];

/**
 * The command `argv` runs, as commander will dispatch it: the first operand, since no option of
 * the program itself takes a value; `help <command>` shows that command's help.
 */
export function commandNamed(argv: readonly string[]): CommandEntry | undefined {
  const operands = argv.filter((arg) => !arg.startsWith('-'));
  const name = operands[0] === 'help' ? operands[1] : operands[0];
  return COMMANDS.find((entry) => entry.name === name);
}
