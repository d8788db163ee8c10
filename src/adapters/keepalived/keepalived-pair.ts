/**
 * The LoadBalancer port on a keepalived (VRRP) active/standby pair: the two nodes are the run's
 * two servers and the VIP is what moves. A node in the pair (keepalived running) has weight 1;
 * weight 0 is keepalived stopped there. Stopping keepalived on the MASTER is how the VIP leaves
 * it: keepalived gives the VIP up and sends a priority-0 advertisement, so the BACKUP takes over
 * at once rather than after the master-down interval. Before every read and change the pair must
 * have exactly one VIP holder: a split brain or no holder stops the run, naming the nodes.
 */
import { pollUntil } from '../../clock/poll-until.js';
import { DrainctlError, ExitCode } from '../../errors/index.js';
import type { BackendServer, BackendWeight, Clock, LoadBalancer } from '../../ports/index.js';
import { type SelfRunTagStore, selfRunLoadBalancer } from '../self-run-balancer.js';
import {
  type NodeState,
  nodeStateScript,
  openConnectionsScript,
  parseNodeState,
  vrrpState,
} from './pair-state.js';

export interface KeepalivedNode {
  /** The run's server id (an instance id). */
  serverId: string;
  /** For messages: `i-bp1ka1 (local, netns ka1)`. */
  where: string;
  /** Runs a shell script where keepalived runs (its host, inside its namespace). */
  run(script: string): Promise<{ exitCode: number | null; output: string }>;
  pidFile: string;
  /** Starts keepalived again (it must go to the background). */
  start: string;
}

export interface KeepalivedPairOptions {
  id: string;
  vip: string;
  port: number;
  nodes: [KeepalivedNode, KeepalivedNode];
  clock: Clock;
  /** Wait for the VIP to come back to the node that held it before its drain. */
  moveBack: boolean;
  /** Longest wait for no connection open to the VIP before it moves. */
  quietMs: number;
  moveTimeoutMs: number;
  /** Whether the VIP takes a TCP connection at `port`, from where drainctl runs. */
  answers(vip: string, port: number): Promise<boolean>;
  /** The run's lock and saved weights, and which node held the VIP before its drain. */
  tags?: SelfRunTagStore;
}

/** How long a pair may look wrong while VRRP settles an election before drainctl calls it so. */
const SETTLE_MS = 3000;
const POLL_MS = 100;

/** The tag that remembers a node held the VIP when it was drained (for `moveBack`). */
export function heldVipTag(serverId: string): string {
  return `drainctl-keepalived-held-${serverId}`;
}

function notSupported(what: string): never {
  throw new DrainctlError('NOT_SUPPORTED', `a keepalived pair has no ${what} drainctl changes`, {
    hint: 'drainctl moves the VIP between the two nodes by stopping and starting keepalived',
  });
}

