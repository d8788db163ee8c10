import { describe, expect, it } from 'vitest';
import type { LogFormat, TrafficFilter } from '#src/ports/index.js';
import { createLineParser } from '#src/probes/access-log/line-parser.js';
import { ParsedLine } from '#src/probes/access-log/parsed-line.js';
import { RequestClassifier, Verdict } from '#src/probes/access-log/request-classifier.js';
import { CidrSet } from '#src/probes/net/cidr-set.js';

const base: TrafficFilter = {
  ignoreCidrs: ['100.64.0.0/10'],
  ignorePaths: [],
  ignoreUserAgents: [],
  clientAddress: 'remote_addr',
};

function classify(filter: TrafficFilter, line: string, format: LogFormat = { kind: 'combined' }) {
  const classifier = new RequestClassifier(filter);
  const parser = createLineParser(format, classifier.needs);
  const out = new ParsedLine();
  const buf = Buffer.from(line);
  expect(parser.parse(buf, 0, buf.length, out)).toBe(true);
  return classifier.classify(out);
}

const combined = (addr: string, request: string, ua = 'curl/8') =>
  `${addr} - - [21/Nov/2026:02:00:01 +0800] "${request}" 200 1 "-" "${ua}"`;

describe('layer 4: source address', () => {
  it('the SLB health-check range is not traffic; everything else is', () => {
    expect(classify(base, combined('100.64.7.1', 'HEAD / HTTP/1.0'))).toBe(Verdict.healthCheck);
    expect(classify(base, combined('100.127.255.255', 'GET / HTTP/1.1'))).toBe(Verdict.healthCheck);
    expect(classify(base, combined('100.128.0.1', 'GET / HTTP/1.1'))).toBe(Verdict.real);
    expect(classify(base, combined('203.0.113.5', 'GET / HTTP/1.1'))).toBe(Verdict.real);
  });

  it('IPv6 ranges and IPv4-mapped addresses', () => {
    const filter = { ...base, ignoreCidrs: ['2001:db8::/32', '10.0.0.0/8'] };
    expect(classify(filter, combined('2001:db8:1::5', 'GET / HTTP/1.1'))).toBe(Verdict.healthCheck);
    expect(classify(filter, combined('2001:db9::5', 'GET / HTTP/1.1'))).toBe(Verdict.real);
    expect(classify(filter, combined('::ffff:10.1.2.3', 'GET / HTTP/1.1'))).toBe(
      Verdict.healthCheck,
    );
  });
});

describe('layer 7: the client is in X-Forwarded-For', () => {
  const format: LogFormat = {
    kind: 'nginx',
    logFormat:
      '$remote_addr [$time_local] "$request" $status "$http_user_agent" "$http_x_forwarded_for"',
  };
  const filter: TrafficFilter = { ...base, clientAddress: 'x_forwarded_for' };
  const line = (xff: string) =>
    `100.64.9.9 [21/Nov/2026:02:00:01 +0800] "GET / HTTP/1.1" 200 "ua" "${xff}"`;

  it('a forwarded client is real traffic although the peer is the balancer', () => {
    expect(classify(filter, line('198.51.100.7'), format)).toBe(Verdict.real);
    // The right-most entry is the one the balancer added; what the client claims is ignored.
    expect(classify(filter, line('100.64.1.1, 198.51.100.7'), format)).toBe(Verdict.real);
  });

  it('no X-Forwarded-For from the balancer range is its health check', () => {
    expect(classify(filter, line('-'), format)).toBe(Verdict.healthCheck);
    expect(classify(filter, line(''), format)).toBe(Verdict.healthCheck);
  });

  it('a forwarded client inside an ignored range is ignored', () => {
    const f = { ...filter, ignoreCidrs: ['100.64.0.0/10', '192.0.2.0/24'] };
    expect(classify(f, line('198.51.100.7, 192.0.2.10'), format)).toBe(Verdict.healthCheck);
  });

  it('with peer-address filtering every layer-7 request would look like a health check', () => {
    expect(classify(base, line('198.51.100.7'), format)).toBe(Verdict.healthCheck);
  });
});

describe('health check by method and URI, paths, user agents', () => {
  const filter: TrafficFilter = {
    ignoreCidrs: [],
    ignorePaths: ['/metrics', '/static/*'],
    ignoreUserAgents: ['kube-probe', 'Zabbix'],
    clientAddress: 'remote_addr',
    healthCheck: { method: 'HEAD', uri: '/health' },
  };

  it('recognises the configured check whatever its query string', () => {
    expect(classify(filter, combined('10.0.0.1', 'HEAD /health HTTP/1.0'))).toBe(
      Verdict.healthCheck,
    );
    expect(classify(filter, combined('10.0.0.1', 'head /health?x=1 HTTP/1.0'))).toBe(
      Verdict.healthCheck,
    );
    expect(classify(filter, combined('10.0.0.1', 'GET /health HTTP/1.1'))).toBe(Verdict.real);
    expect(classify(filter, combined('10.0.0.1', 'HEAD /healthz HTTP/1.1'))).toBe(Verdict.real);
  });

  it('excluded paths: exact, or prefix with *', () => {
    expect(classify(filter, combined('10.0.0.1', 'GET /metrics HTTP/1.1'))).toBe(Verdict.excluded);
    expect(classify(filter, combined('10.0.0.1', 'GET /metrics/x HTTP/1.1'))).toBe(Verdict.real);
    expect(classify(filter, combined('10.0.0.1', 'GET /static/app.js?v=2 HTTP/1.1'))).toBe(
      Verdict.excluded,
    );
  });

  it('user agents match case-insensitively anywhere in the header', () => {
    expect(classify(filter, combined('10.0.0.1', 'GET / HTTP/1.1', 'Kube-Probe/1.29'))).toBe(
      Verdict.healthCheck,
    );
    expect(classify(filter, combined('10.0.0.1', 'GET / HTTP/1.1', 'agent zabbix 6'))).toBe(
      Verdict.healthCheck,
    );
    expect(classify(filter, combined('10.0.0.1', 'GET / HTTP/1.1', 'Mozilla/5.0'))).toBe(
      Verdict.real,
    );
  });
});

