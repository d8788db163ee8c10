/**
 * `drainctl --help` lists the commands from the command table without loading them; each
 * command's module must register exactly the name, usage and description the table lists, or
 * the top-level help would say something the command's own help does not.
 */
import { Command, Help } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '#src/cli/cli-context.js';
import { COMMANDS, commandNamed } from '#src/cli/command-table.js';

describe('the command table', () => {
  it.each(COMMANDS.map((entry) => [entry.name, entry] as const))(
    '%s: its module registers the name, usage and description listed',
    async (_name, entry) => {
      const program = new Command('drainctl');
      // Registering reads nothing of the context; running an action would.
      (await entry.load())(program, {} as CliContext);
      expect(program.commands).toHaveLength(1);
      const [command] = program.commands;
      if (command === undefined) throw new Error('no command registered');
      expect(command.name()).toBe(entry.name);
      expect(new Help().subcommandTerm(command)).toBe(entry.term);
      expect(command.description()).toBe(entry.description);
    },
  );

  it.each([
    [['plan', 'w.yaml'], 'plan'],
    [['--verbose', 'run', 'w.yaml', '--yes'], 'run'],
    [['-v', 'status', '--json'], 'status'],
    [['help', 'watch'], 'watch'],
    [['--json', 'inspect', 'w.yaml'], 'inspect'],
    [['schedule', 'list', '--config', 'serve.yaml'], 'schedule'],
    [['--version'], undefined],
    [['--help'], undefined],
    [['help'], undefined],
    [[], undefined],
    [['pln', 'w.yaml'], undefined],
  ])('%j runs %s', (argv, name) => {
    expect(commandNamed(argv)?.name).toBe(name);
  });
});
