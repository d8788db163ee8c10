/**
 * Binding servers to loopback addresses other than 127.0.0.1, with errors that say what to do:
 * Linux routes all of 127.0.0.0/8, macOS only 127.0.0.1 unless aliases are added.
 */
import type dgram from 'node:dgram';
import type net from 'node:net';
import { WorldError } from '../world-error.js';

/** `server.listen(port, host)` as a promise; bind failures become WorldErrors naming the fix. */
export function listen(
  server: net.Server,
  host: string,
  port: number,
  what: string,
): Promise<void> {
  return whenBound(server, host, port, what, () => server.listen({ host, port, exclusive: true }));
}

/** `socket.bind(port, host)` for UDP, with the same errors. */
export function bindUdp(
  socket: dgram.Socket,
  host: string,
  port: number,
  what: string,
): Promise<void> {
  return whenBound(socket, host, port, what, () => socket.bind(port, host));
}

/** Starts the bind and settles on whichever of 'listening' or 'error' comes first. */
function whenBound(
  emitter: net.Server | dgram.Socket,
  host: string,
  port: number,
  what: string,
  bind: () => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      emitter.removeListener('listening', onListening);
      reject(bindError(error, host, port, what));
    };
    const onListening = () => {
      emitter.removeListener('error', onError);
      resolve();
    };
    emitter.once('error', onError);
    emitter.once('listening', onListening);
    bind();
  });
}

function bindError(error: NodeJS.ErrnoException, host: string, port: number, what: string) {
  const where = `${host}:${port}`;
  switch (error.code) {
    case 'EACCES':
      return new WorldError(
        'BIND_PERMISSION_DENIED',
        `cannot bind ${what} on ${where}: permission denied. Ports below 1024 need root ` +
          '(or CAP_NET_BIND_SERVICE); use a port of 1024 or more, e.g. 8080.',
        { cause: error },
      );
    case 'EADDRNOTAVAIL':
      return new WorldError(
        'BIND_ADDRESS_NOT_AVAILABLE',
        `cannot bind ${what} on ${where}: the address is not configured on this machine. ` +
          'Linux routes all of 127.0.0.0/8; on macOS add it first: ' +
          `sudo ifconfig lo0 alias ${host} up`,
        { cause: error },
      );
    case 'EADDRINUSE':
      return new WorldError(
        'BIND_ADDRESS_IN_USE',
        `cannot bind ${what} on ${where}: something else is already listening there.`,
        { cause: error },
      );
    default:
      return new WorldError('BIND_FAILED', `cannot bind ${what} on ${where}: ${error.message}`, {
        cause: error,
      });
  }
}
