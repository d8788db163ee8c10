/**
 * Asks the emulator's authoritative DNS server one question over UDP (dns-packet), as a resolver
 * would: lets tests verify a DNS change by resolution rather than by reading the API back.
 */
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';

export interface Answer {
  name: string;
  type: string;
  ttl: number;
  data: string;
}

export function resolveA(
  server: string,
  name: string,
  type: 'A' | 'TXT' | 'CNAME' = 'A',
): Promise<{ rcode: string; answers: Answer[] }> {
  const colon = server.lastIndexOf(':');
  const host = server.slice(0, colon);
  const port = Number(server.slice(colon + 1));
  const query = dnsPacket.encode({
    type: 'query',
    id: Math.floor(Math.random() * 65535),
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name }],
  });
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no DNS answer from ${server} for ${name}`));
    }, 3_000);
    socket.on('message', (message) => {
      clearTimeout(timer);
      socket.close();
      const packet = dnsPacket.decode(message);
      resolve({
        rcode: String((packet as { rcode?: string }).rcode ?? 'NOERROR'),
        answers: (packet.answers ?? []).map((answer) => ({
          name: answer.name,
          type: answer.type,
          ttl: 'ttl' in answer ? (answer.ttl ?? 0) : 0,
          data: Array.isArray((answer as { data?: unknown }).data)
            ? (answer as { data: Buffer[] }).data.map(String).join('')
            : String((answer as { data?: unknown }).data),
        })),
      });
    });
    socket.send(query, port, host, (error) => {
      if (error) {
        clearTimeout(timer);
        socket.close();
        reject(error);
      }
    });
  });
}
