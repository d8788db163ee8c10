/**
 * `ss -Htn state established '( sport = :PORT )'` output → peer addresses. Tolerates a header
 * line (older iproute2 without -H) and every address spelling ss uses.
 */

/** The command run on the node; falls back to no -H for iproute2 versions that lack it. */
export function ssCommand(port: number): string {
  const filter = `state established '( sport = :${port} )'`;
  return `ss -Htn ${filter} 2>/dev/null || ss -tn ${filter}`;
}

/** Peer addresses (without port) of the established connections listed in `output`. */
export function parseSsPeers(output: string): string[] {
  const peers: string[] = [];
  for (const line of output.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4 || !/^\d+$/.test(fields[0] ?? '')) continue; // header or noise
    // With a state filter the State column is omitted: Recv-Q Send-Q Local Peer [Process].
    const peer = fields[3];
    if (peer === undefined) continue;
    const address = stripPort(peer);
    if (address !== undefined) peers.push(address);
  }
  return peers;
}

function stripPort(endpoint: string): string | undefined {
  const colon = endpoint.lastIndexOf(':');
  if (colon <= 0) return undefined;
  let address = endpoint.slice(0, colon);
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  const zone = address.indexOf('%');
  return zone < 0 ? address : address.slice(0, zone);
}
