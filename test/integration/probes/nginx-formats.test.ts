/**
 * The parsers against what a real nginx writes: a temp config with several log_format variants,
 * requests over loopback, the logs parsed back. Skipped (saying why) when nginx is not installed;
 * CI installs it (.ci/run).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '#src/adapters/local/system-clock.js';
import type { Clock, LogFormat } from '#src/ports/index.js';
import { openAccessLogProbe } from '#src/probes/access-log/access-log-probe.js';
import { createLineParser } from '#src/probes/access-log/line-parser.js';
import { Field, ParsedLine } from '#src/probes/access-log/parsed-line.js';

const nginxBinary = ['nginx', '/usr/sbin/nginx'].find((candidate) => {
  try {
    execFileSync(candidate, ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

const FORMATS = {
  main: `'$remote_addr - $remote_user [$time_local] "$request" '
         '$status $body_bytes_sent "$http_referer" '
         '"$http_user_agent" "$http_x_forwarded_for"'`,
  timing: `'$remote_addr [$time_iso8601] "$request" $status $request_time '
           'upstream=$upstream_addr urt="$upstream_response_time" ua="$http_user_agent" xff="$http_x_forwarded_for"'`,
  jsonl: `escape=json '{"time":"$time_iso8601","remote_addr":"$remote_addr","request":"$request",'
          '"status":$status,"http_user_agent":"$http_user_agent","http_x_forwarded_for":"$http_x_forwarded_for"}'`,
  bare: `'$remote_addr $time_local $request $status $body_bytes_sent $http_user_agent'`,
};

let dir: string;
let port: number;
let nginx: ChildProcess | undefined;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return free;
}

/** One raw HTTP request, so the test controls every byte (HTTP/1.0, odd headers). */
function send(raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(raw)); // no half-close: nginx would log 499 for a proxied request
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

const get = (path: string, headers: Record<string, string> = {}, method = 'GET', version = '1.1') =>
  send(
    `${method} ${path} HTTP/${version}\r\nHost: www.example.com\r\nConnection: close\r\n${Object.entries(
      headers,
    )
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}\r\n`,
  );

