/**
 * Client-side helpers for data-plane tests: plain HTTP requests through a listener (new
 * connection each, or over one keep-alive connection), counting which instance served them by
 * reading the instances' access logs.
 */
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';

export function get(
  url: string,
  agent: Agent | false = false,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { agent, headers: agent === false ? { connection: 'close' } : {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error(`timeout on ${url}`)));
    req.end();
  });
}

/** A keep-alive agent holding at most one connection, so every request reuses it. */
export function oneConnection(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, keepAliveMsecs: 10_000 });
}

/** Access-log lines whose request path contains `marker`. */
export async function hits(accessLog: string, marker: string): Promise<number> {
  let text = '';
  try {
    text = await readFile(accessLog, 'utf8');
  } catch {
    return 0;
  }
  return text.split('\n').filter((line) => line.includes(marker)).length;
}