describe('CIDR parsing', () => {
  it('names the bad entry', () => {
    expect(() => new CidrSet(['10.0.0.0/8', '300.1.1.1/8'])).toThrow(
      /"300.1.1.1\/8" is not a CIDR/,
    );
    expect(() => new CidrSet(['10.0.0.0/33'])).toThrow(/not a CIDR/);
    expect(() => new CidrSet(['fe80::/129'])).toThrow(/not a CIDR/);
  });

  it('a bare address is a single host', () => {
    const set = new CidrSet(['192.0.2.1', '::1']);
    expect(set.matchString('192.0.2.1')).toBe(true);
    expect(set.matchString('192.0.2.2')).toBe(false);
    expect(set.matchString('::1')).toBe(true);
  });
});

describe('a request ignored for its address alone must look like a health check', () => {
  /** One classifier over a sequence of lines, each read at `second` (monotonic). */
  function judgeAll(filter: TrafficFilter, lines: Array<[string, number]>) {
    const reasons: string[] = [];
    const classifier = new RequestClassifier(filter, (reason) => reasons.push(reason));
    const parser = createLineParser({ kind: 'combined' }, classifier.needs);
    const verdicts = lines.map(([line, second]) => {
      const out = new ParsedLine();
      const buf = Buffer.from(line);
      expect(parser.parse(buf, 0, buf.length, out)).toBe(true);
      return classifier.classify(out, second * 1000);
    });
    return { verdicts, reasons };
  }

  it('real SLB checks stay ignored: GET or HEAD, one path per listener, once a second per node', () => {
    const lines: Array<[string, number]> = [];
    for (let second = 0; second < 60; second++) {
      for (const node of [1, 2, 3, 4]) {
        lines.push([combined(`100.64.0.${node}`, 'HEAD /healthz HTTP/1.0', '-'), second]);
        lines.push([combined(`100.64.0.${node}`, 'GET /status HTTP/1.0', '-'), second]);
      }
    }
    const { verdicts, reasons } = judgeAll(base, lines);
    expect(verdicts.every((v) => v === Verdict.healthCheck)).toBe(true);
    expect(reasons).toEqual([]);
  });

  it('another method counts as real traffic, and is reported once', () => {
    const { verdicts, reasons } = judgeAll(base, [
      [combined('100.64.0.1', 'HEAD /healthz HTTP/1.0'), 0],
      [combined('100.64.3.7', 'POST /api/orders HTTP/1.1'), 0],
      [combined('100.64.3.7', 'PUT /api/orders/1 HTTP/1.1'), 1],
    ]);
    expect(verdicts).toEqual([Verdict.healthCheck, Verdict.real, Verdict.real]);
    expect(reasons).toEqual(['POST /api/orders from 100.64.3.7: health checks only GET or HEAD']);
  });

  it('more distinct paths than listeners would check count as real traffic', () => {
    const paths = ['/a', '/b', '/c', '/d', '/e', '/a?x=1', '/f'];
    const { verdicts, reasons } = judgeAll(
      base,
      paths.map((path, second) => [combined('100.64.0.1', `GET ${path} HTTP/1.1`), second]),
    );
    expect(verdicts).toEqual([
      Verdict.healthCheck,
      Verdict.healthCheck,
      Verdict.healthCheck,
      Verdict.healthCheck,
      Verdict.real,
      Verdict.healthCheck, // a path already seen; the query is not part of it
      Verdict.real,
    ]);
    expect(reasons[0]).toContain('GET /e from 100.64.0.1: more than 4 different paths');
  });

  it('more than 5 a second from one address counts as real traffic, from the first second', () => {
    const burst: Array<[string, number]> = Array.from({ length: 10 }, () => [
      combined('100.64.3.7', 'GET /api/orders HTTP/1.1'),
      0,
    ]);
    const { verdicts, reasons } = judgeAll(base, burst);
    expect(verdicts.slice(0, 5).every((v) => v === Verdict.healthCheck)).toBe(true);
    expect(verdicts.slice(5).every((v) => v === Verdict.real)).toBe(true);
    expect(reasons).toEqual([
      '6 requests in 1 s from 100.64.3.7: more than the 5 a second a health checker sends at most',
    ]);
  });

  it("the listener's own check, an ignored path or user agent stay ignored at any rate", () => {
    const filter: TrafficFilter = {
      ...base,
      healthCheck: { method: 'HEAD', uri: '/healthz' },
      ignorePaths: ['/metrics'],
      ignoreUserAgents: ['kube-probe'],
    };
    const lines: Array<[string, number]> = [];
    for (let i = 0; i < 50; i++) {
      lines.push([combined('100.64.0.1', 'HEAD /healthz HTTP/1.0'), 0]);
      lines.push([combined('100.64.0.1', 'POST /metrics HTTP/1.1'), 0]);
      lines.push([combined('100.64.0.1', 'DELETE /x HTTP/1.1', 'kube-probe/1.29'), 0]);
    }
    const { verdicts, reasons } = judgeAll(filter, lines);
    expect(verdicts.every((v) => v !== Verdict.real)).toBe(true);
    expect(reasons).toEqual([]);
  });
});
