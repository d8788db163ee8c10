/**
 * A loopback HTTP relay in front of the emulator that records every API call passing through
 * (action and query), so a test can count calls without looking inside either side. Headers,
 * Host included, are relayed unchanged, so the emulator still verifies the SDK's signature.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  action: string;
  query: URLSearchParams;
}

export interface RequestRecorder {
  endpoint: string;
  calls: RecordedCall[];
  actions(name: string): RecordedCall[];
  close(): Promise<void>;
}

export async function startRequestRecorder(target: string): Promise<RequestRecorder> {
  const upstream = new URL(target);
  const calls: RecordedCall[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://relay');
    const action = String(req.headers['x-acs-action'] ?? url.searchParams.get('Action') ?? '');
    calls.push({ action, query: url.searchParams });
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    actions: (name) => calls.filter((c) => c.action === name),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
