import { describe, expect, it } from 'vitest';
import type { LogFormat } from '#src/ports/index.js';
import { createLineParser, logFormatGivesRequestTime } from '#src/probes/access-log/line-parser.js';
import { parseLogFormat } from '#src/probes/access-log/log-format.js';
import { Field, ParsedLine } from '#src/probes/access-log/parsed-line.js';

function parse(format: LogFormat, line: string) {
  const parser = createLineParser(format);
  const buf = Buffer.from(`garbage\n${line}\nmore`, 'utf8');
  const start = buf.indexOf('\n') + 1;
  const end = buf.indexOf('\n', start);
  const out = new ParsedLine();
  if (!parser.parse(buf, start, end, out)) return undefined;
  return {
    address: out.text(Field.address),
    forwardedFor: out.text(Field.forwardedFor),
    request: out.text(Field.request),
    method: out.text(Field.method),
    uri: out.text(Field.uri),
    status: out.status(),
    userAgent: out.text(Field.userAgent),
  };
}

describe('nginx combined', () => {
  const combined: LogFormat = { kind: 'combined' };

  it('reads address, request, status and user agent', () => {
    expect(
      parse(
        combined,
        '203.0.113.7 - alice [21/Nov/2026:02:00:01 +0800] "GET /api/orders?id=1 HTTP/1.1" 200 512 "https://example.com/" "Mozilla/5.0 (X11; Linux x86_64)"',
      ),
    ).toEqual({
      address: '203.0.113.7',
      forwardedFor: '',
      request: 'GET /api/orders?id=1 HTTP/1.1',
      method: '',
      uri: '',
      status: 200,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
    });
  });

  it('keeps escaped quotes and UTF-8 inside quoted fields', () => {
    const result = parse(
      combined,
      '2001:db8::1 - - [21/Nov/2026:02:00:01 +0800] "POST /caf\u00e9 HTTP/1.1" 503 0 "-" "curl \\x22quoted\\x22 ünïcode"',
    );
    expect(result?.address).toBe('2001:db8::1');
    expect(result?.request).toBe('POST /café HTTP/1.1');
    expect(result?.status).toBe(503);
    expect(result?.userAgent).toBe('curl \\x22quoted\\x22 ünïcode');
  });

  it('rejects a line of another format', () => {
    expect(parse(combined, '{"remote_addr":"1.2.3.4"}')).toBeUndefined();
    expect(parse(combined, '')).toBeUndefined();
  });
});

describe('JSON lines', () => {
  it('finds fields under nginx variable names and common aliases', () => {
    expect(
      parse(
        { kind: 'json' },
        '{"time":"2026-11-21T02:00:01+08:00","remote_addr":"100.64.1.2","request":"HEAD /health HTTP/1.0","status":200,"http_user_agent":"","http_x_forwarded_for":"-"}',
      ),
    ).toMatchObject({
      address: '100.64.1.2',
      request: 'HEAD /health HTTP/1.0',
      status: 200,
      forwardedFor: '-',
    });
    expect(
      parse(
        { kind: 'json' },
        '{"client_ip":"10.0.0.9","method":"GET","path":"/x","status_code":"502","user_agent":"k6"}',
      ),
    ).toMatchObject({
      address: '10.0.0.9',
      method: 'GET',
      uri: '/x',
      status: 502,
      userAgent: 'k6',
    });
  });

  it('rejects what is not a JSON object', () => {
    expect(parse({ kind: 'json' }, 'not json')).toBeUndefined();
    expect(parse({ kind: 'json' }, '[1,2]')).toBeUndefined();
  });
});

