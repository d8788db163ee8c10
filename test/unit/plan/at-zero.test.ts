/**
 * The planner and a server found at weight 0 that the workflow does not bring into service:
 * back to a weight a run saved on the balancer, to the operator's `--restore-weight`, or left as
 * found (acknowledged with `--leave-at-zero`) — in the plan, its hash and its runbook; and the
 * room the balancer has for the tags a run sets.
 */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '#src/engine/sha256.js';
import { InvalidInputError } from '#src/errors/index.js';
import {
  type AtZeroDecision,
  type Plan,
  planRollout,
  renderRunbook,
  type ZeroWeightChoices,
} from '#src/plan/index.js';
import {
  formatSavedWeight,
  parseSavedWeight,
  savedWeightsFromTags,
} from '#src/plan/saved-weight-tag.js';
import { balancer, emulatorWorld, NET } from '#support/observed-inventory.js';
import { loadExample, workflowFrom } from '#support/workflows.js';

const WORKFLOW = `name: w
region: cn-hangzhou
loadBalancer: { id: lb-emu-1 }
backends: { instances: [i-emu-web-1, i-emu-web-2, i-emu-web-3] }
rollout: { maxUnavailable: 1, minHealthy: 1 }
drain: { probe: { kind: none, waitSeconds: 1 }, timeoutSeconds: 60 }
patch:
  commands: ['yum update kernel -y']
  verify: { command: uname -r, expect: changed }
`;

const SAVED = '100;run=r-20261121-020000-1a2b;at=2026-11-21T02:00:01.000Z';

function world(weights: [number, number, number], tags: Record<string, string> = {}) {
  const observed = emulatorWorld({
    loadBalancer: balancer(
      weights.map((weight, index) => ({ id: `i-emu-web-${index + 1}`, weight })),
      { tags: { app: 'web', ...tags } },
    ),
  });
  delete observed.dns;
  return observed;
}

function planOf(
  weights: [number, number, number],
  tags: Record<string, string> = {},
  choices: ZeroWeightChoices = {},
  text = WORKFLOW,
): Plan {
  const { spec, source } = workflowFrom(text);
  return planRollout(spec, world(weights, tags), source, sha256Hex, choices);
}

function refusal(run: () => unknown): InvalidInputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('not refused');
}

const web1Steps = (plan: Plan) => plan.steps.filter((s) => s.node === 'i-emu-web-1');
const web1 = (plan: Plan) => plan.nodes.find((n) => n.id === 'i-emu-web-1');

describe('the saved weight tag', () => {
  it('reads what runs write, and a weight set by hand', () => {
    const saved = { weight: 100, runId: 'r-1', at: '2026-11-21T02:00:01.000Z' };
    expect(formatSavedWeight(saved)).toBe('100;run=r-1;at=2026-11-21T02:00:01.000Z');
    expect(parseSavedWeight(formatSavedWeight(saved))).toEqual(saved);
    expect(parseSavedWeight('80')).toEqual({ weight: 80 });
    for (const bad of ['', '0', '101', 'x;run=r', '-5', '1.5']) {
      expect(parseSavedWeight(bad)).toBeUndefined();
    }
    expect(
      savedWeightsFromTags({
        'drainctl-weight-i-1': '100;run=r-1',
        'drainctl-weight-i-2': 'garbage',
        'drainctl-lock': 'run=r-1;pid=1;start=-;at=x;host=h',
        app: 'web',
      }),
    ).toEqual(new Map([['i-1', { weight: 100, runId: 'r-1' }]]));
  });
});

