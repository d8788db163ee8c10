/**
 * nginx `combined` access-log lines: written by tests that play the traffic a probe reads, and
 * parsed strictly from the emulated instances' logs.
 */

export const combinedLine = (addr: string, path = '/', status = 200) =>
  `${addr} - - [21/Nov/2026:02:00:01 +0800] "GET ${path} HTTP/1.1" ${status} 12 "-" "curl/8.0"\n`;

export interface CombinedLine {
  remoteAddr: string;
  remoteUser: string;
  timeLocal: string;
  method: string;
  path: string;
  protocol: string;
  status: number;
  bytes: number;
  referer: string;
  userAgent: string;
}

/** nginx `combined`, parsed strictly: a line that does not match fails the test. */
export const combinedPattern =
  /^(\S+) - (\S+) \[(\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] "(\S+) (\S+) (HTTP\/\d\.\d)" (\d{3}) (\d+) "([^"]*)" "([^"]*)"$/;

export function parseCombined(line: string): CombinedLine {
  const match = combinedPattern.exec(line);
  if (!match) throw new Error(`not an nginx combined line: ${line}`);
  const [
    ,
    remoteAddr,
    remoteUser,
    timeLocal,
    method,
    path,
    protocol,
    status,
    bytes,
    referer,
    userAgent,
  ] = match as unknown as string[];
  return {
    remoteAddr: remoteAddr as string,
    remoteUser: remoteUser as string,
    timeLocal: timeLocal as string,
    method: method as string,
    path: path as string,
    protocol: protocol as string,
    status: Number(status),
    bytes: Number(bytes),
    referer: referer as string,
    userAgent: userAgent as string,
  };
}
