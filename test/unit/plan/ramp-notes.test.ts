/**
 * `drainctl plan` warns, among the lines worth knowing, when servers ramp back behind a layer-4
 * listener: a server pulled back to weight 0 keeps the keep-alive connections it holds, so
 * clients can see more 5xx than the ramp counted. Not behind an http listener (it picks a
 * server per request), and not when no probe watches the ramp (there is no pull-back).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { planRollout, renderRunbook } from '#src/plan/index.js';
import { emulatorWorld } from '#support/observed-inventory.js';
import { workflowFrom } from '#support/workflows.js';

const seedText = readFileSync(
  new URL('../../../workflows/kernel-patch.yaml', import.meta.url),
  'utf8',
);

function planOf(text: string) {
  const { spec, source } = workflowFrom(text);
  return planRollout(spec, emulatorWorld(), source, sha256Hex);
}

const warning = (notes: readonly string[] | undefined) =>
  (notes ?? []).filter((n) => n.includes('layer-4 listener'));

describe('the plan warns about ramping behind a tcp listener', () => {
  it('behind 8080/tcp with the access log watching the ramp: one line, in the runbook', () => {
    const plan = planOf(seedText);
    expect(warning(plan.notes)).toEqual([
      'Servers ramp back behind a layer-4 listener (8080/tcp): weight 0 moves no open connection, so a server pulled back for its 5xx during a ramp keeps answering the keep-alive connections clients opened to it until it or they close them — clients can see more 5xx than the ramp counted. An http listener, or short keep-alive limits on the servers (nginx keepalive_requests, keepalive_timeout), keep that small (docs/engine.md, "Pulled back behind a TCP listener").',
    ]);
    const runbook = renderRunbook(plan);
    const worth = runbook.indexOf('Already in place, or worth knowing:');
    expect(worth).toBeGreaterThan(-1);
    expect(
      runbook.indexOf('  - Servers ramp back behind a layer-4 listener (8080/tcp)'),
    ).toBeGreaterThan(worth);
  });

  it('not behind an http listener: it picks a server per request', () => {
    const http = seedText.replace(/- protocol: tcp\b.*\n/, '- protocol: http\n');
    expect(http).not.toBe(seedText);
    expect(warning(planOf(http).notes)).toEqual([]);
  });

  it('not when nothing watches the ramp for 5xx (no pull-back)', () => {
    const blind = seedText.replace(
      / {2}probe:\n {4}kind: access-log\n( {4}.*\n)+/,
      '  probe:\n    kind: none\n    waitSeconds: 10\n',
    );
    expect(blind).not.toBe(seedText);
    expect(warning(planOf(blind).notes)).toEqual([]);
  });
});
