/**
 * A journal written by drainctl before the application core (undo as data, the plan hash handed
 * in, the healthy judgement in one place) is resumed by today's engine to the same end state as
 * an uninterrupted run. The fixture was made by the in-memory model of that version: three nodes,
 * a DNS cutover, killed right after web-1's patch was journaled (web-1 at weight 0 with its new
 * kernel staged); the world is restored as that process left it.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { fleet } from '#support/hand-built-plans.js';
import { resumeModel } from '#support/in-memory-runs.js';
import { type HostState, InMemoryWorld } from '#support/in-memory-world.js';

interface Fixture {
  crashedAfterSeq: number;
  journal: string[];
  world: {
    backends: Record<string, number>;
    hosts: Record<string, HostState>;
    tags: Record<string, string>;
    dnsRecord: InMemoryWorld['dnsRecord'];
  };
  uninterrupted: ReturnType<InMemoryWorld['endState']>;
}

const fixture = JSON.parse(
  readFileSync(
    new URL('../../fixtures/journals/written-before-the-application-core.json', import.meta.url),
    'utf8',
  ),
) as Fixture;

it('resumes a journal written before the application core to the uninterrupted end state', async () => {
  const world = new InMemoryWorld(fleet(3, [100, 60, 30]));
  for (const [id, weight] of Object.entries(fixture.world.backends)) world.backends.set(id, weight);
  for (const [id, host] of Object.entries(fixture.world.hosts)) world.hosts.set(id, { ...host });
  for (const [key, value] of Object.entries(fixture.world.tags)) world.tags.set(key, value);
  world.dnsRecord = { ...fixture.world.dnsRecord };
  world.journalLines.push(...fixture.journal);
  expect(world.journalLines).toHaveLength(fixture.crashedAfterSeq);

  const resumed = await resumeModel(world);
  if (resumed === 'crashed') throw new Error('the resume crashed');
  expect(resumed.outcome).toBe('completed');
  expect(world.endState()).toEqual(fixture.uninterrupted);
  // The old entries are kept as they were; the resumed run appends after them.
  expect(world.journalLines.slice(0, fixture.journal.length)).toEqual(fixture.journal);
  expect(JSON.parse(world.journalLines[fixture.journal.length] ?? '{}')).toMatchObject({
    seq: fixture.crashedAfterSeq + 1,
    type: 'resume',
  });
});
