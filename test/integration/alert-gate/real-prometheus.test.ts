/**
 * The alert gate against a real Prometheus: a rule the test makes fire by changing a metric
 * Prometheus scrapes every second. Not firing → open; firing → blocked, naming the alert;
 * Prometheus stopped → blocked (fails closed). Never skipped: without the binary it fails,
 * saying that `.ci/run` installs it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAlertGate, DEFAULT_ALERT_QUERY } from '#src/alert-gate/index.js';
import type { AlertGateQuery } from '#src/ports/index.js';
import {
  PROMETHEUS_MISSING,
  type PrometheusUnderTest,
  prometheusBinary,
  startPrometheus,
  TEST_ALERT,
  waitFor,
} from '#support/prometheus-process.js';

let prometheus: PrometheusUnderTest | undefined;

function gate(over: Partial<AlertGateQuery> = {}): AlertGateQuery {
  if (prometheus === undefined) throw new Error('Prometheus did not start');
  return {
    prometheusUrl: prometheus.url,
    query: DEFAULT_ALERT_QUERY,
    labels: {},
    timeoutMs: 2000,
    ...over,
  };
}

describe('the alert gate against a real Prometheus', () => {
  beforeAll(async () => {
    const binary = prometheusBinary();
    if (binary === undefined) throw new Error(PROMETHEUS_MISSING);
    prometheus = await startPrometheus(binary);
  }, 60_000);

  afterAll(async () => {
    await prometheus?.close();
  });

  it('is open while nothing fires, blocked naming the alert once it fires, and fails closed when Prometheus is down', async () => {
    const under = prometheus;
    if (under === undefined) throw new Error('Prometheus did not start');
    // Once the target was scraped and the rule evaluated on it, "nothing fires" means something.
    await waitFor(async () => {
      const verdict = await checkAlertGate(gate({ query: 'drainctl_test_fire == 0' }));
      return verdict.blocked && verdict.matches.length === 1;
    }, 20_000);
    const open = await checkAlertGate(gate());
    expect(open).toEqual({
      blocked: false,
      reason: `open: nothing matches ${DEFAULT_ALERT_QUERY}`,
      matches: [],
    });

    under.setFire(1);
    await waitFor(async () => (await checkAlertGate(gate())).blocked, 20_000);
    const firing = await checkAlertGate(gate());
    expect(firing.blocked).toBe(true);
    expect(firing.matches).toHaveLength(1);
    expect(firing.matches[0]?.labels).toMatchObject({
      alertname: TEST_ALERT,
      alertstate: 'firing',
      severity: 'critical',
      service: 'web',
    });
    expect(firing.reason).toMatch(
      new RegExp(
        `^1 series match ALERTS\\{alertstate="firing"\\}: ${TEST_ALERT}\\{.*severity="critical"`,
      ),
    );
    // The label filter: a critical alert does not match a filter for warnings.
    expect((await checkAlertGate(gate({ labels: { severity: 'warning' } }))).blocked).toBe(false);
    expect((await checkAlertGate(gate({ labels: { severity: 'critical' } }))).blocked).toBe(true);
    // A PromQL error is Prometheus's own answer (HTTP 400, status error): blocked.
    const bad = await checkAlertGate(gate({ query: 'ALERTS{' }));
    expect(bad.blocked).toBe(true);
    expect(bad.reason).toMatch(
      /fails closed\): Prometheus at .* answered HTTP 400, Prometheus says bad_data: /,
    );

    await under.stopPrometheus();
    const down = await checkAlertGate(gate());
    expect(down.blocked).toBe(true);
    expect(down.reason).toMatch(
      /^cannot evaluate the alert gate \(fails closed\): Prometheus at http:\/\/127\.0\.0\.1:\d+ cannot be reached: .*ECONNREFUSED/,
    );
  }, 90_000);
});
