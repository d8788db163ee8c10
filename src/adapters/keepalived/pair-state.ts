/**
 * What one keepalived node is, read in one command: whether its keepalived runs (the pid in its
 * pid file is alive and not a zombie) and whether the VIP is on one of its interfaces. drainctl
 * judges the VRRP state from these two facts, which keepalived itself acts on: MASTER holds the
 * VIP, BACKUP runs without it.
 */
import { DrainctlError } from '../../errors/index.js';

export interface NodeState {
  running: boolean;
  holdsVip: boolean;
}

export type VrrpState = 'MASTER' | 'BACKUP' | 'STOPPED' | 'STOPPED WITH THE VIP';

export function vrrpState(state: NodeState): VrrpState {
  if (state.running) return state.holdsVip ? 'MASTER' : 'BACKUP';
  return state.holdsVip ? 'STOPPED WITH THE VIP' : 'STOPPED';
}

/** `running`/`stopped` then `vip`/`novip`, one per line. */
export function nodeStateScript(pidFile: string, vip: string): string {
  const pid = `$(cat '${pidFile}' 2>/dev/null)`;
  return [
    `pid=${pid}`,
    `if [ -n "$pid" ] && [ -r "/proc/$pid/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status"; then echo running; else echo stopped; fi`,
    `if ip -o -4 addr show | grep -q ' inet ${vip}/'; then echo vip; else echo novip; fi`,
  ].join('\n');
}

export function parseNodeState(where: string, output: string): NodeState {
  const lines = output.trim().split('\n');
  const [run, vip] = [lines.at(-2)?.trim(), lines.at(-1)?.trim()];
  if (!(run === 'running' || run === 'stopped') || !(vip === 'vip' || vip === 'novip')) {
    throw new DrainctlError(
      'KEEPALIVED_STATE_UNREADABLE',
      `cannot tell the keepalived state of ${where}: ${JSON.stringify(output.slice(-200))}`,
      { hint: 'the node needs sh, cat, grep, ip (iproute2) and /proc' },
    );
  }
  return { running: run === 'running', holdsVip: vip === 'vip' };
}

/** Connections established to the VIP's port on the node, as `ss` counts them. */
export function openConnectionsScript(vip: string, port: number): string {
  return `ss -Htn state established '( src ${vip} and sport = :${port} )' | wc -l`;
}
