/**
 * judgeTrafficFilter against the real classifier: a filter it accepts has, for each address
 * family, a request the classifier counts as real (the one it names); for a filter it refuses,
 * the classifier ignores every request generated in what the refusal covers (the family whose
 * clients the ranges all hold, any path, any user agent; for ranges, the GET or HEAD a health
 * check sends), in layer-4 and layer-7 log formats.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogFormat, TrafficFilter } from '#src/ports/index.js';
import { createLineParser } from '#src/probes/access-log/line-parser.js';
import { ParsedLine } from '#src/probes/access-log/parsed-line.js';
import { RequestClassifier, Verdict } from '#src/probes/access-log/request-classifier.js';
import {
  type AddressFamily,
  type FilterRules,
  judgeTrafficFilter,
} from '#src/workflow/traffic-filter/judge.js';
import { isPathByte } from '#src/workflow/traffic-filter/path-patterns.js';

interface Request {
  client: string;
  method: string;
  path: string;
  userAgent: string;
}

const LAYER7: LogFormat = {
  kind: 'nginx',
  logFormat:
    '$remote_addr [$time_local] "$request" $status "$http_user_agent" "$http_x_forwarded_for"',
};

/** The verdict on `request` logged as a layer-4 (combined, peer) and a layer-7 (XFF) server would. */
function verdicts(rules: FilterRules, request: Request): Verdict[] {
  const filter: TrafficFilter = {
    ignoreCidrs: [...rules.ignoreCidrs],
    ignorePaths: [...(rules.ignorePaths ?? [])],
    ignoreUserAgents: [...(rules.ignoreUserAgents ?? [])],
    clientAddress: 'remote_addr',
    ...(rules.healthCheck === undefined
      ? {}
      : { healthCheck: rules.healthCheck as TrafficFilter['healthCheck'] }),
  };
  const line = `${request.method} ${request.path} HTTP/1.1`;
  return [
    classify(
      filter,
      { kind: 'combined' },
      `${request.client} - - [21/Nov/2026:02:00:01 +0800] "${line}" 200 1 "-" "${request.userAgent}"`,
    ),
    classify(
      { ...filter, clientAddress: 'x_forwarded_for' },
      LAYER7,
      `100.64.9.9 [21/Nov/2026:02:00:01 +0800] "${line}" 200 "${request.userAgent}" "${request.client}"`,
    ),
  ];
}

function classify(filter: TrafficFilter, format: LogFormat, text: string): Verdict {
  const classifier = new RequestClassifier(filter);
  const parser = createLineParser(format, classifier.needs);
  const out = new ParsedLine();
  const buf = Buffer.from(text, 'latin1');
  expect(parser.parse(buf, 0, buf.length, out), text).toBe(true);
  return classifier.classify(out);
}

// --- address ranges --------------------------------------------------------------------------

const BITS = { 4: 32, 6: 128 } as const;

function formatAddress(value: bigint, family: AddressFamily): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => (value >> shift) & 0xffn).join('.');
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n)
    groups.push(((value >> shift) & 0xffffn).toString(16));
  return groups.join(':');
}

/** The fewest CIDRs that cover [first, last] exactly. */
function cidrsOf(first: bigint, last: bigint, family: AddressFamily): string[] {
  const bits = BITS[family];
  const out: string[] = [];
  let at = first;
  while (at <= last) {
    let size = 0n;
    while (
      size < BigInt(bits) &&
      at % (1n << (size + 1n)) === 0n &&
      at + (1n << (size + 1n)) - 1n <= last
    ) {
      size++;
    }
    out.push(`${formatAddress(at, family)}/${bits - Number(size)}`);
    at += 1n << size;
  }
  return out;
}

/**
 * The whole address space of a family cut at random points into CIDRs, then perhaps one piece
 * left out: as often a set that holds every client as one that does not.
 */
const partition = (family: AddressFamily) => {
  const cut =
    family === 4
      ? fc.integer({ min: 1, max: 2 ** 32 - 1 }).map(BigInt)
      : fc.integer({ min: 1, max: 0xffff }).map((n) => BigInt(n) << 112n);
  return fc
    .tuple(fc.uniqueArray(cut, { maxLength: 3 }), fc.option(fc.nat(), { nil: undefined }))
    .map(([cuts, drop]) => {
      const points = [
        0n,
        ...[...cuts].sort((a, b) => (a < b ? -1 : 1)),
        1n << BigInt(BITS[family]),
      ];
      const pieces = points
        .slice(1)
        .flatMap((end, index) => cidrsOf(points[index] ?? 0n, end - 1n, family));
      if (drop !== undefined) pieces.splice(drop % pieces.length, 1);
      return pieces;
    });
};

const ipv4 = fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((n) => formatAddress(BigInt(n), 4));
const ipv6 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((n) => formatAddress(n, 6));

