/**
 * `drainctl resume <run-id>`: reconcile the run's journal with the live state, then continue
 * (or finish stopping) it. Refused while another live process holds the balancer's lock.
 */
import type { Command } from 'commander';
import {
  checkRunId,
  resumeRunById,
  runJournal,
  runStatus,
  withRunStorage,
} from '../../app/index.js';
import { ensureWritableHome } from '../../config/index.js';
import type { CliContext } from '../cli-context.js';
import { runProgressWiring } from '../live-progress.js';
import { confirmOrRefuse, printRunResult, refuseUnlessConfirmable } from '../run-io.js';

export function registerResume(program: Command, ctx: CliContext): void {
  program
    .command('resume')
    .description('reconcile a run journal with the live state, then continue or roll back')
    .argument('<run-id>', 'id of the run (see `drainctl status`)')
    .option('--yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .option('--json', 'print the run report as one JSON document')
    .option(
      '--retry <instanceId>',
      'carry a node that ended rolled back or left out through its sequence again, once its cause is fixed (repeatable); it is re-observed live first',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      '--no-live',
      'print plain progress lines (one per change) instead of redrawing a live view on the terminal',
    )
    .option(
      '--break-lock, --break-stale-lock',
      "take over the balancer's lock when its holder cannot be proven alive (another host's old heartbeat, another run's dead pid); this run's own dead process is taken over anyway",
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 2 halted in a safe state, 1 error, 3 invalid input.',
    )
    .action(
      async (
        runId: string,
        options: {
          yes?: boolean;
          json?: boolean;
          breakStaleLock?: boolean;
          retry: string[];
          live: boolean;
        },
      ) => {
        // Before any hint repeats it back as a command to run.
        checkRunId(ctx.environment().home, runId);
        const again = options.retry.map((id) => ` --retry ${id}`).join('');
        const unattended = `see where it stands with \`drainctl status ${runId}\`, then continue it without a terminal: \`drainctl resume ${runId}${again} --yes\``;
        refuseUnlessConfirmable({ yes: options.yes === true, unattended });
        const environment = ctx.environment();
        ensureWritableHome(environment.home);
        const result = await withRunStorage(environment, ctx.logger, async (shared) => {
          const stored = shared === undefined ? {} : { shared };
          const status = await runStatus({ home: environment.home, runId, ...stored });
          const out = options.json ? ctx.stderr : ctx.stdout;
          out.line(
            `run ${runId} (${status.report.workflow}), last written ${status.report.updatedAt}:`,
          );
          for (const n of status.report.nodes) {
            const again = options.retry.includes(n.id) ? ' — to be retried (--retry)' : '';
            out.line(`  ${n.name} (${n.id}): ${n.state}${again}`);
          }
          await confirmOrRefuse('Reconcile with the live state and continue this run?', {
            yes: options.yes === true,
            unattended,
          });
          const progress = runProgressWiring(ctx, {
            json: options.json === true,
            live: options.live !== false,
            history: await runJournal({ home: environment.home, runId, ...stored }),
          });
          return resumeRunById(runId, {
            home: environment.home,
            environment,
            env: process.env,
            logger: progress.logger,
            signal: ctx.signal,
            breakStaleLock: options.breakStaleLock,
            retry: options.retry,
            status,
            afterAppend: progress.afterAppend,
            ...stored,
          }).finally(() => progress.view.stop());
        });
        printRunResult(ctx, result, options.json === true);
      },
    );
}
