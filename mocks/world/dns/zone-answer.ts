/**
 * The authoritative answer for one question from the records Alidns holds. Names in a zone we
 * serve: the records (following CNAMEs inside our zones, wildcards `*.zone` included), NODATA
 * when the name exists without that type, NXDOMAIN when it does not exist, both with the zone's
 * SOA for negative caching. Names outside our zones: REFUSED, as an authoritative-only server
 * answers. Pure.
 */
import type { Answer } from 'dns-packet';
import type { DnsAnswerRecord } from '../types.js';

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'REFUSED';

export interface DnsReply {
  rcode: Rcode;
  answers: Answer[];
  authorities: Answer[];
}

/** SOA minimum = negative-caching TTL. Kept short so a name created right after a miss resolves. */
export const negativeTtlSeconds = 1;

const answerableTypes = new Set(['A', 'AAAA', 'CNAME', 'TXT', 'NS']);

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

export function answerQuestion(
  question: { name: string; type: string },
  records: DnsAnswerRecord[],
  zones: string[],
): DnsReply {
  const name = normalizeName(question.name);
  const zone = zoneOf(name, zones);
  if (zone === undefined) return { rcode: 'REFUSED', answers: [], authorities: [] };

  const answers: Answer[] = [];
  let current = name;
  const seen = new Set<string>();
  for (;;) {
    const own = recordsAt(current, zone, records);
    if (own === undefined) {
      // The chain leads to a name that does not exist (NXDOMAIN only if it is the asked name).
      if (current === name) return negative('NXDOMAIN', zone);
      break;
    }
    const wanted = own.filter(
      (record) => question.type === 'ANY' || record.type.toUpperCase() === question.type,
    );
    const cname = own.find((record) => record.type.toUpperCase() === 'CNAME');
    if (wanted.length > 0 || !cname || question.type === 'CNAME') {
      answers.push(...wanted.map((record) => toAnswer(record, current)));
      break;
    }
    answers.push(toAnswer(cname, current));
    const target = normalizeName(cname.value);
    if (seen.has(target) || zoneOf(target, zones) === undefined) break;
    seen.add(current);
    current = target;
  }
  return answers.length > 0
    ? { rcode: 'NOERROR', answers, authorities: [] }
    : negative('NOERROR', zone);
}

/** The longest zone that contains the name. */
function zoneOf(name: string, zones: string[]): string | undefined {
  return zones
    .map(normalizeName)
    .filter((zone) => name === zone || name.endsWith(`.${zone}`))
    .sort((a, b) => b.length - a.length)[0];
}

/**
 * The records a name owns (exact, else the closest wildcard). `[]` for a name that exists without
 * records of its own (the zone apex, or an empty non-terminal); undefined when it does not exist.
 */
function recordsAt(
  name: string,
  zone: string,
  records: DnsAnswerRecord[],
): DnsAnswerRecord[] | undefined {
  const usable = records.filter((record) => answerableTypes.has(record.type.toUpperCase()));
  const exact = usable.filter((record) => normalizeName(record.name) === name);
  if (exact.length > 0) return exact;
  if (name === zone || records.some((record) => normalizeName(record.name).endsWith(`.${name}`)))
    return [];
  let parent = name;
  while (parent !== zone && parent.includes('.')) {
    parent = parent.slice(parent.indexOf('.') + 1);
    const wildcard = usable.filter((record) => normalizeName(record.name) === `*.${parent}`);
    if (wildcard.length > 0) return wildcard;
  }
  return undefined;
}

function toAnswer(record: DnsAnswerRecord, owner: string): Answer {
  const type = record.type.toUpperCase();
  const ttl = record.ttl;
  if (type === 'TXT') return { type: 'TXT', name: owner, ttl, data: record.value };
  return {
    type: type as 'A' | 'AAAA' | 'CNAME' | 'NS',
    name: owner,
    ttl,
    data: type === 'CNAME' || type === 'NS' ? normalizeName(record.value) : record.value,
  };
}

function negative(rcode: Rcode, zone: string): DnsReply {
  return {
    rcode,
    answers: [],
    authorities: [
      {
        type: 'SOA',
        name: zone,
        ttl: negativeTtlSeconds,
        data: {
          mname: 'ns1.alidns.com',
          rname: 'hostmaster.hichina.com',
          serial: 1,
          refresh: 3600,
          retry: 1200,
          expire: 86400,
          minimum: negativeTtlSeconds,
        },
      },
    ],
  };
}