describe.skipIf(nginxBinary === undefined)(
  `parsing real nginx logs${nginxBinary === undefined ? ' (SKIPPED: nginx is not installed; apt-get install -y nginx)' : ''}`,
  () => {
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'drainctl-nginx-'));
      for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
      port = await freePort();
      const upstream = await freePort();
      const logs = Object.keys(FORMATS)
        .map((name) => `    access_log ${join(dir, `${name}.log`)} ${name};`)
        .join('\n');
      writeFileSync(
        join(dir, 'nginx.conf'),
        `daemon off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 64; }
http {
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  access_log off;
${Object.entries(FORMATS)
  .map(([name, format]) => `  log_format ${name} ${format};`)
  .join('\n')}
  server {
    listen 127.0.0.1:${upstream};
    access_log off;
    location / { return 200 "upstream\\n"; }
  }
  server {
    listen 127.0.0.1:${port};
    access_log ${join(dir, 'combined.log')} combined;
${logs}
    location /up { proxy_pass http://127.0.0.1:${upstream}; }
    location /boom { return 503; }
    location / { return 200 "ok\\n"; }
  }
}
`,
      );
      nginx = spawn(nginxBinary as string, ['-p', dir, '-c', join(dir, 'nginx.conf')], {
        stdio: 'ignore',
      });
      await vi
        .waitFor(() => get('/ready'), { timeout: 10_000, interval: 50 })
        .catch((error) => {
          throw new Error(`nginx did not start: ${readFileSync(join(dir, 'error.log'), 'utf8')}`, {
            cause: error,
          });
        });
      await get('/api/orders?id=7&q=a%20b', {
        'User-Agent': 'Mozilla/5.0 (X11; Linux) "quoted" ünï',
        'X-Forwarded-For': '198.51.100.7',
      });
      await get('/health', {}, 'HEAD', '1.0');
      await get('/boom', {
        'User-Agent': 'k6/0.50',
        'X-Forwarded-For': '203.0.113.1, 198.51.100.9',
      });
      await get('/up', { 'User-Agent': 'curl/8.5.0' });
    });

    afterAll(async () => {
      if (nginx && nginx.exitCode === null) {
        const exited = new Promise((resolve) => nginx?.once('exit', resolve));
        nginx.kill('SIGQUIT');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    });

    function parseLog(name: string, format: LogFormat) {
      const parser = createLineParser(format);
      const text = readFileSync(join(dir, `${name}.log`));
      const lines = text.toString('utf8').trimEnd().split('\n').slice(1); // the first is /ready
      return lines.map((line) => {
        const buf = Buffer.from(line, 'utf8');
        const out = new ParsedLine();
        expect(parser.parse(buf, 0, buf.length, out), `${name}: ${line}`).toBe(true);
        return {
          address: out.text(Field.address),
          request: out.text(Field.request),
          status: out.status(),
          userAgent: out.text(Field.userAgent),
          forwardedFor: out.text(Field.forwardedFor),
        };
      });
    }

    const requests = [
      'GET /api/orders?id=7&q=a%20b HTTP/1.1',
      'HEAD /health HTTP/1.0',
      'GET /boom HTTP/1.1',
      'GET /up HTTP/1.1',
    ];
    const statuses = [200, 200, 503, 200];

    it('combined', () => {
      const parsed = parseLog('combined', { kind: 'combined' });
      expect(parsed.map((p) => p.request)).toEqual(requests);
      expect(parsed.map((p) => p.status)).toEqual(statuses);
      expect(parsed.every((p) => p.address === '127.0.0.1')).toBe(true);
      // nginx escapes quotes and non-ASCII bytes in its default escaping.
      expect(parsed[0]?.userAgent).toBe(
        'Mozilla/5.0 (X11; Linux) \\x22quoted\\x22 \\xC3\\xBCn\\xC3\\xAF',
      );
      expect(parsed[2]?.userAgent).toBe('k6/0.50');
    });

    it('a main format with X-Forwarded-For, split over quoted pieces as in nginx.conf', () => {
      const parsed = parseLog('main', {
        kind: 'nginx',
        logFormat: `log_format main ${FORMATS.main};`,
      });
      expect(parsed.map((p) => p.request)).toEqual(requests);
      expect(parsed.map((p) => p.forwardedFor)).toEqual([
        '198.51.100.7',
        '-',
        '203.0.113.1, 198.51.100.9',
        '-',
      ]);
    });

    it('timings and upstream variables, unquoted fields', () => {
      const parsed = parseLog('timing', { kind: 'nginx', logFormat: FORMATS.timing });
      expect(parsed.map((p) => p.status)).toEqual(statuses);
      expect(parsed.map((p) => p.forwardedFor)).toEqual([
        '198.51.100.7',
        '-',
        '203.0.113.1, 198.51.100.9',
        '-',
      ]);
      expect(parsed[3]?.userAgent).toBe('curl/8.5.0');
    });

    it('escape=json, read both as JSON lines and as the compiled template', () => {
      const asJson = parseLog('jsonl', { kind: 'json' });
      expect(asJson.map((p) => p.request)).toEqual(requests);
      expect(asJson[0]?.userAgent).toBe('Mozilla/5.0 (X11; Linux) "quoted" ünï');
      const asTemplate = parseLog('jsonl', {
        kind: 'nginx',
        logFormat: `log_format jsonl ${FORMATS.jsonl};`,
      });
      expect(asTemplate.map((p) => p.status)).toEqual(statuses);
      expect(asTemplate[0]?.userAgent).toBe('Mozilla/5.0 (X11; Linux) \\"quoted\\" ünï');
    });

    it('unquoted $time_local, $request and user agent', () => {
      const parsed = parseLog('bare', { kind: 'nginx', logFormat: FORMATS.bare });
      expect(parsed.map((p) => p.request)).toEqual(requests);
      expect(parsed.map((p) => p.status)).toEqual(statuses);
      expect(parsed[2]?.userAgent).toBe('k6/0.50');
    });

    it('the probe on a live nginx log: layer-7 filtering by X-Forwarded-For', async () => {
      // The system clock, telling when the probe first sleeps: its measuring window is open then.
      let windowOpen = false;
      const windowClock: Clock = {
        ...systemClock,
        sleep: (ms, signal) => {
          windowOpen = true;
          return systemClock.sleep(ms, signal);
        },
      };
      const probe = await openAccessLogProbe({
        source: { type: 'local', path: join(dir, 'main.log') },
        format: { kind: 'nginx', logFormat: FORMATS.main },
        // Every request comes from 127.0.0.1 here, as every layer-7 request comes from the SLB.
        filter: {
          ignoreCidrs: ['127.0.0.0/8'],
          ignorePaths: [],
          ignoreUserAgents: [],
          clientAddress: 'x_forwarded_for',
        },
        clock: windowClock,
        tickMs: 50,
      });
      try {
        const measuring = probe.measureErrorRate({ seconds: 0.6 });
        // The window opens once the probe has read to the end of the log and waits for a tick.
        await vi.waitFor(() => expect(windowOpen).toBe(true), { timeout: 5000, interval: 5 });
        await get('/health', {}, 'HEAD', '1.0'); // the balancer's check: no X-Forwarded-For
        await get('/boom', { 'X-Forwarded-For': '198.51.100.20' });
        await get('/', { 'X-Forwarded-For': '198.51.100.21' });
        const sample = await measuring;
        expect(sample).toMatchObject({ requests: 2, errors5xx: 1, rate: 0.5 });
        expect(probe.tally.ignored).toBe(1);
      } finally {
        await probe.close();
      }
    });
  },
);
