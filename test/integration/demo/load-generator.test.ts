/**
 * The demo's clients against a server that closes kept-alive connections under them: a GET the
 * server never took (the connection closed cleanly, a FIN, before any byte of the answer) is
 * sent once more on a new connection and does not count as failed; a reset does (that is how a
 * server going down cuts requests off); a connection the server closed between requests is
 * replaced by a new one to the address the name has now.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { LoadGenerator, type LoadStats } from '#src/demo/load-generator.js';

type Behaviour = 'answer' | 'fin' | 'reset';

/**
 * A raw HTTP/1.1 server on 127.0.0.1: `nth(k)` says what it does with the k-th request of a
 * connection (answer with keep-alive, close cleanly without answering, reset);
 * `closeAfterAnswer` closes the connection right after each answer, without saying so.
 */
async function rawServer(nth: (k: number) => Behaviour, closeAfterAnswer = false) {
  const server = net.createServer((socket) => {
    let requests = 0;
    let buffered = '';
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      while (buffered.includes('\r\n\r\n')) {
        buffered = buffered.slice(buffered.indexOf('\r\n\r\n') + 4);
        requests += 1;
        const behaviour = nth(requests);
        if (behaviour === 'fin') {
          socket.end();
          return;
        }
        if (behaviour === 'reset') {
          socket.resetAndDestroy();
          return;
        }
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nok\n');
        if (closeAfterAnswer) socket.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let closeServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
});

async function drive(
  nth: (k: number) => Behaviour,
  closeAfterAnswer = false,
): Promise<{ stats: LoadStats; lookups: number }> {
  const server = await rawServer(nth, closeAfterAnswer);
  closeServer = server.close;
  let lookups = 0;
  const load = new LoadGenerator({
    hostname: 'www.example.com',
    port: server.port,
    resolve: async () => {
      lookups += 1;
      return { address: '127.0.0.1', ttlSeconds: 0 };
    },
    ratePerSecond: 20,
    clients: 1,
    clock: systemClock,
  });
  load.start();
  await systemClock.sleep(600);
  return { stats: await load.stop(), lookups };
}

describe('the demo clients when the server closes their connection', () => {
  it('send a GET the server closed its connection under (FIN, no answer) once more, not failed', async () => {
    // Every connection answers its first request and closes cleanly on the second.
    const { stats } = await drive((k) => (k === 1 ? 'answer' : 'fin'));
    expect(stats.total).toBeGreaterThanOrEqual(5);
    expect(stats.failures).toEqual([]);
    expect(stats.ok).toBe(stats.total);
    expect(stats.resent).toBe(stats.total - 1);
  });

  it('count a request cut off by a reset as failed, and do not send it again', async () => {
    const { stats } = await drive((k) => (k === 1 ? 'answer' : 'reset'));
    expect(stats.resent).toBe(0);
    expect(stats.failed).toBeGreaterThanOrEqual(2);
    expect(stats.failures.every((f) => f.reason === 'ECONNRESET')).toBe(true);
  });

  it('open a new connection, looking the name up again, once the server closed the last one', async () => {
    const { stats, lookups } = await drive(() => 'answer', true);
    expect(stats.failed).toBe(0);
    // Each request is answered on a new connection, looked up for it (one that crossed the close
    // on the old connection was resent: its lookup is the resend's).
    expect(lookups).toBe(stats.total);
  });
});