const cidrEntry = fc.oneof(
  fc.tuple(ipv4, fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`),
  fc.tuple(ipv6, fc.integer({ min: 0, max: 128 })).map(([a, p]) => `${a}/${p}`),
  fc.tuple(ipv4, fc.integer({ min: 0, max: 32 })).map(([a, p]) => `::ffff:${a}/${96 + p}`),
  fc.integer({ min: 0, max: 96 }).map((p) => `::/${p}`),
  fc.constantFrom('100.64.0.0/10', '10.0.0.0/8', '0.0.0.0/1', '128.0.0.0/1', '192.0.2.7'),
);

const cidrSets = fc.oneof(
  fc.array(cidrEntry, { maxLength: 4 }),
  partition(4),
  partition(6),
  fc.tuple(partition(4), partition(6)).map(([a, b]) => [...a, ...b]),
);

/** Clients of a family: never from 0/8, 127/8, 224/3 (IPv4), ::, ::1, ff00::/8 (IPv6). */
const client = (family: AddressFamily) =>
  family === 4
    ? fc
        .tuple(
          fc.integer({ min: 1, max: 223 }).filter((first) => first !== 127),
          fc.integer({ min: 0, max: 2 ** 24 - 1 }),
          fc.boolean(),
        )
        .map(([first, rest, mapped]) => {
          const address = formatAddress((BigInt(first) << 24n) | BigInt(rest), 4);
          return mapped ? `::ffff:${address}` : address;
        })
    : fc
        .bigInt({ min: 2n, max: (0xffn << 120n) - 1n })
        .filter((n) => n >> 32n !== 0xffffn)
        .map((n) => formatAddress(n, 6));

// --- paths and user agents -------------------------------------------------------------------

const PATH_BYTES = Array.from({ length: 256 }, (_, byte) => byte).filter(isPathByte);
const pathByte = fc.constantFrom(...PATH_BYTES.map((byte) => String.fromCharCode(byte)));
const path = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'b', '/'), maxLength: 4 }).map((rest) => `/${rest}`),
  fc.string({ unit: pathByte, maxLength: 12 }).map((rest) => `/${rest}`),
);

/** Small alphabets, so patterns often meet the paths generated. */
const pathPattern = fc.oneof(
  fc.constantFrom('*', '/*', '/', '/**', '*/*', '/?*', '/a*', '/b'),
  fc
    .tuple(fc.string({ unit: fc.constantFrom('a', 'b', '/', '*'), maxLength: 3 }), fc.boolean())
    .map(([text, star]) => `/${text}${star ? '*' : ''}`),
);

/** `/` and `/X*` for every byte a path may hold, perhaps without one of them. */
const everyFirstByte = fc.option(fc.nat(), { nil: undefined }).map((drop) => {
  const patterns = ['/', ...PATH_BYTES.map((byte) => `/${String.fromCharCode(byte)}*`)];
  if (drop !== undefined) patterns.splice(drop % patterns.length, 1);
  return patterns;
});

const pathSets = fc.oneof(fc.array(pathPattern, { maxLength: 4 }), everyFirstByte);

const agentText = fc.string({
  unit: fc.constantFrom(...'abcMoz/5. -'.split('')),
  maxLength: 12,
});
const agentSets = fc.array(fc.oneof(agentText, fc.constant('')), { maxLength: 3 });
const userAgent = fc.oneof(agentText, fc.constantFrom('-', '', 'Mozilla/5.0 (X11; Linux)'));

const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'delete');

const rules: fc.Arbitrary<FilterRules> = fc.record(
  {
    ignoreCidrs: cidrSets,
    ignorePaths: pathSets,
    ignoreUserAgents: agentSets,
    healthCheck: fc.record({ method: fc.constantFrom('GET', 'HEAD'), uri: path }),
  },
  { requiredKeys: ['ignoreCidrs'] },
);

const request = (family: AddressFamily): fc.Arbitrary<Request> =>
  fc.record({ client: client(family), method, path, userAgent });

// --- the properties --------------------------------------------------------------------------

describe('judgeTrafficFilter agrees with the classifier', () => {
  it('an accepted filter counts the request it names as real, in each family and format', () => {
    fc.assert(
      fc.property(rules, (filter) => {
        const judgement = judgeTrafficFilter(filter);
        fc.pre(judgement.countsTraffic);
        if (!judgement.countsTraffic) return;
        for (const family of [4, 6] as const) {
          expect(verdicts(filter, judgement.examples[family])).toEqual([
            Verdict.real,
            Verdict.real,
          ]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a refused filter ignores every request it was refused for', () => {
    fc.assert(
      fc.property(
        rules,
        fc.constantFrom<AddressFamily>(4, 6),
        fc.array(fc.tuple(request(4), request(6)), { minLength: 1, maxLength: 8 }),
        (filter, anyFamily, requests) => {
          const judgement = judgeTrafficFilter(filter);
          fc.pre(!judgement.countsTraffic);
          if (judgement.countsTraffic) return;
          for (const blocker of judgement.blockers) {
            const families = blocker.families ?? [anyFamily];
            for (const pair of requests) {
              for (const family of families) {
                const request = family === 4 ? pair[0] : pair[1];
                // Ignored for its address alone, a request must also be shaped like a health
                // check (GET or HEAD) to stay ignored: the classifier counts others as real.
                const sent =
                  blocker.rule === 'ignoreCidrs' && !/^(GET|HEAD)$/i.test(request.method)
                    ? { ...request, method: 'GET' }
                    : request;
                expect(verdicts(filter, sent), JSON.stringify({ blocker, sent })).not.toContain(
                  Verdict.real,
                );
              }
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the generators reach both answers', () => {
    const answers = fc
      .sample(rules, { numRuns: 400, seed: 11 })
      .map((filter) => judgeTrafficFilter(filter).countsTraffic);
    expect(answers.filter(Boolean).length).toBeGreaterThan(40);
    expect(answers.filter((counts) => !counts).length).toBeGreaterThan(40);
  });
});

describe('judgeTrafficFilter on spellings', () => {
  const refused = (filter: FilterRules) => {
    const judgement = judgeTrafficFilter(filter);
    return judgement.countsTraffic
      ? []
      : judgement.blockers.map(({ rule, index }) => ({ rule, index }));
  };

  it('paths: only patterns that match every path as the matcher reads them', () => {
    for (const pattern of ['*', '/*']) {
      expect(refused({ ignoreCidrs: [], ignorePaths: ['/x', pattern] })).toEqual([
        { rule: 'ignorePaths', index: 1 },
      ]);
    }
    // A * elsewhere than at the end is a literal character to the matcher: these match little.
    for (const pattern of ['/**', '*/*', '/?*', '**', '/a*']) {
      expect(refused({ ignoreCidrs: [], ignorePaths: [pattern] }), pattern).toEqual([]);
    }
    expect(refused({ ignoreCidrs: [], ignorePaths: ['/'] })).toEqual([]);
  });

  it('paths: a set that together matches every path is refused as a whole', () => {
    const every = ['/', ...PATH_BYTES.map((byte) => `/${String.fromCharCode(byte)}*`)];
    expect(refused({ ignoreCidrs: [], ignorePaths: every })).toEqual([
      { rule: 'ignorePaths', index: undefined },
    ]);
    const judgement = judgeTrafficFilter({ ignoreCidrs: [], ignorePaths: every.slice(0, -1) });
    expect(judgement.countsTraffic).toBe(true);
  });

  it('ranges: one or several holding every client of a family', () => {
    expect(refused({ ignoreCidrs: ['10.0.0.0/8', '0.0.0.0/0'] })).toEqual([
      { rule: 'ignoreCidrs', index: 1 },
    ]);
    expect(refused({ ignoreCidrs: ['0.0.0.0/1', '128.0.0.0/1'] })).toEqual([
      { rule: 'ignoreCidrs', index: undefined },
    ]);
    // Everything a client can come from, leaving 0/8, 127/8 and 224/3 out.
    expect(
      refused({
        ignoreCidrs: [
          '1.0.0.0/8',
          '2.0.0.0/7',
          '4.0.0.0/6',
          '8.0.0.0/5',
          '16.0.0.0/4',
          '32.0.0.0/3',
          '64.0.0.0/3',
          '96.0.0.0/4',
          '112.0.0.0/5',
          '120.0.0.0/6',
          '124.0.0.0/7',
          '126.0.0.0/8',
          '128.0.0.0/2',
          '192.0.0.0/3',
        ],
      }),
    ).toEqual([{ rule: 'ignoreCidrs', index: undefined }]);
    // IPv4-mapped: ::ffff:0:0/96 is every IPv4 client, and so is any range holding it.
    expect(refused({ ignoreCidrs: ['::ffff:0.0.0.0/96'] })).toEqual([
      { rule: 'ignoreCidrs', index: 0 },
    ]);
    expect(refused({ ignoreCidrs: ['::ffff:0.0.0.0/97', '128.0.0.0/1'] })).toEqual([
      { rule: 'ignoreCidrs', index: undefined },
    ]);
    expect(judgeTrafficFilter({ ignoreCidrs: ['::/0'] })).toMatchObject({
      blockers: [{ index: 0, families: [4, 6] }],
    });
    expect(refused({ ignoreCidrs: ['0.0.0.0/1', '128.0.0.0/2', '2001:db8::/32'] })).toEqual([]);
  });

  it('user agents: only the empty substring is in every user agent', () => {
    expect(refused({ ignoreCidrs: [], ignoreUserAgents: ['kube-probe', ''] })).toEqual([
      { rule: 'ignoreUserAgents', index: 1 },
    ]);
    // Short ones are refused by the length rule of the checks, not here.
    expect(refused({ ignoreCidrs: [], ignoreUserAgents: ['-', 'a', 'M', ' '] })).toEqual([]);
  });
});
