/**
 * The `report` use case: a run's timeline from its journal (and whether a live process holds
 * it), for `drainctl report`, `--json` and the page of `drainctl serve`; the static HTML file of
 * it. Reads the journal only; writes nothing but the file it is asked to.
 */
import { writeFile } from 'node:fs/promises';
import { readRunJournal, readRunStatus } from '../engine/index.js';
import { DrainctlError } from '../errors/index.js';
import { redact } from '../log/index.js';
import type { SharedStorage } from '../ports/index.js';
import { buildTimeline, renderReport, type Timeline } from '../report/index.js';

export interface RunTimelineOptions {
  /** DRAINCTL_HOME. */
  home: string;
  runId: string;
  /** Wall-clock ms the timeline is made for (default: now). */
  now?: number;
  /** Read the run from the database replicas share instead of DRAINCTL_HOME. */
  shared?: SharedStorage;
}

export async function runTimeline(options: RunTimelineOptions): Promise<Timeline> {
  // Checks the id, that the run exists and its journal reads, and whether it runs.
  const status = await readRunStatus(options.home, options.runId, undefined, options.shared);
  const entries = await readRunJournal(options.home, status.runId, options.shared);
  return redact(
    buildTimeline({ entries, now: options.now ?? Date.now(), running: status.running }),
  );
}

export interface ReportOptions extends RunTimelineOptions {
  /** Where to write the HTML file (resolved by the caller). */
  htmlFile?: string;
}

/** The timeline, and the self-contained HTML file of it when asked for. */
export async function reportRun(options: ReportOptions): Promise<Timeline> {
  const timeline = await runTimeline(options);
  if (options.htmlFile !== undefined) {
    await writeFile(options.htmlFile, renderReport(timeline)).catch((error: unknown) => {
      throw new DrainctlError(
        'REPORT_WRITE_FAILED',
        `could not write the report to ${options.htmlFile}: ${(error as Error).message}`,
        { cause: error },
      );
    });
  }
  return timeline;
}
