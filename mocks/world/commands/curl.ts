/**
 * `curl` as far as checks on a machine use it: `curl -fsS http://localhost:8080/healthz`,
 * `-o /dev/null -w '%{http_code}'`, `-I`, `-X`, `-H`, `-m`. The request itself is made by the
 * runner (to loopback addresses only: `localhost` is the machine's own app); this file reads the
 * arguments and writes what curl would print. The progress meter is not simulated. Pure.
 */

export interface CurlRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** -f: exit 22 on HTTP status >= 400, printing no body. */
  fail: boolean;
  /** -s: no error messages (unless -S). */
  silent: boolean;
  showError: boolean;
  /** -o FILE: the body goes to a file, not the output. */
  discardBody: boolean;
  /** -i / -I: print the response head. */
  includeHead: boolean;
  writeOut?: string;
  maxTimeSeconds?: number;
}

export type CurlResult =
  | {
      kind: 'response';
      status: number;
      statusText: string;
      httpVersion: string;
      headers: [string, string][];
      body: string;
    }
  | { kind: 'refused'; host: string; port: number }
  | { kind: 'unresolvable'; host: string }
  | { kind: 'timeout'; elapsedMs: number };

export function parseCurl(args: string[]): CurlRequest | { error: string; exitCode: number } {
  const request: CurlRequest = {
    url: '',
    method: 'GET',
    headers: {},
    fail: false,
    silent: false,
    showError: false,
    discardBody: false,
    includeHead: false,
  };
  let explicitMethod = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const value = () => args[++i] ?? '';
    if (arg === '-o' || arg === '--output') request.discardBody = value() !== '-';
    else if (arg === '-w' || arg === '--write-out') request.writeOut = value();
    else if (arg === '-X' || arg === '--request') {
      request.method = value().toUpperCase();
      explicitMethod = true;
    } else if (arg === '-H' || arg === '--header') {
      const [name, ...rest] = value().split(':');
      if (name) request.headers[name.trim().toLowerCase()] = rest.join(':').trim();
    } else if (arg === '-m' || arg === '--max-time') request.maxTimeSeconds = Number(value());
    else if (
      arg === '--connect-timeout' ||
      arg === '-A' ||
      arg === '--user-agent' ||
      arg === '-e'
    ) {
      const given = value();
      if (arg === '-A' || arg === '--user-agent') request.headers['user-agent'] = given;
      if (arg === '-e') request.headers.referer = given;
    } else if (arg === '--fail') request.fail = true;
    else if (arg === '--silent') request.silent = true;
    else if (arg === '--show-error') request.showError = true;
    else if (arg === '--head') request.includeHead = true;
    else if (arg === '--include') request.includeHead = true;
    else if (/^-[a-zA-Z]+$/.test(arg)) {
      for (const letter of arg.slice(1)) {
        if (letter === 'f') request.fail = true;
        else if (letter === 's') request.silent = true;
        else if (letter === 'S') request.showError = true;
        else if (letter === 'i') request.includeHead = true;
        else if (letter === 'I') {
          request.includeHead = true;
          if (!explicitMethod) request.method = 'HEAD';
        }
      }
    } else if (!arg.startsWith('-')) request.url = arg;
  }
  if (!request.url) return { error: 'curl: no URL specified!\n', exitCode: 2 };
  if (!/^[a-z]+:\/\//i.test(request.url)) request.url = `http://${request.url}`;
  if (!request.url.toLowerCase().startsWith('http://')) {
    const scheme = request.url.split(':')[0];
    return {
      error: `curl: (1) Protocol "${scheme}" not supported or disabled in libcurl\n`,
      exitCode: 1,
    };
  }
  if (!('user-agent' in request.headers)) request.headers['user-agent'] = 'curl/7.29.0';
  return request;
}

/** What curl prints and its exit code for a result. */
export function curlOutput(
  request: CurlRequest,
  result: CurlResult,
): { exitCode: number; output: string } {
  const error = (code: number, message: string) => ({
    exitCode: code,
    output: `${request.silent && !request.showError ? '' : `curl: (${code}) ${message}\n`}${writeOut(request, 0)}`,
  });
  switch (result.kind) {
    case 'refused':
      return error(7, `Failed connect to ${result.host}:${result.port}; Connection refused`);
    case 'unresolvable':
      return error(6, `Could not resolve host: ${result.host}; Unknown error`);
    case 'timeout':
      return error(
        28,
        `Operation timed out after ${result.elapsedMs} milliseconds with 0 out of -1 bytes received`,
      );
    case 'response': {
      if (request.fail && result.status >= 400) {
        return error(22, `The requested URL returned error: ${result.status} ${result.statusText}`);
      }
      const head = request.includeHead
        ? `HTTP/${result.httpVersion} ${result.status} ${result.statusText}\r\n${result.headers
            .map(([name, value]) => `${name}: ${value}\r\n`)
            .join('')}\r\n`
        : '';
      const body = request.discardBody || request.method === 'HEAD' ? '' : result.body;
      return { exitCode: 0, output: `${head}${body}${writeOut(request, result.status)}` };
    }
  }
}

function writeOut(request: CurlRequest, status: number): string {
  if (request.writeOut === undefined) return '';
  return request.writeOut
    .replace(/%\{http_code\}|%\{response_code\}/g, String(status).padStart(3, '0'))
    .replace(/\\n/g, '\n');
}