describe('a server found at weight 0', () => {
  it('with nothing saved and no word from the operator: left as found, no steps, no batch, named', () => {
    const plan = planOf([0, 100, 100]);
    expect(web1(plan)?.atZero).toEqual({ action: 'leave', acknowledged: false });
    expect(web1Steps(plan)).toEqual([]);
    expect(plan.batches.flatMap((b) => b.nodes)).toEqual(['i-emu-web-2', 'i-emu-web-3']);
    expect(plan.notes).toContain(
      'i-emu-web-1 (web-1) is at weight 0 and no drainctl run saved its weight: left as found (no gate, drain, patch or reboot), and the run ends halted (exit 2); to patch it and bring it back, run again with --restore-weight i-emu-web-1=<weight>; to leave it at 0 on purpose, with --leave-at-zero i-emu-web-1.',
    );
    expect(plan).not.toHaveProperty('zeroWeightChoices');
  });

  it('with a weight a run saved: maintained and restored to it, the runbook says where it came from', () => {
    const plan = planOf([0, 100, 100], { 'drainctl-weight-i-emu-web-1': SAVED });
    const decision: AtZeroDecision = {
      action: 'restore',
      weight: 100,
      from: 'saved',
      saved: { weight: 100, runId: 'r-20261121-020000-1a2b', at: '2026-11-21T02:00:01.000Z' },
    };
    expect(web1(plan)?.atZero).toEqual(decision);
    expect(web1(plan)?.weight).toBe(0);
    expect(web1Steps(plan).map((s) => s.action)).toEqual([
      'gate',
      'node.capture-baseline',
      'node.drain',
      'node.wait-drained',
      'node.patch',
      'node.reboot',
      'node.wait-healthy',
      'node.verify',
      'node.restore',
    ]);
    const restore = web1Steps(plan).find((s) => s.action === 'node.restore');
    expect(restore?.params).toMatchObject({ targetWeight: 100 });
    expect(restore?.description).toContain(
      'Restore i-emu-web-1 (web-1) to weight 100 (run r-20261121-020000-1a2b saved weight 100 before draining it (2026-11-21T02:00:01.000Z)) on web-slb (lb-emu-1): 0 → 10 → 50 → 100',
    );
    const drain = web1Steps(plan).find((s) => s.action === 'node.drain');
    expect(drain?.description).toBe(
      "Keep 100 as i-emu-web-1 (web-1)'s weight to come back to, as the tag drainctl-weight-i-emu-web-1 on web-slb (lb-emu-1) (it is at weight 0 already)",
    );
    const runbook = renderRunbook(plan);
    expect(runbook).toContain('i-emu-web-1 (web-1, weight 0 → 100)');
    expect(runbook).toContain(
      'i-emu-web-1 (web-1) is at weight 0; run r-20261121-020000-1a2b saved weight 100 before draining it (2026-11-21T02:00:01.000Z): it is maintained like the others and restored to 100.',
    );
  });

  it('bound for a saved weight, it is never skipped as already compliant: it must come back through the proof', () => {
    // An equals expectation makes every other server skippable once it runs the target kernel;
    // a server out of service that already runs it still has to be proven and ramped back.
    const text = WORKFLOW.replace(
      'expect: changed',
      'expect: { equals: 3.10.0-1160.119.1.el7.x86_64 }',
    );
    const plan = planOf([0, 100, 100], { 'drainctl-weight-i-emu-web-1': SAVED }, {}, text);
    const baselineOf = (node: string) =>
      plan.steps.find((s) => s.action === 'node.capture-baseline' && s.node === node);
    expect(baselineOf('i-emu-web-2')?.params).toHaveProperty('skipIfCompliant');
    expect(baselineOf('i-emu-web-1')?.params).not.toHaveProperty('skipIfCompliant');
    expect(web1Steps(plan).map((s) => s.action)).toContain('node.restore');
    // Skipping is on: the runbook does not say otherwise because this one server is not.
    expect(renderRunbook(plan)).not.toContain('A re-run would');
  });

  it('--leave-at-zero: acknowledged, still untouched; the choice is part of the plan and its hash', () => {
    const plain = planOf([0, 100, 100]);
    const plan = planOf([0, 100, 100], {}, { leaveAtZero: ['i-emu-web-1'] });
    expect(web1(plan)?.atZero).toEqual({ action: 'leave', acknowledged: true });
    expect(web1Steps(plan)).toEqual([]);
    expect(plan.zeroWeightChoices).toEqual({ leaveAtZero: ['i-emu-web-1'] });
    expect(plan.sha256).not.toBe(plain.sha256);
    // A saved weight is not touched either when the operator says so.
    const saved = planOf(
      [0, 100, 100],
      { 'drainctl-weight-i-emu-web-1': SAVED },
      { leaveAtZero: ['i-emu-web-1'] },
    );
    expect(saved.notes).toContain(
      'i-emu-web-1 (web-1) is at weight 0: left as found (no gate, drain, patch or reboot), as --leave-at-zero says; run r-20261121-020000-1a2b saved weight 100 before draining it (2026-11-21T02:00:01.000Z), and that tag stays.',
    );
  });

  it('--restore-weight: maintained and restored to the weight given, over a saved one', () => {
    const plan = planOf(
      [0, 100, 100],
      { 'drainctl-weight-i-emu-web-1': SAVED },
      { restoreWeight: { 'i-emu-web-1': 40 } },
    );
    expect(web1(plan)?.atZero).toMatchObject({ action: 'restore', weight: 40, from: 'operator' });
    expect(web1Steps(plan).find((s) => s.action === 'node.restore')?.params).toMatchObject({
      targetWeight: 40,
    });
    expect(plan.notes).toContain(
      'i-emu-web-1 (web-1) is at weight 0; --restore-weight i-emu-web-1=40 (instead of the saved 100: run r-20261121-020000-1a2b saved weight 100 before draining it (2026-11-21T02:00:01.000Z)): it is maintained like the others and restored to 40.',
    );
  });

  it('choices in any order make the same plan', () => {
    const text = WORKFLOW.replace('minHealthy: 1', 'minHealthy: 0');
    const choices = (first: ZeroWeightChoices, second: ZeroWeightChoices) =>
      planOf([0, 0, 100], {}, { ...first, ...second }, text).sha256;
    expect(
      choices(
        { restoreWeight: { 'i-emu-web-2': 50 } },
        { leaveAtZero: ['i-emu-web-1', 'i-emu-web-1'] },
      ),
    ).toBe(choices({ leaveAtZero: ['i-emu-web-1'] }, { restoreWeight: { 'i-emu-web-2': 50 } }));
  });

  it('a server the workflow itself brings in from weight 0 is not one of them', () => {
    const seed = loadExample('workflows/kernel-patch.yaml');
    const observed = emulatorWorld({
      loadBalancer: balancer([
        { id: 'i-emu-web-1', weight: 100 },
        { id: 'i-emu-web-2', weight: 0 },
      ]),
    });
    const plan = planRollout(seed.spec, observed, seed.source, sha256Hex);
    expect(plan.nodes.map((n) => n.atZero)).toEqual([undefined, undefined]);
    const error = refusal(() =>
      planRollout(seed.spec, observed, seed.source, sha256Hex, { leaveAtZero: ['i-emu-web-2'] }),
    );
    expect(error.message).toBe(
      '--leave-at-zero i-emu-web-2: expected a server found at weight 0, found i-emu-web-2 (web-2), which the workflow brings into service',
    );
  });

  it('a choice that does not fit is invalid input naming the flag, the server and why', () => {
    const cases: Array<[ZeroWeightChoices, string]> = [
      [
        { restoreWeight: { 'i-emu-web-2': 100 } },
        '--restore-weight i-emu-web-2=100: expected a server found at weight 0, found i-emu-web-2 (web-2) at weight 100',
      ],
      [
        { leaveAtZero: ['i-emu-web-9'] },
        '--leave-at-zero i-emu-web-9: expected a server of this workflow, found i-emu-web-9, which is not one (i-emu-web-1, i-emu-web-2, i-emu-web-3)',
      ],
      [
        { restoreWeight: { 'i-emu-web-1': 0 } },
        '--restore-weight i-emu-web-1=0: expected a weight from 1 to 100, found 0',
      ],
      [
        { restoreWeight: { 'i-emu-web-1': 101 } },
        '--restore-weight i-emu-web-1=101: expected a weight from 1 to 100, found 101',
      ],
      [
        { restoreWeight: { 'i-emu-web-1': 50 }, leaveAtZero: ['i-emu-web-1'] },
        '--restore-weight i-emu-web-1=50: expected either --restore-weight or --leave-at-zero for a server, found both for i-emu-web-1',
      ],
    ];
    for (const [choices, message] of cases) {
      expect(refusal(() => planOf([0, 100, 100], {}, choices)).message).toBe(message);
    }
  });

  it('serving above the weight saved for it (set since by someone): the live weight wins, and the runbook says so', () => {
    const plan = planOf([100, 100, 100], {
      'drainctl-weight-i-emu-web-1': '50;run=r-20261121-020000-1a2b;at=2026-11-21T02:00:01.000Z',
    });
    expect(web1(plan)?.atZero).toBeUndefined();
    expect(web1(plan)).not.toHaveProperty('belowSaved');
    expect(web1Steps(plan).find((s) => s.action === 'node.restore')?.params).not.toHaveProperty(
      'targetWeight',
    );
    expect(plan.notes).toContain(
      'i-emu-web-1 (web-1) serves at weight 100, though run r-20261121-020000-1a2b saved weight 50 before draining it (2026-11-21T02:00:01.000Z): it goes back to 100, the weight it has now.',
    );
  });
});

