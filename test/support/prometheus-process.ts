/**
 * A real Prometheus (the Debian package's binary, which `.ci/run` installs) on a loopback port,
 * scraping a tiny metrics server the test controls, with an alert rule the test can make fire.
 * Scrapes and rule evaluations every second and `for: 0s`, so an alert fires within a few
 * seconds of its metric changing. Prometheus has no "port 0": a free port is found by binding
 * port 0 first, then handed to `--web.listen-address`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The binary, or undefined when it is not installed. */
export function prometheusBinary(): string | undefined {
  return ['prometheus', '/usr/bin/prometheus'].find((candidate) => {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
}

export const PROMETHEUS_MISSING =
  'the prometheus binary is not installed: `.ci/run` installs it (apt-get install -y prometheus)';

/** The metric the rule watches: `drainctl_test_fire` > 0 fires `DrainctlTestAlert`. */
export const TEST_ALERT = 'DrainctlTestAlert';

export interface PrometheusUnderTest {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** What the scraped metric says from now on (0: quiet, 1: the alert fires). */
  setFire(value: number): void;
  /** Stop Prometheus only (the metrics server keeps answering). */
  stopPrometheus(): Promise<void>;
  /** Stop everything and remove the data directory. */
  close(): Promise<void>;
}

export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startPrometheus(binary: string): Promise<PrometheusUnderTest> {
  let fire = 0;
  const metrics: Server = createHttpServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    response.end(`# TYPE drainctl_test_fire gauge\ndrainctl_test_fire{service="web"} ${fire}\n`);
  });
  await new Promise<void>((resolve) => metrics.listen(0, '127.0.0.1', resolve));
  const target = `127.0.0.1:${(metrics.address() as AddressInfo).port}`;

  const dir = mkdtempSync(join(tmpdir(), 'drainctl-prometheus-'));
  writeFileSync(
    join(dir, 'rules.yml'),
    `groups:
  - name: drainctl-test
    interval: 1s
    rules:
      - alert: ${TEST_ALERT}
        expr: drainctl_test_fire > 0
        for: 0s
        labels:
          severity: critical
`,
  );
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - ${join(dir, 'rules.yml')}
scrape_configs:
  - job_name: drainctl-test
    static_configs:
      - targets: ['${target}']
`,
  );
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.on('data', (chunk: Buffer) => {
    output = `${output}${chunk.toString()}`.slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stopPrometheus = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const close = async () => {
    await stopPrometheus();
    await new Promise((resolve) => metrics.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => (await fetch(`${url}/-/ready`)).ok,
      30_000,
      () => output,
    );
  } catch (error) {
    await close();
    throw error;
  }
  return { url, setFire: (value) => (fire = value), stopPrometheus, close };
}

/** Polls `condition` (errors count as "not yet") every 200 ms until it holds or `ms` pass. */
export async function waitFor(
  condition: () => Promise<boolean>,
  ms: number,
  context: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if (await condition()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms. ${context()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