export function createKeepalivedPair(options: KeepalivedPairOptions): LoadBalancer {
  const { vip, port, nodes, clock } = options;
  const checkId = (id: string) => {
    if (id !== options.id) {
      throw new DrainctlError('LOAD_BALANCER_NOT_FOUND', `no keepalived pair ${id}`);
    }
  };
  const nodeOf = (serverId: string) => {
    const node = nodes.find((n) => n.serverId === serverId);
    if (node === undefined) {
      throw new DrainctlError(
        'BACKEND_NOT_ATTACHED',
        `${serverId} is not a node of the keepalived pair holding ${vip}`,
      );
    }
    return node;
  };
  const other = (node: KeepalivedNode) => nodes.find((n) => n !== node) as KeepalivedNode;

  const readNode = async (node: KeepalivedNode): Promise<NodeState> => {
    const result = await node.run(nodeStateScript(node.pidFile, vip));
    return parseNodeState(node.where, result.output);
  };
  const readPair = async () => {
    const states = await Promise.all(nodes.map(readNode));
    return nodes.map((node, i) => ({ node, state: states[i] as NodeState }));
  };
  const describePair = (pair: Awaited<ReturnType<typeof readPair>>) =>
    pair.map(({ node, state }) => `${node.serverId} ${vrrpState(state)}`).join(', ');

  /** Exactly one VIP holder, allowing VRRP a moment to finish an election it is in. */
  const checkedPair = async () => {
    let pair = await readPair();
    const holders = () => pair.filter(({ state }) => state.holdsVip).length;
    if (holders() !== 1) {
      await pollUntil(clock, { intervalMs: POLL_MS * 5, timeoutMs: SETTLE_MS }, async () => {
        pair = await readPair();
        return holders() === 1 ? true : undefined;
      });
    }
    const count = holders();
    if (count === 2) {
      throw new DrainctlError(
        'KEEPALIVED_SPLIT_BRAIN',
        `split brain: both nodes hold the VIP ${vip} (${describePair(pair)}); drainctl changes nothing`,
        {
          exitCode: ExitCode.halted,
          hint: 'the nodes do not hear each other’s VRRP advertisements: mend the link or the firewall (protocol 112) first',
        },
      );
    }
    if (count === 0) {
      throw new DrainctlError(
        'KEEPALIVED_NO_VIP_HOLDER',
        `no node holds the VIP ${vip} (${describePair(pair)}); drainctl changes nothing`,
        {
          exitCode: ExitCode.halted,
          hint: 'start keepalived on a node, or find why it gave the VIP up',
        },
      );
    }
    return pair;
  };

  const waitFor = async (what: string, ready: () => Promise<boolean>) => {
    const done = await pollUntil(
      clock,
      { intervalMs: POLL_MS, timeoutMs: options.moveTimeoutMs },
      async () => ((await ready()) ? true : undefined),
    );
    if (done === undefined) {
      throw new DrainctlError(
        'KEEPALIVED_MOVE_FAILED',
        `${what} within ${options.moveTimeoutMs / 1000}s (${describePair(await readPair())})`,
        { exitCode: ExitCode.halted },
      );
    }
  };

  /** Until no connection to the VIP is open on the holder, or `quietMs` has passed. */
  const quietMoment = async (node: KeepalivedNode) => {
    await pollUntil(clock, { intervalMs: POLL_MS, timeoutMs: options.quietMs }, async () => {
      const result = await node.run(openConnectionsScript(vip, port));
      return result.exitCode === 0 && Number(result.output.trim()) === 0 ? true : undefined;
    });
  };

  const stop = async (node: KeepalivedNode) => {
    const pair = await checkedPair();
    const mine = pair.find((entry) => entry.node === node)?.state as NodeState;
    if (!mine.running) return;
    const standby = other(node);
    if (!mine.holdsVip) {
      // A note left by a run whose return of the VIP was never confirmed (killed while keepalived
      // started, then resumed) must not make this node's next return wait for the VIP.
      await options.tags?.update((tags) => {
        delete tags[heldVipTag(node.serverId)];
      });
    }
    if (mine.holdsVip) {
      const theirs = pair.find((entry) => entry.node === standby)?.state as NodeState;
      if (!theirs.running) {
        throw new DrainctlError(
          'KEEPALIVED_NO_STANDBY',
          `${node.serverId} holds the VIP ${vip} and keepalived does not run on ${standby.serverId}: nobody would take it`,
          { exitCode: ExitCode.halted },
        );
      }
      await options.tags?.update((tags) => {
        tags[heldVipTag(node.serverId)] = vip;
      });
      await quietMoment(node);
    }
    await node.run(`kill -TERM "$(cat '${node.pidFile}')"`);
    await waitFor(
      `keepalived on ${node.serverId} did not stop and leave ${vip} to ${standby.serverId}`,
      async () => {
        const [gone, taken] = await Promise.all([readNode(node), readNode(standby)]);
        return !gone.running && !gone.holdsVip && taken.holdsVip;
      },
    );
    await waitFor(`${vip}:${port} did not answer on ${standby.serverId}`, () =>
      options.answers(vip, port),
    );
  };

  const start = async (node: KeepalivedNode) => {
    const mine = await readNode(node);
    if (!mine.running) {
      const result = await node.run(node.start);
      if (result.exitCode !== 0) {
        throw new DrainctlError(
          'KEEPALIVED_START_FAILED',
          `\`${node.start}\` on ${node.where} exited ${result.exitCode}: ${result.output.trim().slice(-300)}`,
          { exitCode: ExitCode.halted },
        );
      }
    }
    await waitFor(
      `keepalived on ${node.serverId} did not start`,
      async () => (await readNode(node)).running,
    );
    const tag = heldVipTag(node.serverId);
    const held = options.tags === undefined ? undefined : (await options.tags.read())[tag];
    if (options.moveBack && held !== undefined) {
      await waitFor(
        `the VIP ${vip} did not come back to ${node.serverId} (moveBack needs preempt and the higher priority there)`,
        async () => {
          const [back, left] = await Promise.all([readNode(node), readNode(other(node))]);
          return back.holdsVip && !left.holdsVip;
        },
      );
      await waitFor(`${vip}:${port} did not answer on ${node.serverId}`, () =>
        options.answers(vip, port),
      );
    } else {
      await checkedPair();
    }
    if (held !== undefined) {
      await options.tags?.update((tags) => {
        delete tags[tag];
      });
    }
  };

  const listBackends = async (id: string): Promise<BackendServer[]> => {
    checkId(id);
    return (await checkedPair()).map(({ node, state }) => ({
      serverId: node.serverId,
      weight: state.running ? 1 : 0,
      type: 'keepalived',
      description: `${node.where}: ${vrrpState(state)}`,
    }));
  };

  const setBackendWeights = async (id: string, weights: BackendWeight[]) => {
    checkId(id);
    // Every server is named before any is changed: one unknown server changes nothing.
    const named = weights.map(({ serverId, weight }) => ({ node: nodeOf(serverId), weight }));
    for (const { node, weight } of named) {
      if (weight === 0) await stop(node);
      else await start(node);
    }
  };

  return selfRunLoadBalancer({
    name: `keepalived ${vip}`,
    address: vip,
    listBackends,
    setBackendWeights,
    /**
     * A node is healthy while its keepalived runs (it can take the VIP); a stopped one is not
     * judged, as HAProxy's maint: drainctl stopped it, and the run's health checks judge it.
     */
    healthStatus: async (id: string) => {
      checkId(id);
      return (await readPair()).map(({ node, state }) => ({
        serverId: node.serverId,
        port,
        listenerPort: port,
        protocol: 'tcp' as const,
        health: state.running ? ('normal' as const) : ('unavailable' as const),
      }));
    },
    notSupported,
    ...(options.tags === undefined ? {} : { tags: options.tags }),
  });
}
