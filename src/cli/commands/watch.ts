import type { Command } from 'commander';
import {
  type AccessLogProgress,
  checkLogFormat,
  formatProgressLine,
  ProgressCadence,
  SLB_HEALTH_CHECK_CIDR,
  type WatchSettings,
  watchAccessLog,
} from '../../app/index.js';
import { DrainctlError, ExitCode, InvalidInputError } from '../../errors/index.js';
import { logFormatFromSpec } from '../../plan/probe-config.js';
import type { LogSource, TrafficFilter } from '../../ports/index.js';
import {
  describeIssue,
  formatPath,
  type PathSegment,
  parseDrainBlock,
  type RawIssue,
} from '../../workflow/index.js';
import type { CliContext } from '../cli-context.js';

interface WatchOptions {
  format: string;
  quiet: string;
  timeout: string;
  ignoreCidr?: string[];
  ignorePath: string[];
  ignoreUserAgent: string[];
  healthCheck?: string;
  clientAddress: string;
  identity?: string;
  knownHosts?: string;
  hostKey?: string;
  json?: boolean;
}

/** Live progress on stderr every this many seconds (and whenever traffic starts or stops). */
const PROGRESS_EVERY_SECONDS = 5;

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerWatch(program: Command, ctx: CliContext): void {
  program
    .command('watch')
    .description('stand-alone drain probe: follow an access log until real traffic has stopped')
    .argument(
      '<access-log>',
      'path of the access log (nginx combined by default), or ssh://user@host[:port]/path',
    )
    .option('--format <format>', 'combined, json, or an nginx log_format string', 'combined')
    .option('--quiet <seconds>', 'seconds without a real request that count as drained', '30')
    .option('--timeout <seconds>', 'give up after this many seconds', '600')
    .option(
      '--ignore-cidr <cidr>',
      `sources that are not real traffic; repeat for several (default: ${SLB_HEALTH_CHECK_CIDR}, the SLB health checkers; giving any replaces the default)`,
      collect,
    )
    .option(
      '--ignore-path <path>',
      'requests to this path are not real traffic (`/static/*` for a prefix); repeatable',
      collect,
      [],
    )
    .option(
      '--ignore-user-agent <text>',
      'user agents containing this text are health checks; repeatable',
      collect,
      [],
    )
    .option('--health-check <"METHOD URI">', 'the listener\'s health check, e.g. "HEAD /health"')
    .option(
      '--client-address <field>',
      'remote_addr (layer-4 listeners) or x_forwarded_for (layer-7: every request comes from the balancer)',
      'remote_addr',
    )
    .option('--identity <file>', 'ssh://: private key file (default: agent, then ~/.ssh/id_*)')
    .option(
      '--known-hosts <file>',
      'ssh://: known_hosts to verify the host key (default ~/.ssh/known_hosts)',
    )
    .option(
      '--host-key <fingerprint>',
      'ssh://: pinned host key fingerprint SHA256:… instead of known_hosts',
    )
    .option('--json', 'print the timeline as one JSON document')
    .addHelpText(
      'after',
      `
Examples:
  drainctl watch /var/log/nginx/access.log --quiet 30 --timeout 600
  drainctl watch access.log --client-address x_forwarded_for \\
    --format '$remote_addr [$time_local] "$request" $status "$http_user_agent" "$http_x_forwarded_for"'
  drainctl watch ssh://ops@10.0.0.5/var/log/nginx/access.log --known-hosts ~/.ssh/known_hosts

Exit codes: 0 drained, 4 timed out, 3 invalid input, 1 error.`,
    )
    .action(async (log: string, options: WatchOptions) => {
      const settings = parseOptions(log, options);
      const cadence = new ProgressCadence(PROGRESS_EVERY_SECONDS);
      const { result, timeline, formatDescription } = await watchAccessLog(settings, {
        env: process.env,
        signal: ctx.signal,
        onEvent: (event) => {
          ctx.stderr.line(ctx.stderr.style('yellow', `log: ${event.type}: ${event.detail}`));
        },
        onStart: (what) => ctx.stderr.line(`watching ${what}`),
        onProgress: (p: AccessLogProgress) => {
          if (cadence.due(p)) ctx.stderr.line(formatProgressLine(p, settings.quietSeconds));
        },
        onInterrupted: (sofar) => {
          if (!options.json) for (const line of sofar.render()) ctx.stdout.line(line);
        },
      });
      if (options.json) {
        ctx.stdout.json({
          outcome: result.outcome,
          waitedSeconds: result.waitedSeconds,
          realRequests: result.realRequests,
          ignoredRequests: result.final.ignoredRequests,
          lastRealRequestAt: result.lastRealRequestAt ?? null,
          log: settings.display,
          format: formatDescription,
          quietSeconds: settings.quietSeconds,
          timeoutSeconds: settings.timeoutSeconds,
          filter: settings.filter,
          final: result.final,
          timeline: timeline.entries,
          omittedTimelineEntries: timeline.omitted,
        });
      } else {
        for (const line of timeline.render()) ctx.stdout.line(line);
      }
      if (result.outcome === 'timeout') ctx.setExitCode(ExitCode.drainTimeout);
    });
}

