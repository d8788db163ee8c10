/**
 * How each reversible plan action is undone, in the words the runbook prints after `undo:`.
 * The keys are the actions that can declare an undo; the engine's compensations
 * (src/engine/steps/compensations.ts) are a table over exactly these keys, so an undo the
 * runbook promises without a compensation that carries it out — or a compensation for an action
 * that declares none — does not compile. A step's `inverse` is made here and nowhere else.
 */
import type { StepActionName, StepInverse } from './types.js';

/** The drafts of a reversible action's steps accept only an undo made from its own entry. */
declare const undoOfAction: unique symbol;

interface UndoEntry {
  /** The action that undoes it, as the runbook names it: `(node.restore)`. */
  readonly inverse: StepActionName;
  readonly describe: (facts: never) => string;
}

export const UNDO = {
  'node.drain': {
    inverse: 'node.restore',
    /**
     * `keeps`: found serving below a saved weight, which its tag keeps while it is put back.
     * `attachments`: a fleet plan's node, each attachment with its weight (`lb-1 default 50`).
     */
    describe: (facts: {
      label: string;
      weight: number;
      foundAtZero: boolean;
      keeps?: number;
      attachments?: string;
    }) =>
      facts.attachments !== undefined
        ? `restore ${facts.label} on each attachment to its recorded weight (${facts.attachments})`
        : facts.foundAtZero
          ? `leave ${facts.label} at weight 0, as found (it goes back to ${facts.weight} only after the proof below)`
          : `restore ${facts.label} to its recorded weight (${facts.weight})${facts.keeps === undefined ? '' : `, as found; the tag keeps ${facts.keeps}`}`,
  },
  'node.restore': {
    inverse: 'node.drain',
    /**
     * `broughtInFrom`: a ramp into service before the rollout, from this weight. `release`: the
     * command that then makes the server let the connections open to it go.
     */
    describe: (facts: {
      label: string;
      broughtInFrom?: number;
      release?: string;
      /** A fleet plan's node: weight 0 on each of this many attachments. */
      attachments?: number;
    }) =>
      facts.broughtInFrom === undefined
        ? `set ${facts.label} back to weight 0${facts.attachments === undefined ? '' : ` on each of its ${facts.attachments} attachment(s)`}${facts.release === undefined ? '' : `, then run \`${facts.release}\` on it so the connections open to it go`}`
        : facts.broughtInFrom === 0
          ? `set ${facts.label} back to weight 0 (out of service)`
          : `set ${facts.label} back to weight ${facts.broughtInFrom}, where its ramp into service began`,
  },
  'node.nginx-upgrade': {
    inverse: 'node.nginx-upgrade',
    /** `signalled`: a second master may run (after USR2), so the way back signals both. */
    describe: (facts: { label: string; binary: string; signalled: boolean }) =>
      facts.signalled
        ? `the way back on ${facts.label}: ${facts.binary}.drainctl-old back as ${facts.binary}, HUP to the old master (its workers start again), QUIT to the new one`
        : `put ${facts.binary}.drainctl-old back as ${facts.binary} on ${facts.label}`,
  },
  'node.patch': {
    inverse: 'node.rollback-patch',
    /** `commands`: the workflow's rollback, `{previous}` standing for what was recorded. */
    describe: (facts: {
      label: string;
      kind: 'kernel' | 'packages' | 'custom';
      commands: string[];
    }) =>
      `if ${facts.label} then fails its health checks, its verify or its ramp: ${
        facts.kind === 'kernel'
          ? 'make the kernel it ran before the patch its default boot entry again'
          : facts.kind === 'packages'
            ? 'roll its package transactions back to the last one before the patch'
            : `run ${facts.commands.map((c) => `\`${c}\``).join(', then ')} on it`
      }, reboot it, prove it healthy and running its old version, ramp it back in, and halt (the steps "If ${facts.label}'s patch is rolled back")`,
  },
  'dns.set-ttl': {
    inverse: 'dns.set-ttl',
    describe: (facts: { name: string; ttl: number }) =>
      `set the TTL of ${facts.name} back to ${facts.ttl} s`,
  },
  'dns.point': {
    inverse: 'dns.point',
    /** Without `value` the step changed only the TTL. */
    describe: (facts: { name: string; ttl: number; value?: string }) =>
      facts.value === undefined
        ? `set the TTL of ${facts.name} back to ${facts.ttl} s`
        : `point ${facts.name} back at ${facts.value} (TTL ${facts.ttl} s)`,
  },
} as const satisfies { readonly [A in StepActionName]?: UndoEntry };

/** The plan actions that can be undone: the keys of `UNDO`. */
export type ReversibleAction = keyof typeof UNDO;

/** What a step of action `A` tells its undo's description. */
export type UndoFacts<A extends ReversibleAction> = Parameters<(typeof UNDO)[A]['describe']>[0];

/** The undo of a step of action `A`, made from its entry (the brand exists only for the compiler). */
export type Undo<A extends ReversibleAction> = Extract<StepInverse, { kind: 'inverse' }> & {
  readonly [undoOfAction]: A;
};

export function undoOf<A extends ReversibleAction>(action: A, facts: UndoFacts<A>): Undo<A> {
  const entry: UndoEntry = UNDO[action];
  return {
    kind: 'inverse',
    action: entry.inverse,
    description: entry.describe(facts as never),
  } as Undo<A>;
}

/** The runbook's text after `undo:`, which the engine also journals with a compensation. */
export function undoLine(inverse: StepInverse): string {
  if (inverse.kind === 'none') return 'nothing to undo (read-only)';
  if (inverse.kind === 'irreversible') return `none — ${inverse.reason}`;
  return `${inverse.description} (${inverse.action})`;
}