describe('a server found serving below the weight a run saved for it (a ramp that stopped)', () => {
  // verify equals: every server already on the target kernel would be skipped.
  const EQUALS = WORKFLOW.replace(
    'expect: changed',
    'expect: { equals: 3.10.0-1160.119.1.el7.x86_64 }',
  );

  it('is bound for the saved weight: never skipped, drained from its live weight, restored to the saved one', () => {
    const plan = planOf([50, 100, 100], { 'drainctl-weight-i-emu-web-1': SAVED }, {}, EQUALS);
    expect(web1(plan)).toMatchObject({
      weight: 50,
      belowSaved: { weight: 100, runId: 'r-20261121-020000-1a2b' },
    });
    expect(web1(plan)?.atZero).toBeUndefined();
    const steps = web1Steps(plan);
    expect(steps.find((s) => s.action === 'node.capture-baseline')?.params).not.toHaveProperty(
      'skipIfCompliant',
    );
    const drain = steps.find((s) => s.action === 'node.drain');
    expect(drain?.params).toMatchObject({ expectedWeight: 50 });
    expect(drain?.description).toBe(
      'Set i-emu-web-1 (web-1) weight 50 → 0 on web-slb (lb-emu-1) (the live weight is recorded first); it comes back to 100, kept as the tag drainctl-weight-i-emu-web-1',
    );
    expect(drain?.inverse).toMatchObject({
      description:
        'restore i-emu-web-1 (web-1) to its recorded weight (50), as found; the tag keeps 100',
    });
    expect(steps.find((s) => s.action === 'node.restore')?.params).toMatchObject({
      targetWeight: 100,
    });
    const runbook = renderRunbook(plan);
    expect(runbook).toContain('i-emu-web-1 (web-1, weight 50 → 100)');
    expect(runbook).toContain(
      'i-emu-web-1 (web-1) serves at weight 50, though run r-20261121-020000-1a2b saved weight 100 before draining it (2026-11-21T02:00:01.000Z): a run stopped during its ramp, so it is maintained like the others and restored to 100.',
    );
    expect(runbook).not.toContain('it goes back to 50');
    // Never skipped by design: it says nothing about what a re-run would do.
    expect(runbook).not.toContain('A re-run would');
  });
});