/**
 * The flags as a workflow's `drain` block, validated by the same schema and filter checks: a
 * value is refused here exactly when a workflow would refuse it, and the message names the flag.
 */
function parseOptions(log: string, options: WatchOptions): WatchSettings {
  // `auto` picks by the balancer's listeners, which watch does not know.
  if (options.clientAddress !== 'remote_addr' && options.clientAddress !== 'x_forwarded_for') {
    throw flagError(
      '--client-address',
      'remote_addr (layer-4 listeners) or x_forwarded_for (layer-7)',
      JSON.stringify(options.clientAddress),
    );
  }
  const { source, display } = parseSource(log, options);
  const format = options.format.trim();
  const parsed = parseDrainBlock({
    probe: {
      kind: 'access-log',
      source: source.type,
      path: log,
      format: format === 'combined' || format === 'json' ? format : { nginx: options.format },
      filter: {
        ...(options.ignoreCidr === undefined ? {} : { ignoreCidrs: options.ignoreCidr }),
        ignorePaths: options.ignorePath,
        ignoreUserAgents: options.ignoreUserAgent,
        clientAddress: options.clientAddress,
      },
    },
    quietSeconds: secondsValue(options.quiet),
    timeoutSeconds: secondsValue(options.timeout),
  });
  if ('issues' in parsed) throw invalidFlags(parsed.issues);
  const { drain } = parsed;
  const probe = drain.probe;
  if (probe.kind !== 'access-log') {
    throw new DrainctlError('UNEXPECTED', 'watch built a drain block without an access log');
  }
  if (drain.timeoutSeconds < drain.quietSeconds) {
    throw new InvalidInputError(
      `--timeout ${options.timeout} is shorter than --quiet ${options.quiet}: the log could never be judged drained`,
      {
        path: '--timeout',
        expected: `at least --quiet (${options.quiet})`,
        found: options.timeout,
      },
    );
  }
  const logFormat = logFormatFromSpec(probe.format);
  checkLogFormat(logFormat, options.clientAddress, { path: '--format' });
  const filter: TrafficFilter = {
    ignoreCidrs: probe.filter.ignoreCidrs,
    ignorePaths: probe.filter.ignorePaths,
    ignoreUserAgents: probe.filter.ignoreUserAgents,
    clientAddress: options.clientAddress,
    ...(options.healthCheck !== undefined
      ? { healthCheck: parseHealthCheck(options.healthCheck) }
      : {}),
  };
  return {
    source,
    display,
    format: logFormat,
    filter,
    quietSeconds: drain.quietSeconds,
    timeoutSeconds: drain.timeoutSeconds,
  };
}

