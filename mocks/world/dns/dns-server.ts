/**
 * The emulator's authoritative DNS server (UDP, on the emulator's block `.53`, port chosen by the
 * OS), serving what Alidns holds, so a DNS cutover is checked by resolution as in production:
 * `dig @host -p port www.example.com`, or node's `Resolver.setServers(['host:port'])`.
 */
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { bindUdp } from '../net/bind.js';
import type { DnsAnswerRecord } from '../types.js';
import { answerQuestion, normalizeName } from './zone-answer.js';

const rcodeNumbers = { NOERROR: 0, FORMERR: 1, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export class DnsServer {
  private readonly socket = dgram.createSocket('udp4');
  private records: DnsAnswerRecord[] = [];
  private zones: string[] = [];
  private address = '';

  constructor(private readonly onError: (error: Error) => void) {
    this.socket.on('message', (message, peer) => this.answer(message, peer));
    this.socket.on('error', (error) => this.onError(error));
  }

  /** "host:port" once started. */
  get endpoint(): string {
    return this.address;
  }

  async start(host: string): Promise<void> {
    await bindUdp(this.socket, host, 0, 'the DNS server');
    this.address = `${host}:${this.socket.address().port}`;
  }

  /** Replaces the served data. Without `zones`, each record's zone is taken to be its last two labels. */
  setRecords(records: DnsAnswerRecord[], zones?: string[]): void {
    this.records = records.map((record) => ({ ...record, name: normalizeName(record.name) }));
    this.zones = (zones ?? records.map((record) => lastTwoLabels(record.name))).map(normalizeName);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private answer(message: Buffer, peer: dgram.RemoteInfo): void {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return; // Not DNS: a real server drops it too.
    }
    const question = query.questions?.[0];
    const rd = query.flags !== undefined ? query.flags & dnsPacket.RECURSION_DESIRED : 0;
    let rcode: number = rcodeNumbers.NOERROR;
    let reply: dnsPacket.Packet = { answers: [], authorities: [] };
    if (!question || (query.questions?.length ?? 0) > 1) {
      rcode = rcodeNumbers.FORMERR;
    } else if (
      question.class !== undefined &&
      question.class !== 'IN' &&
      question.class !== 'ANY'
    ) {
      rcode = rcodeNumbers.REFUSED;
    } else {
      const found = answerQuestion(question, this.records, this.zones);
      rcode = rcodeNumbers[found.rcode];
      reply = { answers: found.answers, authorities: found.authorities };
    }
    const authoritative = rcode === rcodeNumbers.NOERROR || rcode === rcodeNumbers.NXDOMAIN;
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: (authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | rd | rcode,
      questions: question ? [question] : [],
      ...reply,
    });
    this.socket.send(response, peer.port, peer.address);
  }
}

function lastTwoLabels(name: string): string {
  return normalizeName(name).split('.').slice(-2).join('.');
}