describe('a server the workflow brings into service (initialWeight 0)', () => {
  const seed = loadExample('workflows/kernel-patch.yaml');
  const observed = (tags: Record<string, string>) =>
    emulatorWorld({
      loadBalancer: balancer(
        [
          { id: 'i-emu-web-1', weight: 100 },
          { id: 'i-emu-web-2', weight: 0 },
        ],
        { tags },
      ),
    });

  // Two servers and minHealthy 1: web-1 can leave only once web-2 serves again.
  const lenient = structuredClone(seed.spec);
  lenient.rollout.minHealthy = 0;

  it('found at 0 with a saved weight (a run left it out) is no bring-in: proven before it serves', () => {
    const plan = planRollout(
      lenient,
      observed({ 'drainctl-weight-i-emu-web-2': SAVED }),
      seed.source,
      sha256Hex,
    );
    const web2 = plan.nodes.find((n) => n.id === 'i-emu-web-2');
    expect(web2?.atZero).toMatchObject({ action: 'restore', weight: 100, from: 'saved' });
    // No ramp before the rollout: it comes back only through its own sequence.
    expect(plan.steps.filter((s) => s.node === 'i-emu-web-2' && s.phase === 'prepare')).toEqual([]);
    const rollout = plan.steps.filter((s) => s.node === 'i-emu-web-2' && s.phase === 'rollout');
    expect(rollout.map((s) => s.action)).toEqual(
      expect.arrayContaining(['node.patch', 'node.reboot', 'node.verify', 'node.restore']),
    );
    // The operator's choices are taken for it, like for any server found at 0.
    const left = planRollout(
      lenient,
      observed({ 'drainctl-weight-i-emu-web-2': SAVED }),
      seed.source,
      sha256Hex,
      { leaveAtZero: ['i-emu-web-2'] },
    );
    expect(left.nodes.find((n) => n.id === 'i-emu-web-2')?.atZero).toEqual({
      action: 'leave',
      acknowledged: true,
      saved: { weight: 100, runId: 'r-20261121-020000-1a2b', at: '2026-11-21T02:00:01.000Z' },
    });
    expect(left.steps.filter((s) => s.node === 'i-emu-web-2')).toEqual([]);
    // With minHealthy 1 the plan is refused rather than counting web-2 as serving before it
    // was proven (the way on is `resume --retry` of the run that left it out).
    const error = refusal(() =>
      planRollout(
        seed.spec,
        observed({ 'drainctl-weight-i-emu-web-2': SAVED }),
        seed.source,
        sha256Hex,
      ),
    );
    expect(error.path).toBe('rollout.minHealthy');
  });

  it('found at 0 with nothing saved: still brought in, as the workflow says', () => {
    const plan = planRollout(seed.spec, observed({}), seed.source, sha256Hex);
    expect(
      plan.steps.some(
        (s) => s.node === 'i-emu-web-2' && s.phase === 'prepare' && s.action === 'node.restore',
      ),
    ).toBe(true);
  });

  it('a normal fleet plans as before: no new fields', () => {
    const plan = planOf([100, 100, 100]);
    expect(plan.nodes.some((n) => 'atZero' in n)).toBe(false);
    expect(plan).not.toHaveProperty('zeroWeightChoices');
    expect(plan.sha256).toBe(planOf([100, 100, 100], {}, {}).sha256);
  });
});

