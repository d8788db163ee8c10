/**
 * HAProxy's runtime API as drainctl uses it: one command per connection to the stats socket
 * (which must be `level admin`), its answer as text. The socket is reached on this machine
 * directly or on another through the Host port with `socat`, whichever the composition root
 * hands in; a non-empty answer to a `set` command is HAProxy refusing it.
 */
import { createConnection } from 'node:net';
import { DrainctlError } from '../../errors/index.js';
import type { Host } from '../../ports/index.js';

/** Sends one runtime API command and resolves with HAProxy's whole answer. */
export type RuntimeApi = (command: string) => Promise<string>;

/** The stats socket on this machine. */
export function localRuntimeApi(socketPath: string, timeoutMs = 10_000): RuntimeApi {
  return (command) =>
    new Promise((resolve, reject) => {
      let answer = '';
      const socket = createConnection(socketPath);
      socket.setTimeout(timeoutMs, () =>
        socket.destroy(new Error(`no answer on ${socketPath} after ${timeoutMs} ms`)),
      );
      socket.setEncoding('utf8');
      socket.on('connect', () => socket.write(`${command}\n`));
      socket.on('data', (chunk: string) => {
        answer += chunk;
      });
      socket.on('end', () => resolve(answer));
      socket.on('error', (error) =>
        reject(
          new DrainctlError(
            'HAPROXY_SOCKET_FAILED',
            `HAProxy's stats socket ${socketPath}: ${error.message}`,
            {
              cause: error,
              hint: 'the socket must exist and be declared `stats socket … level admin`',
            },
          ),
        ),
      );
    });
}

function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The stats socket on a machine reached through the Host port (SSH), with `socat` there. */
export function hostRuntimeApi(
  host: Host,
  instanceId: string,
  socketPath: string,
  timeoutSeconds = 10,
): RuntimeApi {
  return async (command) => {
    const result = await host.runCommand(instanceId, {
      script: `printf '%s\\n' ${quote(command)} | socat stdio ${quote(`UNIX-CONNECT:${socketPath}`)}`,
      timeoutSeconds,
      name: 'drainctl-haproxy',
    });
    if (result.status !== 'success') {
      throw new DrainctlError(
        'HAPROXY_SOCKET_FAILED',
        `HAProxy's stats socket ${socketPath} on ${instanceId}: ${result.output.trim() || result.errorInfo || `exit ${result.exitCode ?? 'none'}`}`,
        { hint: 'socat must be installed there and the socket declared `level admin`' },
      );
    }
    return result.output;
  };
}

/** A `set` command: HAProxy answers nothing when it did it. */
export async function runtimeSet(api: RuntimeApi, command: string): Promise<void> {
  const answer = (await api(command)).trim();
  if (answer !== '') {
    throw new DrainctlError('HAPROXY_COMMAND_REFUSED', `HAProxy refused "${command}": ${answer}`);
  }
}

/** One server's row of `show stat`, the columns drainctl reads. */
export interface ServerStat {
  backend: string;
  server: string;
  /** UP, DOWN, DRAIN, MAINT, `UP 1/3`, `no check`… */
  status: string;
  weight: number;
  /** Sessions open now. */
  scur: number;
  /** Sessions since HAProxy started. */
  stot: number;
  hrsp5xx: number;
}

/** `show stat` as rows of the named backend's servers (the BACKEND summary row left out). */
export async function serverStats(api: RuntimeApi, backend: string): Promise<ServerStat[]> {
  const text = await api('show stat');
  const [header, ...rows] = text.split('\n').filter((line) => line.trim() !== '');
  if (header === undefined || !header.startsWith('# ')) {
    throw new DrainctlError(
      'HAPROXY_COMMAND_REFUSED',
      `HAProxy did not answer "show stat" with its CSV: ${text.trim().slice(0, 200)}`,
    );
  }
  const columns = header.slice(2).split(',');
  const at = (name: string) => columns.indexOf(name);
  const number = (cells: string[], name: string) => Number(cells[at(name)] || 0);
  return rows
    .map((row) => row.split(','))
    .filter((cells) => cells[at('pxname')] === backend)
    .filter((cells) => !['BACKEND', 'FRONTEND'].includes(cells[at('svname')] ?? ''))
    .map((cells) => ({
      backend,
      server: cells[at('svname')] ?? '',
      status: cells[at('status')] ?? '',
      weight: number(cells, 'weight'),
      scur: number(cells, 'scur'),
      stot: number(cells, 'stot'),
      hrsp5xx: number(cells, 'hrsp_5xx'),
    }));
}

/** `get weight B/S`: the weight set now (`10 (initial 10)`). */
export async function serverWeight(api: RuntimeApi, backend: string, server: string) {
  const answer = (await api(`get weight ${backend}/${server}`)).trim();
  const match = /^(\d+) \(initial (\d+)\)/.exec(answer);
  if (match === null) {
    throw new DrainctlError(
      'HAPROXY_COMMAND_REFUSED',
      `HAProxy did not give the weight of ${backend}/${server}: ${answer}`,
    );
  }
  return { current: Number(match[1]), initial: Number(match[2]) };
}
