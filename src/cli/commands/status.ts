/**
 * `drainctl status [run-id] [--json]`: a run, node by node (src/app/status.ts), and whether a
 * live process still runs it. Reads only; with DRAINCTL_DATABASE_URL, from the database.
 */
import type { Command } from 'commander';
import { formatReport, runStatus, withRunStorage } from '../../app/index.js';
import type { CliContext } from '../cli-context.js';

export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('show the state of a run, node by node (default: the latest run)')
    .argument('[run-id]', 'id of the run')
    .option('--json', 'print the status as one JSON document')
    .action(async (runId: string | undefined, options: { json?: boolean }) => {
      const environment = ctx.environment();
      const status = await withRunStorage(environment, ctx.logger, (shared) =>
        runStatus({
          home: environment.home,
          ...(runId === undefined ? {} : { runId }),
          ...(shared === undefined ? {} : { shared }),
        }),
      );
      if (options.json) {
        ctx.stdout.json({
          runId: status.runId,
          running: status.running,
          ...(status.holder ? { holder: status.holder } : {}),
          report: status.report,
          ...(status.otherUnfinished ? { otherUnfinished: status.otherUnfinished } : {}),
        });
        return;
      }
      const lines = formatReport(status.report);
      for (const line of lines) ctx.stdout.line(line);
      if (status.running && status.holder) {
        ctx.stdout.line(
          `  running: pid ${status.holder.pid} on ${status.holder.host}, heartbeat ${status.holder.heartbeatAt}`,
        );
      }
      const other = status.otherUnfinished;
      if (other !== undefined) {
        ctx.stdout.line(
          `  also on this balancer: run ${other.runId} is ${other.state}${other.nodesOut.length > 0 ? `, out of service: ${other.nodesOut.map((n) => n.name).join(', ')}` : ''} (\`drainctl status ${other.runId}\`, \`drainctl resume ${other.runId}\`)`,
        );
      }
    });
}