describe('nginx log_format strings', () => {
  const nginx = (logFormat: string): LogFormat => ({ kind: 'nginx', logFormat });

  it('a main format with X-Forwarded-For and upstream timings', () => {
    const format = nginx(
      '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for" rt=$request_time uct="$upstream_connect_time" urt="$upstream_response_time"',
    );
    expect(
      parse(
        format,
        '100.64.3.4 - - [21/Nov/2026:02:00:01 +0800] "GET / HTTP/1.1" 200 12 "-" "ua" "198.51.100.1, 203.0.113.9" rt=0.004 uct="0.001, 0.000" urt="0.003, 0.002"',
      ),
    ).toMatchObject({
      address: '100.64.3.4',
      forwardedFor: '198.51.100.1, 203.0.113.9',
      status: 200,
    });
  });

  it('the whole pasted directive, split over quoted pieces', () => {
    const format = nginx(`log_format  main  '$remote_addr [$time_iso8601] '
                      '"$request_method $request_uri" $status';`);
    expect(parse(format, '10.1.1.1 [2026-11-21T02:00:01+08:00] "GET /a?b=1" 404')).toMatchObject({
      address: '10.1.1.1',
      method: 'GET',
      uri: '/a?b=1',
      status: 404,
    });
  });

  it('unquoted $time_local and $request are split by their known spaces', () => {
    const format = nginx(
      '$remote_addr $time_local $request $status $body_bytes_sent $http_user_agent',
    );
    expect(
      parse(
        format,
        '10.0.0.1 21/Nov/2026:02:00:01 +0800 GET /x HTTP/1.1 500 3 Mozilla/5.0 (X11; Linux)',
      ),
    ).toMatchObject({
      address: '10.0.0.1',
      request: 'GET /x HTTP/1.1',
      status: 500,
      userAgent: 'Mozilla/5.0 (X11; Linux)',
    });
  });

  it('an unquoted free-text field in the middle is matched from both ends', () => {
    const format = nginx('$remote_addr $http_user_agent $status $body_bytes_sent');
    expect(parse(format, '10.0.0.1 Mozilla/5.0 (X11; Linux) 1 2 500 3')).toMatchObject({
      address: '10.0.0.1',
      userAgent: 'Mozilla/5.0 (X11; Linux) 1 2',
      status: 500,
    });
  });

  it('unquoted user agent at the end takes the rest of the line', () => {
    const format = nginx('$remote_addr $status $http_user_agent');
    expect(parse(format, '10.0.0.1 200 Mozilla/5.0 (compatible; Foo 1.0)')).toMatchObject({
      status: 200,
      userAgent: 'Mozilla/5.0 (compatible; Foo 1.0)',
    });
  });

  it('escape=json templates with escaped quotes inside values', () => {
    const format = nginx(
      `log_format j escape=json '{"remote_addr":"$remote_addr","request":"$request","status":$status,"ua":"$http_user_agent"}';`,
    );
    expect(
      parse(
        format,
        '{"remote_addr":"1.2.3.4","request":"GET /\\"x\\" HTTP/1.1","status":200,"ua":"a \\"b\\""}',
      ),
    ).toMatchObject({
      address: '1.2.3.4',
      request: 'GET /\\"x\\" HTTP/1.1',
      status: 200,
      userAgent: 'a \\"b\\"',
    });
  });

  it('braced variables and $proxy_protocol_addr as the address when $remote_addr is absent', () => {
    // nginx's braced form, $ + {name}, assembled so it does not look like a JS template.
    const braced = (name: string) => ['$', '{', name, '}'].join('');
    const format = nginx(
      `${braced('proxy_protocol_addr')}|${braced('status')}|"${braced('request')}"`,
    );
    expect(parse(format, '100.64.0.9|200|"HEAD /health HTTP/1.0"')).toMatchObject({
      address: '100.64.0.9',
      status: 200,
      request: 'HEAD /health HTTP/1.0',
    });
  });

  it('refuses formats it cannot split, naming the variables', () => {
    expect(() => createLineParser(nginx('$remote_addr$status'))).toThrow(
      /\$remote_addr and \$status/,
    );
    expect(() => parseLogFormat('no variables here')).toThrow(/no nginx variables/);
  });
});

describe('$request_time', () => {
  function requestTime(format: LogFormat, line: string): number | undefined {
    const parser = createLineParser(format);
    const buf = Buffer.from(line, 'utf8');
    const out = new ParsedLine();
    return parser.parse(buf, 0, buf.length, out) ? out.requestTimeMs() : undefined;
  }
  const timed: LogFormat = {
    kind: 'nginx',
    logFormat: '$remote_addr "$request" $status $request_time',
  };

  it('reads seconds with a millisecond part as milliseconds', () => {
    expect(requestTime(timed, '10.0.0.1 "GET / HTTP/1.1" 200 0.123')).toBeCloseTo(123);
    expect(requestTime(timed, '10.0.0.1 "GET / HTTP/1.1" 200 12.5')).toBeCloseTo(12_500);
  });

  it('is -1 where the value is not a number, or the format has none', () => {
    expect(requestTime(timed, '10.0.0.1 "GET / HTTP/1.1" 200 -')).toBe(-1);
    expect(
      requestTime(
        { kind: 'combined' },
        '10.0.0.1 - - [21/Nov/2026:02:00:01 +0800] "GET / HTTP/1.1" 200 5 "-" "curl"',
      ),
    ).toBe(-1);
  });

  it('is read from JSON lines, a number or a string', () => {
    expect(requestTime({ kind: 'json' }, '{"status":200,"request_time":0.5}')).toBeCloseTo(500);
    expect(requestTime({ kind: 'json' }, '{"status":200,"request_time":"0.050"}')).toBeCloseTo(50);
  });

  it('is known from the format alone, for the plan to refuse a limit it cannot judge', () => {
    expect(logFormatGivesRequestTime(timed)).toBe(true);
    expect(logFormatGivesRequestTime({ kind: 'combined' })).toBe(false);
  });
});