/** A number where the text is one, so the schema judges the value; else the text, to quote. */
function secondsValue(text: string): number | string {
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) ? value : text;
}

/** Where each part of the drain block came from on the command line. */
const FLAGS: ReadonlyArray<readonly [string, string]> = [
  ['probe.filter.ignoreCidrs', '--ignore-cidr'],
  ['probe.filter.ignorePaths', '--ignore-path'],
  ['probe.filter.ignoreUserAgents', '--ignore-user-agent'],
  ['probe.filter.clientAddress', '--client-address'],
  ['probe.format', '--format'],
  ['probe.path', '<access-log>'],
  ['quietSeconds', '--quiet'],
  ['timeoutSeconds', '--timeout'],
];

function flagOf(path: readonly PathSegment[]): string {
  const named = formatPath(path.filter((segment) => typeof segment === 'string'));
  return FLAGS.find(([at]) => named === at || named.startsWith(`${at}.`))?.[1] ?? named;
}

/** Every problem, the first in the message, each naming its flag (exit 3). */
function invalidFlags(raw: readonly RawIssue[]): InvalidInputError {
  const issues = raw.map((issue) => ({
    path: flagOf(issue.path),
    expected: issue.expected,
    ...(issue.found === undefined ? {} : { found: issue.found }),
  }));
  const [first, ...rest] = issues;
  if (first === undefined) return new InvalidInputError('invalid flags');
  const more =
    rest.length === 0 ? '' : ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})`;
  return new InvalidInputError(`${describeIssue(first)}${more}`, {
    ...first,
    issues,
    ...(rest.length === 0
      ? {}
      : { hint: 'every problem is listed; fix them all before re-running' }),
  });
}

/** `--health-check: expected …, found "…"`: one line naming the flag, as a workflow's path. */
function flagError(flag: string, expected: string, found: string): InvalidInputError {
  return new InvalidInputError(describeIssue({ path: flag, expected, found }), {
    path: flag,
    expected,
    found,
  });
}

function parseHealthCheck(text: string): { method: 'HEAD' | 'GET'; uri: string } {
  const [method, uri, ...rest] = text.trim().split(/\s+/);
  const upper = method?.toUpperCase();
  if (
    (upper !== 'HEAD' && upper !== 'GET') ||
    uri === undefined ||
    !uri.startsWith('/') ||
    rest.length > 0
  ) {
    throw flagError(
      '--health-check',
      'a method and a URI, "HEAD /path" or "GET /path"',
      JSON.stringify(text),
    );
  }
  return { method: upper, uri };
}

function parseSource(log: string, options: WatchOptions): { source: LogSource; display: string } {
  if (!log.startsWith('ssh://')) return { source: { type: 'local', path: log }, display: log };
  let url: URL;
  try {
    url = new URL(log);
  } catch (error) {
    throw new InvalidInputError(`${log} is not a valid ssh:// address`, {
      path: '<access-log>',
      expected: 'ssh://user@host[:port]/absolute/path',
      found: log,
      cause: error,
    });
  }
  if (url.username === '' || url.hostname === '' || url.pathname === '/') {
    throw new InvalidInputError(`${log} needs a user, a host and a path`, {
      path: '<access-log>',
      expected: 'ssh://user@host[:port]/absolute/path',
      found: log,
    });
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return {
    source: {
      type: 'ssh',
      host,
      port: url.port === '' ? 22 : Number(url.port),
      username: decodeURIComponent(url.username),
      path: decodeURIComponent(url.pathname),
      ...(options.identity ? { privateKeyPath: options.identity } : {}),
      ...(options.knownHosts ? { knownHostsPath: options.knownHosts } : {}),
      ...(options.hostKey ? { hostKeyFingerprint: options.hostKey } : {}),
    },
    display: `${url.username}@${host}:${decodeURIComponent(url.pathname)}`,
  };
}
