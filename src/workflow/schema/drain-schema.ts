/**
 * `drain`: how drainctl knows real traffic has left a server after its weight went to 0 — an
 * access log watched until no real request arrived for `quietSeconds` (health checks filtered
 * out), an open-connection count, or (discouraged) a plain wait — and optionally a command that
 * makes the server let its keep-alive connections go once it is at weight 0.
 */
import { z } from 'zod';
import { cidr, commandText, port, seconds } from './common-schema.js';

export const DEFAULT_IGNORE_CIDRS = ['100.64.0.0/10'];

/**
 * The matcher knows a trailing `*` only: a `*` elsewhere, a `?` (the query is cut off before
 * matching) or a path not starting with / could never match what its writer meant. Each is
 * refused with its own reason: `/*x` does start with /, its `*` is what is wrong.
 */
const PATH_PATTERN_PHRASE =
  'a path starting with / (a trailing * makes it a prefix, e.g. /static/*)';
const pathPattern = z.string({ error: PATH_PATTERN_PHRASE }).regex(/^(\*|\/[^\s?*]*\*?)$/, {
  error: (issue) => pathPatternProblem(String(issue.input)),
});

/** What is wrong with a pattern the regular expression above refuses. */
function pathPatternProblem(value: string): string {
  if (!value.startsWith('/')) return PATH_PATTERN_PHRASE;
  if (/\s/.test(value)) return 'a path without spaces (a logged path holds none)';
  if (value.includes('?')) {
    return 'a path without ? (the query string is not part of the path; /search matches /search?q=1)';
  }
  return 'a * only at the end, making a prefix (/static/*): the matcher knows no other wildcard';
}

export const trafficFilterSchema = z
  .strictObject({
    ignoreCidrs: z.array(cidr, { error: 'a list of CIDRs' }).default(DEFAULT_IGNORE_CIDRS).meta({
      description:
        'Requests from these sources are not traffic. Default: 100.64.0.0/10, where SLB health checks come from. Setting it replaces the default.',
    }),
    ignoreUserAgents: z
      .array(z.string().min(1))
      .default([])
      .meta({ description: 'User agents (substrings) that are not traffic, e.g. a monitor.' }),
    ignorePaths: z.array(pathPattern).default([]).meta({
      description:
        'Request paths that are not traffic: exact (/metrics), or a prefix ending in * (/static/*). The query string is not part of the path.',
    }),
    clientAddress: z
      .enum(['auto', 'remote_addr', 'x_forwarded_for'], {
        error: 'auto, remote_addr or x_forwarded_for',
      })
      .default('auto')
      .meta({
        description:
          'Which address is the client: remote_addr for tcp listeners (clients seen directly), x_forwarded_for for http listeners (all requests come from the balancer). auto picks by the listeners.',
      }),
  })
  .meta({ description: 'What does not count as real traffic.' });

const logFormatSchema = z
  .union(
    [
      z.enum(['combined', 'json']),
      z.strictObject({
        nginx: z.string().min(1).meta({
          description:
            'An nginx log_format string, e.g. \'$remote_addr - [$time_local] "$request" $status\'.',
        }),
      }),
    ],
    { error: 'combined, json, or {nginx: "<log_format>"}' },
  )
  .meta({ description: 'Access log format.' });

export const accessLogProbeSchema = z.strictObject({
  kind: z.literal('access-log'),
  source: z
    .enum(['local', 'ssh'], { error: 'local or ssh' })
    .default('local')
    .meta({ description: 'Read the file on this machine, or tail it over SSH (see access.ssh).' }),
  path: z.string({ error: 'a file path' }).min(1).meta({
    description:
      'Path of the access log; {instanceId}, {name} and {privateIp} are replaced per server.',
  }),
  format: logFormatSchema.default('combined'),
  filter: trafficFilterSchema.default({
    ignoreCidrs: DEFAULT_IGNORE_CIDRS,
    ignoreUserAgents: [],
    ignorePaths: [],
    clientAddress: 'auto',
  }),
});

export const connectionsProbeSchema = z.strictObject({
  kind: z.literal('connections'),
  port: port(
    'Service port whose open connections are counted (default: the first listener backend port).',
  ).optional(),
  ignoreCidrs: z.array(cidr).default(DEFAULT_IGNORE_CIDRS),
});

export const waitProbeSchema = z.strictObject({
  kind: z.literal('none'),
  waitSeconds: seconds(
    'Just wait this long (no evidence that traffic left); quietSeconds, timeoutSeconds and onTimeout do not apply.',
    { min: 0 },
  ),
});

/**
 * Weight 0 stops new connections only: a keep-alive client stays on a drained server until the
 * server closes its connection (nginx: after `keepalive_requests`, 1000 by default, or
 * `keepalive_timeout` idle). A graceful reload closes them at once without failing a request.
 */
export const releaseConnectionsSchema = z
  .strictObject({
    command: commandText.meta({
      description:
        'Run on the server (see access) once it is at weight 0, e.g. `nginx -s reload`: a command that makes it close its keep-alive connections without failing a request, so clients reconnect through the balancer.',
    }),
    timeoutSeconds: seconds(
      'Seconds it may take. If it fails, nothing else does: the drain waits for the connections to end by themselves.',
    ).default(60),
  })
  .meta({
    description:
      'A command that makes a server at weight 0 let its keep-alive connections go (also run after a ramp pulls a server back to 0).',
  });

export const drainSchema = z
  .strictObject({
    probe: z
      .discriminatedUnion('kind', [accessLogProbeSchema, connectionsProbeSchema, waitProbeSchema], {
        error: 'a probe with kind access-log, connections or none',
      })
      .meta({ description: 'How drainctl knows traffic has left a server.' }),
    quietSeconds: seconds(
      'Drained after this many seconds without a real request (not used by probe kind none).',
    ).default(30),
    timeoutSeconds: seconds(
      'Give up waiting after this long (not used by probe kind none).',
    ).default(600),
    onTimeout: z.enum(['halt', 'proceed'], { error: 'halt or proceed' }).default('halt').meta({
      description:
        'halt (default): restore the server and stop; proceed: patch anyway (clients still connected will see errors).',
    }),
    releaseConnections: releaseConnectionsSchema.optional(),
  })
  .meta({ description: 'Waiting until real traffic has left a server.' });

export type DrainSpec = z.output<typeof drainSchema>;
export type ReleaseConnectionsSpec = z.output<typeof releaseConnectionsSchema>;
export type TrafficFilterSpec = z.output<typeof trafficFilterSchema>;
