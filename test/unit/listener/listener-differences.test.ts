/**
 * The one definition of "the same listener" (src/listener), as a table: what counts as a
 * difference, what does not apply, and that a field left out on either side compares as the
 * planner's default — the planner's own resolved listener is the proof of that.
 */
import { describe, expect, it } from 'vitest';
import { formatListenerDifference, listenerDifferences } from '#src/listener/index.js';
import { listenerConfig } from '#src/plan/listener-config.js';
import type { ListenerConfig } from '#src/ports/index.js';
import { listenerSchema } from '#src/workflow/schema/load-balancer-schema.js';

/** What the planner resolves a minimal workflow listener to (every default filled in). */
function fromWorkflow(listener: Record<string, unknown>): ListenerConfig {
  return listenerConfig(listenerSchema.parse(listener));
}

const tcpHttpCheck = fromWorkflow({
  protocol: 'tcp',
  port: 8080,
  backendPort: 8080,
  healthCheck: { type: 'http', uri: '/healthz' },
});
const tcpTcpCheck = fromWorkflow({ protocol: 'tcp', port: 8080, backendPort: 8080 });
const http = fromWorkflow({ protocol: 'http', port: 80, backendPort: 8080 });

type Case = [
  name: string,
  wanted: ListenerConfig,
  live: (wanted: ListenerConfig) => ListenerConfig,
  differences: string[],
];

const check = (config: ListenerConfig, changes: Partial<ListenerConfig['healthCheck']>) => ({
  ...config,
  healthCheck: { ...config.healthCheck, ...changes },
});

describe('listenerDifferences: the same listener, or not', () => {
  it.each<Case>([
    ['identical', tcpHttpCheck, (w) => structuredClone(w), []],
    [
      'another scheduler',
      tcpHttpCheck,
      (w) => ({ ...w, scheduler: 'rr' }),
      ['scheduler: live rr, workflow wrr'],
    ],
    [
      'another healthy threshold',
      tcpHttpCheck,
      (w) => check(w, { healthyThreshold: 5 }),
      ['healthCheck.healthyThreshold: live 5, workflow 3'],
    ],
    [
      'other intervals, timeouts and unhealthy threshold',
      tcpTcpCheck,
      (w) => check(w, { intervalSeconds: 10, timeoutSeconds: 3, unhealthyThreshold: 4 }),
      [
        'healthCheck.intervalSeconds: live 10, workflow 2',
        'healthCheck.timeoutSeconds: live 3, workflow 5',
        'healthCheck.unhealthyThreshold: live 4, workflow 3',
      ],
    ],
    [
      'another backend port (the connect port follows it: one difference)',
      tcpHttpCheck,
      (w) => ({ ...w, backendPort: 80 }),
      ['backendPort: live 80, workflow 8080'],
    ],
    [
      'a connect port spelt out as the backend port is the same setting',
      tcpHttpCheck,
      (w) => check(w, { connectPort: 8080 }),
      [],
    ],
    [
      'a connect port other than the backend port',
      tcpHttpCheck,
      (w) => check(w, { connectPort: 9000 }),
      ['healthCheck.connectPort: live 9000, workflow the backend port'],
    ],
    [
      'another protocol says only that',
      tcpHttpCheck,
      (w) => ({ ...w, protocol: 'udp', scheduler: 'rr' }),
      ['protocol: live udp, workflow tcp'],
    ],
    [
      "codes, URI and domain of a tcp listener's HTTP check (its method is not a TCP setting)",
      tcpHttpCheck,
      (w) =>
        check(w, { method: 'get', httpCodes: ['http_2xx'], uri: '/x', domain: 'www.example.com' }),
      [
        'healthCheck.uri: live /x, workflow /healthz',
        'healthCheck.domain: live www.example.com, workflow (none)',
        'healthCheck.httpCodes: live http_2xx, workflow http_2xx,http_3xx',
      ],
    ],
    [
      "the HTTP method of an http listener's check",
      http,
      (w) => check(w, { method: 'get' }),
      ['healthCheck.method: live get, workflow head'],
    ],
    [
      'the order of the HTTP codes does not matter',
      tcpHttpCheck,
      (w) => check(w, { httpCodes: ['http_3xx', 'http_2xx'] }),
      [],
    ],
    [
      'HTTP settings do not apply under a TCP check (the cloud reports them anyway)',
      tcpTcpCheck,
      (w) => check(w, { uri: '/x', method: 'get', httpCodes: ['http_5xx'] }),
      [],
    ],
    [
      'the check type of a tcp listener',
      tcpHttpCheck,
      (w) => check(w, { type: 'tcp' }),
      ['healthCheck.type: live tcp, workflow http'],
    ],
    [
      'a check that is off is compared as off, nothing more',
      { ...tcpTcpCheck, healthCheck: { ...tcpTcpCheck.healthCheck, enabled: false } },
      (w) => check(w, { intervalSeconds: 50, healthyThreshold: 10 }),
      [],
    ],
    [
      'a check that is off where the workflow wants one',
      tcpTcpCheck,
      (w) => check(w, { enabled: false }),
      ['healthCheck.enabled: live false, workflow true'],
    ],
    [
      'connection drain on where the workflow leaves it out (default off)',
      tcpTcpCheck,
      (w) => ({ ...w, connectionDrain: { enabled: true, timeoutSeconds: 30 } }),
      ['connectionDrain.enabled: live true, workflow false'],
    ],
    [
      'another connection drain timeout',
      { ...tcpTcpCheck, connectionDrain: { enabled: true, timeoutSeconds: 60 } },
      (w) => ({ ...w, connectionDrain: { enabled: true, timeoutSeconds: 30 } }),
      ['connectionDrain.timeoutSeconds: live 30, workflow 60'],
    ],
    [
      'a bandwidth cap where the workflow leaves it out (default unlimited)',
      tcpTcpCheck,
      (w) => ({ ...w, bandwidth: 100 }),
      ['bandwidth: live 100, workflow -1'],
    ],
    [
      'X-Forwarded-For off on an http listener (default on)',
      http,
      (w) => ({ ...w, xForwardedFor: false }),
      ['xForwardedFor: live false, workflow true'],
    ],
  ])('%s', (_name, wanted, live, differences) => {
    expect(listenerDifferences(live(wanted), wanted).map(formatListenerDifference)).toEqual(
      differences,
    );
  });

  it('a listener the cloud reports sparsely compares as SLB defaults, which are the planner’s', () => {
    // Only what every SLB answer carries: the unreported fields take their defaults.
    const sparse = (wanted: ListenerConfig): ListenerConfig => ({
      protocol: wanted.protocol,
      port: wanted.port,
      backendPort: wanted.backendPort,
      scheduler: 'wrr',
      healthCheck: {
        enabled: true,
        type: wanted.healthCheck.type,
        intervalSeconds: 2,
        timeoutSeconds: 5,
        healthyThreshold: 3,
        unhealthyThreshold: 3,
      },
    });
    for (const wanted of [tcpHttpCheck, tcpTcpCheck, http]) {
      const reported =
        wanted.healthCheck.type === 'http'
          ? check(sparse(wanted), { uri: wanted.healthCheck.uri })
          : sparse(wanted);
      expect(listenerDifferences(reported, wanted)).toEqual([]);
    }
  });
});
