import { describe, expect, it } from 'vitest';
import { answerQuestion } from '#mocks/world/dns/zone-answer.js';
import {
  escapeLogValue,
  formatAccessLogLine,
  formatTimeLocal,
} from '#mocks/world/instance/access-log.js';
import { encodeProxyHeader, scanProxyHeader } from '#mocks/world/net/proxy-protocol.js';

describe('PROXY protocol v1', () => {
  it('round-trips a TCP4 header and leaves the rest to the application', () => {
    const header = encodeProxyHeader({
      sourceAddress: '::ffff:100.64.3.4',
      sourcePort: 40000,
      destinationAddress: '127.1.2.11',
      destinationPort: 8080,
    });
    expect(header).toBe('PROXY TCP4 100.64.3.4 127.1.2.11 40000 8080\r\n');
    const scan = scanProxyHeader(Buffer.from(`${header}GET / HTTP/1.1\r\n`));
    expect(scan).toEqual({
      kind: 'header',
      length: header.length,
      addresses: {
        sourceAddress: '100.64.3.4',
        sourcePort: 40000,
        destinationAddress: '127.1.2.11',
        destinationPort: 8080,
      },
    });
  });

  it('tells absent, incomplete, unknown and invalid headers apart', () => {
    expect(scanProxyHeader(Buffer.from('GET / HTTP/1.1\r\n'))).toEqual({ kind: 'absent' });
    expect(scanProxyHeader(Buffer.from('PRO'))).toEqual({ kind: 'incomplete' });
    expect(scanProxyHeader(Buffer.from('PROXY TCP4 1.2.3.4'))).toEqual({ kind: 'incomplete' });
    expect(scanProxyHeader(Buffer.from('PROXY UNKNOWN\r\n'))).toEqual({
      kind: 'header',
      addresses: undefined,
      length: 15,
    });
    expect(scanProxyHeader(Buffer.from('PROXY TCP4 1.2.3 4.5.6.7 1 2\r\n')).kind).toBe('invalid');
    expect(scanProxyHeader(Buffer.from(`PROXY ${'x'.repeat(120)}`)).kind).toBe('invalid');
  });
});

describe('access log', () => {
  it('formats $time_local as nginx does', () => {
    expect(formatTimeLocal(new Date(2026, 10, 21, 2, 3, 4))).toMatch(
      /^21\/Nov\/2026:02:03:04 [+-]\d{4}$/,
    );
  });

  it('escapes like nginx and writes - for empty values', () => {
    expect(escapeLogValue('a"b\\c\n\u00e9')).toBe('a\\x22b\\x5Cc\\x0A\\xE9');
    expect(escapeLogValue('')).toBe('-');
    expect(escapeLogValue(undefined)).toBe('-');
  });

  it('writes combined, and combined with $request_time when asked', () => {
    const entry = {
      remoteAddr: '100.64.1.2',
      time: new Date(2026, 10, 21, 2, 3, 4),
      request: 'HEAD /healthz HTTP/1.0',
      status: 200,
      bodyBytesSent: 0,
      requestTimeSeconds: 0.0042,
    };
    const line = formatAccessLogLine(entry, 'combined');
    expect(line).toMatch(
      /^100\.64\.1\.2 - - \[21\/Nov\/2026:02:03:04 [+-]\d{4}\] "HEAD \/healthz HTTP\/1\.0" 200 0 "-" "-"\n$/,
    );
    expect(formatAccessLogLine(entry, 'combined_request_time')).toBe(`${line.trimEnd()} 0.004\n`);
  });
});

describe('DNS answers', () => {
  const records = [
    { name: 'www.example.com', type: 'A', value: '127.1.1.11', ttl: 10 },
    { name: 'a.b.example.com', type: 'A', value: '127.1.1.12', ttl: 10 },
    { name: 'loop.example.com', type: 'CNAME', value: 'loop.example.com', ttl: 10 },
    { name: 'out.example.com', type: 'CNAME', value: 'www.elsewhere.net', ttl: 10 },
  ];
  const ask = (name: string, type = 'A') =>
    answerQuestion({ name, type }, records, ['example.com']);

  it('answers NODATA for an empty non-terminal and the apex, NXDOMAIN below them', () => {
    expect(ask('b.example.com')).toMatchObject({ rcode: 'NOERROR', answers: [] });
    expect(ask('example.com')).toMatchObject({ rcode: 'NOERROR', answers: [] });
    expect(ask('c.b.example.com').rcode).toBe('NXDOMAIN');
  });

  it('stops on CNAME loops and at targets outside its zones', () => {
    expect(ask('loop.example.com').answers).toHaveLength(1);
    expect(ask('out.example.com')).toMatchObject({
      rcode: 'NOERROR',
      answers: [{ type: 'CNAME', data: 'www.elsewhere.net' }],
    });
  });

  it('refuses names outside its zones, even look-alikes', () => {
    expect(ask('www.notexample.com').rcode).toBe('REFUSED');
  });
});
