/**
 * A preparation that failed after the DNS record was moved points it back — but only when the
 * record still holds what this run set. If someone else changed it meanwhile, their value is
 * left as it is and the run reports it (a WARNING in the report, a warning note in the journal).
 */
import { describe, expect, it } from 'vitest';
import { formatReport } from '../../../src/engine/report.js';
import { InMemoryWorld } from '../../helpers/in-memory-ports.js';
import { buildPlan, fleet } from './fixtures/plans.js';
import { runModel } from './fixtures/run-model.js';

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
