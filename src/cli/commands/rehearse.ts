/**
 * `drainctl rehearse <workflow>`: tonight's plan tried on an emulator that mirrors the real
 * account (src/app/rehearse.ts), under client load and with faults; the report as text or one
 * JSON document (`--json`, what `drainctl run --rehearsal` takes). Changes nothing in the account.
 */
import type { Command } from 'commander';
import { withObservationBuckets } from '../../app/composition-root.js';
import type { RehearsalReport } from '../../app/rehearsal-report.js';
import { rehearseWorkflowFile } from '../../app/rehearse.js';
import { InvalidInputError } from '../../errors/index.js';
import type { CliContext } from '../cli-context.js';
import {
  addZeroWeightFlags,
  type ZeroWeightFlags,
  zeroWeightChoices,
} from '../zero-weight-flags.js';

interface RehearseOptions extends ZeroWeightFlags {
  fault: string[];
  load: string;
  compress: string;
  json?: boolean;
}

function wholeNumber(option: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (/^\d+$/.test(text) && value >= min && value <= max) return value;
  throw new InvalidInputError(`${option}: expected a whole number ${min}–${max}, found "${text}"`, {
    path: option,
    expected: `a whole number ${min}–${max}`,
    found: text,
  });
}

export function registerRehearse(program: Command, ctx: CliContext): void {
  const command = program
    .command('rehearse')
    .description(
      "try tonight's plan on an emulator mirroring the real account, under load and faults",
    )
    .argument('<workflow>', 'workflow YAML file')
    .option(
      '--fault <spec>',
      'inject a fault in the mirror (repeatable): boot-failure:SERVER, unhealthy-after-reboot:SERVER[:SECONDS], app-5xx-after-reboot:SERVER[:RATE], throttle:ACTION[:COUNT], latency:ACTION:MS',
      (value: string, all: string[]) => [...all, value],
      [] as string[],
    )
    .option(
      '--load <rps>',
      'client requests per second through the mirrored balancer (0: none)',
      '50',
    )
    .option(
      '--compress <factor>',
      "drainctl's clock runs this many times as fast as the wall during the run (waits, holds, timeouts)",
      '10',
    )
    .option('--json', 'print the report as one JSON document (for `drainctl run --rehearsal`)');
  addZeroWeightFlags(command)
    .addHelpText(
      'after',
      '\nOnly Describe* calls reach the account. Exit codes: 0 same plan and every promise held,\n1 the plans differ or a promise broke (the report says which), 3 invalid input.',
    )
    .action(async (workflow: string, options: RehearseOptions) => {
      const loadRps = wholeNumber('--load', options.load, 0, 5000);
      const compression = wholeNumber('--compress', options.compress, 1, 100);
      const environment = ctx.environment();
      const report = await withObservationBuckets(environment, ctx.logger, (rateBuckets) =>
        rehearseWorkflowFile(workflow, {
          env: process.env,
          cwd: process.cwd(),
          environment,
          logger: ctx.logger,
          faults: options.fault,
          loadRps,
          compression,
          choices: zeroWeightChoices(options),
          signal: ctx.signal,
          ...(rateBuckets === undefined ? {} : { rateBuckets }),
        }),
      );
      if (options.json) ctx.stdout.json(report);
      else for (const line of reportLines(report)) ctx.stdout.line(line);
      if (!report.samePlan || !report.everyPromiseHeld) ctx.setExitCode(1);
    });
}

function reportLines(report: RehearsalReport): string[] {
  const { timeCompression: time, load } = report;
  return [
    `Rehearsal of ${report.workflow}`,
    report.samePlan
      ? `plan sha256 ${report.planSha256}: the same against the account and its mirror`
      : `plan sha256 ${report.planSha256} against the account, ${report.mirrorPlanSha256} against the mirror: ${report.differences.count} difference(s)`,
    ...report.differences.named.map((difference) => `  ${difference}`),
    `mirror: ${report.mirror.instances} servers, balancer ${report.mirror.loadBalancerId ?? '(none)'} with ${report.mirror.listeners} listener(s)${report.mirror.record === undefined ? '' : `, ${report.mirror.record.name} → ${report.mirror.record.value} TTL ${report.mirror.record.ttl}`}`,
    ...report.mirror.notes.map((note) => `  ${note}`),
    `run ${report.run.runId}: ${report.run.outcome} — ${report.run.summary}`,
    ...report.faults.map((fault) => `fault ${fault.spec}: ${fault.effect}`),
    `load: ${load.total} requests at ${load.ratePerSecond}/s, ${load.failed} failed`,
    `time: ${time.realSeconds} s real for ${time.compressedSeconds} s of drainctl's time (compressed ${time.factor}×; the mirror's servers and clients kept real time)`,
    ...report.promises.map(
      (promise) => `${promise.held ? 'held ' : 'BROKE'} ${promise.promise}: ${promise.detail}`,
    ),
    report.everyPromiseHeld ? 'every promise held' : 'a promise broke',
  ];
}
