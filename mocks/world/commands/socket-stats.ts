/**
 * `ss` and `netstat` for the app's TCP sockets, so a drain check that counts established
 * connections on the service port through Cloud Assistant sees the truth (an empty answer would
 * wrongly say "drained"). Supported: `ss -t[n][l][a][H] [state established] [( sport = :PORT )]`
 * and `netstat -t[n][l][a]`. Peers are shown as the app sees them (the client through a layer-4
 * listener, an SLB address through layer 7). Pure; no I/O.
 */
import type { EstablishedConnection, MachineFacts } from './machine-facts.js';

export function ss(args: string[], facts: MachineFacts): { exitCode: number; output: string } {
  const flags = args.filter((arg) => /^-[a-zA-Z]+$/.test(arg)).join('');
  const words = args.filter((arg) => !/^-[a-zA-Z]+$/.test(arg)).join(' ');
  const stateIndex = args.indexOf('state');
  const state = stateIndex >= 0 ? args[stateIndex + 1] : undefined;
  const port = Number(/sport\s*(?:=|==|eq)\s*:(\d+)/.exec(words)?.[1] ?? Number.NaN);
  const wantListening = flags.includes('l') || flags.includes('a') || state === 'listening';
  const wantEstablished = (!flags.includes('l') || flags.includes('a')) && state !== 'listening';
  const onPort = (localPort: number) => Number.isNaN(port) || localPort === port;

  // With a `state` filter, ss drops the State column.
  const showState = state === undefined;
  const rows: string[][] = [];
  if (wantListening && facts.listening && onPort(facts.listening.port)) {
    rows.push([
      ...(showState ? ['LISTEN'] : []),
      '0',
      '511',
      `${facts.listening.address}:${facts.listening.port}`,
      '0.0.0.0:*',
    ]);
  }
  if (
    wantEstablished &&
    (state === undefined || state === 'established' || state === 'connected')
  ) {
    for (const connection of facts.connections.filter((c) => onPort(c.localPort))) {
      rows.push([...(showState ? ['ESTAB'] : []), '0', '0', ...endpoints(connection)]);
    }
  }
  const header = [
    ...(showState ? ['State'] : []),
    'Recv-Q',
    'Send-Q',
    'Local Address:Port',
    'Peer Address:Port',
  ];
  const table = flags.includes('H') ? rows : [header, ...rows];
  return { exitCode: 0, output: table.map((row) => `${row.join('   ')}\n`).join('') };
}

export function netstat(args: string[], facts: MachineFacts): { exitCode: number; output: string } {
  const flags = args.join('');
  const lines = [
    'Active Internet connections (servers and established)',
    'Proto Recv-Q Send-Q Local Address           Foreign Address         State',
  ];
  if ((flags.includes('l') || flags.includes('a')) && facts.listening) {
    lines.push(
      `tcp        0      0 ${facts.listening.address}:${facts.listening.port}    0.0.0.0:*    LISTEN`,
    );
  }
  if (!flags.includes('l') || flags.includes('a')) {
    for (const connection of facts.connections) {
      const [local, peer] = endpoints(connection);
      lines.push(`tcp        0      0 ${local}    ${peer}    ESTABLISHED`);
    }
  }
  return { exitCode: 0, output: `${lines.join('\n')}\n` };
}

function endpoints(connection: EstablishedConnection): [string, string] {
  return [
    `${connection.localAddress}:${connection.localPort}`,
    `${connection.peerAddress}:${connection.peerPort}`,
  ];
}
