/**
 * A DNS cutover that fails after the TTL was lowered, against the emulator through the real
 * binary: the Alidns API refuses to point the record at the balancer (an injected fault, once)
 * while the run waits out the old TTL. The run halts with the record as it found it — its value
 * and its TTL, set back as the runbook's undo says — and the journal says so.
 */
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  drainctl,
  journal,
  runEnvPerTest,
  spawnDrainctl,
  waitForEntry,
  workflowText,
} from '#support/rollout-on-emulator.js';

const startEnv = runEnvPerTest();

const DNS = `dns:
  domain: example.com
  record: www
  type: A
  ttl:
    lowerTo: 1
    waitOldTtl: true
    raiseTo: original
`;

describe('a DNS cutover that fails after the TTL was lowered', () => {
  it('sets the TTL back to what it was, leaves the record where it was, and halts', async () => {
    const env = await startEnv();
    await writeFile(env.workflow, `${workflowText({ drainProbe: 'none' })}${DNS}`);
    const www = () => env.emu.state().records.find((r) => r.name === 'www.example.com');
    const found = www();
    expect(found?.ttl).toBe(10);

    const plan = await drainctl(env, ['plan', env.workflow]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('undo: set the TTL of www.example.com back to 10 s');

    const { done } = spawnDrainctl(env, ['run', env.workflow, '--yes', '--json']);
    // The TTL is lowered; while the run waits out the old one, the API starts refusing the
    // record's next change (once: the undo goes through).
    await waitForEntry(
      env,
      (e) => e.type === 'result' && String(e.step).includes('dns.set-ttl'),
      done,
    );
    expect(www()?.ttl).toBe(1);
    env.emu.injectFault({
      kind: 'api-error',
      action: 'UpdateDomainRecord',
      code: 'DomainRecordLocked',
      message: 'The domain record is locked.',
    });
    const run = await done;

    expect(run.code, run.stderr).toBe(2);
    const doc = JSON.parse(run.stdout) as {
      runId: string;
      report: { warnings: string[]; haltReason: string };
    };
    expect(doc.report.haltReason).toMatch(
      /prepare step \d+ \(dns\.point\) failed: .*DomainRecordLocked/,
    );
    expect(doc.report.warnings).toEqual([]);
    expect(www()).toMatchObject({ value: found?.value, ttl: 10 });
    const notes = (await journal(env, doc.runId)).filter((e) => e.type === 'note');
    expect(notes.map((e) => e.message)).toContain(
      'TTL of www.example.com set back to 10s (from 1s) because the preparation failed',
    );
  }, 120_000);
});