describe('room on the balancer for the tags a run sets', () => {
  const tags = (count: number) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`team-${i}`, 'x']));
  const twoAtOnce = WORKFLOW.replace('maxUnavailable: 1', 'maxUnavailable: 2').replace(
    'minHealthy: 1',
    'minHealthy: 0',
  );

  it('fits: the balancer tags, the lock and one saved weight per server out at once', () => {
    // app + 6 + the lock = 8; two out at once = 10.
    expect(() => planOf([100, 100, 100], tags(6), {}, twoAtOnce)).not.toThrow();
  });

  it('does not fit: maxUnavailable is refused, naming the numbers', () => {
    const error = refusal(() => planOf([100, 100, 100], tags(7), {}, twoAtOnce));
    expect(error.path).toBe('rollout.maxUnavailable');
    expect(error.message).toContain(
      "expected at most 1 server(s) out at once: web-slb (lb-emu-1) carries 8 tag(s) and the run's lock takes one (drainctl-lock); a balancer takes 10",
    );
  });

  it('a server whose weight is saved already reuses its tag', () => {
    // app + 5 + two saved + the lock = 9: room for one more, and only web-3 needs one.
    const withSaved = {
      ...tags(5),
      'drainctl-weight-i-emu-web-1': SAVED,
      'drainctl-weight-i-emu-web-2': SAVED,
    };
    expect(() => planOf([0, 0, 100], withSaved, {}, twoAtOnce)).not.toThrow();
    expect(() => planOf([0, 0, 100], { ...withSaved, more: 'x' }, {}, twoAtOnce)).toThrow(
      InvalidInputError,
    );
  });

  it('no room at all: the balancer is named, with its tags', () => {
    const error = refusal(() => planOf([100, 100, 100], tags(8), {}));
    expect(error.path).toBe('loadBalancer.id');
    expect(error.message).toContain('9 tags (app, team-0');
  });

  it(`an instance id too long for a tag key (64) is refused`, () => {
    const long = `i-${'x'.repeat(47)}`;
    const text = WORKFLOW.replace('i-emu-web-3', long);
    const observed = world([100, 100, 100]);
    observed.instances.push({
      ...(observed.instances[0] as (typeof observed.instances)[0]),
      id: long,
      name: 'long',
      privateIp: `${NET}.99`,
    });
    observed.loadBalancer?.backends.push({ serverId: long, weight: 100, type: 'ecs' });
    const { spec, source } = workflowFrom(text);
    const error = refusal(() => planRollout(spec, observed, source, sha256Hex));
    expect(error.message).toContain('an instance id of at most 48 characters');
  });
});
