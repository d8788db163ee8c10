/**
 * A preparation that failed after the DNS record was moved points it back — but only when the
 * record still holds what this run set. If someone else changed it meanwhile, their value is
 * left as it is and the run reports it (a WARNING in the report, a warning note in the journal).
 */
import { describe, expect, it } from 'vitest';
import { formatReport } from '#src/engine/reporting/report.js';
import { DrainctlError } from '#src/errors/index.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { resumeModel, runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld } from '#support/in-memory-world.js';

const FOUND = '10.0.0.11';

/** The name servers never agree, so `dns.verify` fails; `meanwhile` runs while it waits. */
async function failedCutover(meanwhile: (world: InMemoryWorld) => void) {
  const world = new InMemoryWorld(fleet(2));
  const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1, dnsCutover: true });
  const result = await runModel(world, plan, {
    wrap: (ports) => ({
      ...ports,
      dnsResolver: {
        resolve: async () => {
          meanwhile(world);
          return ['10.9.9.9'];
        },
      },
    }),
  });
  if (result === 'crashed') throw new Error('crashed');
  return { world, result };
}

describe('pointing DNS back after a failed preparation', () => {
  it('restores the old value when the record still holds the one this run set', async () => {
    const { world, result } = await failedCutover(() => {});
    expect(result.outcome).toBe('halted');
    expect(world.dnsRecord.value).toBe(FOUND);
    expect(result.report.warnings).toEqual([]);
  });

  it('leaves a record someone else changed meanwhile, and reports it', async () => {
    const { world, result } = await failedCutover((w) => {
      w.dnsRecord = { ...w.dnsRecord, value: '10.7.7.7' }; // another team's change
    });
    expect(result.outcome).toBe('halted');
    expect(world.dnsRecord.value).toBe('10.7.7.7');
    expect(result.report.warnings).toEqual([
      expect.stringContaining(
        `DNS www.example.com not pointed back to ${FOUND}: it is now 10.7.7.7, not`,
      ),
    ]);
    expect(result.report.warnings[0]).toContain('someone else changed it meanwhile');
    expect(
      formatReport(result.report).some((l) => l.startsWith('  WARNING: DNS www.example.com')),
    ).toBe(true);
    expect(
      world.journalLines.some((l) => l.includes('"type":"note"') && l.includes('"warning":true')),
    ).toBe(true);
  });
});

/**
 * The runbook says of lowering the TTL: "undo: set the TTL back to 600 s". A cutover that does
 * not happen (a later preparation step fails, or the run is aborted during the wait for the old
 * TTL) carries out that undo — only while the record holds what this run left — or names what
 * stays changed. A resumed run then lowers, waits and points again from the start.
 */
describe('a TTL lowered for a cutover that did not happen', () => {
  const LOWERED = 60;

  /** The DNS API refuses to point the record at the balancer (after the TTL was lowered). */
  function refusingPoint(world: InMemoryWorld, meanwhile: () => void = () => {}) {
    return (ports: ReturnType<InMemoryWorld['ports']>) => ({
      ...ports,
      dns: {
        ...ports.dns,
        pointRecord: async (request: Parameters<typeof ports.dns.pointRecord>[0]) => {
          if (request.value === world.address) {
            meanwhile();
            throw new DrainctlError(
              'CLOUD_API_ERROR',
              'Alidns UpdateDomainRecord failed: Forbidden',
            );
          }
          return ports.dns.pointRecord(request);
        },
      },
    });
  }

  function plan(world: InMemoryWorld) {
    return buildPlan(world, {
      minHealthy: 1,
      maxUnavailable: 1,
      dnsCutover: true,
      lowerTtlTo: LOWERED,
    });
  }

  function notes(world: InMemoryWorld): string[] {
    return world.journalLines
      .map((l) => JSON.parse(l) as { type: string; message?: string })
      .filter((e) => e.type === 'note')
      .map((e) => e.message ?? '');
  }

  it('pointing fails: the TTL goes back to what it was, and the journal says so', async () => {
    const world = new InMemoryWorld(fleet(2));
    const result = await runModel(world, plan(world), { wrap: refusingPoint(world) });
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('halted');
    expect(world.dnsRecord).toMatchObject({ value: FOUND, ttl: 600 });
    expect(notes(world)).toContain(
      'TTL of www.example.com set back to 600s (from 60s) because the preparation failed',
    );
    expect(result.report.warnings).toEqual([]);
  });

  it('someone else changed the TTL meanwhile: it is left as it is, and the report names what stays changed', async () => {
    const world = new InMemoryWorld(fleet(2));
    const result = await runModel(world, plan(world), {
      wrap: refusingPoint(world, () => {
        world.dnsRecord = { ...world.dnsRecord, ttl: 300 };
      }),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(world.dnsRecord).toMatchObject({ value: FOUND, ttl: 300 });
    expect(result.report.warnings).toEqual([
      `the TTL of www.example.com was lowered by this run from 600s to 60s and is not set back: it is now ${FOUND} with TTL 300s, not ${FOUND} with TTL 60s as this run left it — someone else changed it meanwhile; left as it is, check it`,
    ]);
    expect(formatReport(result.report)).toContain(`  WARNING: ${result.report.warnings[0]}`);
  });

  it('the name servers never confirm after the record moved: pointed back with its old TTL too', async () => {
    const world = new InMemoryWorld(fleet(2));
    const result = await runModel(world, plan(world), {
      wrap: (ports) => ({ ...ports, dnsResolver: { resolve: async () => ['10.9.9.9'] } }),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(world.dnsRecord).toMatchObject({ value: FOUND, ttl: 600 });
    expect(result.report.warnings).toEqual([]);
  });

  it('an abort during the wait for the old TTL sets it back too', async () => {
    const world = new InMemoryWorld(fleet(2));
    const controller = new AbortController();
    const result = await runModel(world, plan(world), {
      signal: controller.signal,
      wrap: (ports) => ({
        ...ports,
        dns: {
          ...ports.dns,
          pointRecord: async (request) => {
            const record = await ports.dns.pointRecord(request);
            if (request.ttl === LOWERED) controller.abort(new Error('received SIGINT'));
            return record;
          },
        },
      }),
    });
    if (result === 'crashed') throw new Error('crashed');
    expect(result.outcome).toBe('halted');
    expect(result.report.haltReason).toContain('SIGINT');
    expect(world.dnsRecord).toMatchObject({ value: FOUND, ttl: 600 });
  });

  it('a resumed run lowers the TTL again and waits out the old one before it points the record', async () => {
    const world = new InMemoryWorld(fleet(2));
    const first = await runModel(world, plan(world), { wrap: refusingPoint(world) });
    if (first === 'crashed') throw new Error('crashed');
    expect(world.dnsRecord.ttl).toBe(600);
    const from = world.journalLines.length;
    const resumed = await resumeModel(world);
    if (resumed === 'crashed') throw new Error('crashed');
    expect(resumed.outcome).toBe('completed');
    expect(world.dnsRecord).toMatchObject({ value: world.address, ttl: LOWERED });
    const order = world.journalLines
      .slice(from)
      .map((l) => JSON.parse(l) as { type: string; step?: string; status?: string })
      .filter((e) => e.type === 'step' && /^s\d+-(dns\.[a-z-]+|wait)$/.test(e.step ?? ''))
      .map((e) => `${e.step?.replace(/^s\d+-/, '')} ${e.status}`);
    expect(order).toEqual(['dns.set-ttl ok', 'wait ok', 'dns.point ok', 'dns.verify ok']);
  });
});
