/**
 * nginx's binary hot upgrade, one step at a time, on a machine reached through the Host port.
 * Each step reads the two pid files first, so a step taken again after a crash continues from
 * what nginx shows rather than signalling twice.
 */
import type { Host } from './host.js';

/** The steps in order; `new-master` and the checks inside `winch` only look. */
export type NginxUpgradeStepName = 'install' | 'usr2' | 'new-master' | 'winch' | 'quit-old';

export interface NginxUpgradeSettings {
  /** The binary nginx runs, replaced in place (its previous content kept beside it). */
  binary: string;
  /** The new binary, already on the machine. */
  newBinary: string;
  /** The master's pid file; nginx keeps the old master's in `<pidFile>.oldbin` meanwhile. */
  pidFile: string;
  /** Must answer (a status below 400) with both masters, and from the new workers alone. */
  url: string;
  /** How long the new master may take to run its workers, the old workers to leave, the old master to exit. */
  stepTimeoutSeconds: number;
}

export interface NginxUpgradeTarget {
  host: Host;
  /** The instance id the Host knows the machine by. */
  instanceId: string;
  /** For messages: `local`, `ssh:deploy@lb1:22`. */
  name: string;
}

/** The pids in the pid file and in its `.oldbin` sibling, 0 when absent or not running. */
export interface NginxMasters {
  current: number;
  old: number;
}

export interface NginxUpgrade {
  masters(target: NginxUpgradeTarget, settings: NginxUpgradeSettings): Promise<NginxMasters>;
  /** Takes one step; resolves with what it did, rejects (NGINX_UPGRADE_FAILED) with why not. */
  step(
    target: NginxUpgradeTarget,
    step: NginxUpgradeStepName,
    settings: NginxUpgradeSettings,
  ): Promise<string>;
  /** The way back: the old binary in place, HUP to the old master, QUIT to the new one. */
  wayBack(target: NginxUpgradeTarget, settings: NginxUpgradeSettings): Promise<string>;
}
