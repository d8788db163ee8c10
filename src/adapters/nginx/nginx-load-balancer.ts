/**
 * The LoadBalancer port on one nginx `upstream`, kept the same on every nginx host in front of
 * the run's servers. A backend's weight is its `server` line: 0 is `down`, the original weight
 * puts the original line back byte for byte, another weight is `weight=`. Each change is
 * written on every host, checked with `nginx -t` on every host, and only then reloaded
 * everywhere; a reload counts once every host runs workers started after it.
 *
 * Each host's file is read before each change and must be the file drainctl last saw: a file
 * changed by someone else in between is never overwritten. The file's first content and its
 * checksum are handed to `onChange` before anything is written (the run journals them), and a
 * resumed run hands them back as `baseline`.
 */
import { pollUntil } from '../../clock/poll-until.js';
import { DrainctlError, ExitCode } from '../../errors/index.js';
import type {
  BackendHealth,
  BackendServer,
  BackendWeight,
  Clock,
  LoadBalancer,
} from '../../ports/index.js';
import { type SelfRunTagStore, selfRunLoadBalancer } from '../self-run-balancer.js';
import {
  type NginxCommandOptions,
  type NginxHost,
  type NginxWorker,
  readConfig,
  reload,
  sha256Of,
  testConfig,
  workers,
  writeConfig,
} from './nginx-host-commands.js';
import { upstreamServer, withServerWeight } from './upstream-config.js';

/** What a run journals before drainctl writes an nginx host's configuration file. */
export interface NginxFileChange {
  host: string;
  file: string;
  /** The file before drainctl's first change in this run, and its SHA-256. */
  original: string;
  originalSha256: string;
  /** The file now (what must still be there when drainctl writes) and what drainctl writes. */
  beforeSha256: string;
  afterSha256: string;
}

/**
 * What drainctl knows of one host's file. A resumed run builds it from its journal: after a
 * change journaled without its result, the file may hold either side of it (`expectedSha256`
 * both), and nginx may or may not run it (`reloadPending`: reload whatever the next change).
 */
export interface NginxFileBaseline {
  original: string;
  /** What the file may hold now: what drainctl last read or wrote. Anything else is someone else's. */
  expectedSha256: string[];
  /** nginx may not run what the file says: reload on the next change even if it writes nothing. */
  reloadPending?: boolean;
}

export interface NginxLoadBalancerOptions extends NginxCommandOptions {
  /** The name the run knows this balancer by (the plan's load balancer id). */
  id: string;
  upstream: string;
  hosts: NginxHost[];
  /** Run's server id → the address of its `server` line, exactly as written (`10.0.0.5:8080`). */
  servers: Record<string, string>;
  clock: Clock;
  /** How long the new workers may take to appear after `nginx -s reload`. */
  reloadTimeoutMs: number;
  onChange?: (change: NginxFileChange) => Promise<void> | void;
  /**
   * Told once nginx on a host runs what its file says (`sha256`), after a reload drainctl
   * confirmed: what a resumed run needs to know of that host is then only `original`.
   */
  onSettled?: (settled: { host: string; file: string; sha256: string }) => Promise<void> | void;
  baseline?: Record<string, NginxFileBaseline>;
  /** Where the run's lock and saved weights are kept (nginx has no tags). */
  tags?: SelfRunTagStore;
  /**
   * The health of a server at `address` (as its line writes it). nginx (open source) keeps no
   * health view it would tell; without this, every server is `unavailable` (not checked).
   */
  serverHealth?: (address: string) => Promise<BackendHealth>;
}

function notSupported(what: string): never {
  const how = what === 'backends to add' ? ' (add the server line to the file)' : '';
  throw new DrainctlError('NOT_SUPPORTED', `an nginx upstream has no ${what}${how}`, {
    hint: 'drainctl changes the weights of the servers already in the upstream; listeners, tags and balancers are the nginx configuration itself',
  });
}

export function createNginxLoadBalancer(options: NginxLoadBalancerOptions): LoadBalancer {
  const known = new Map<string, NginxFileBaseline>(Object.entries(options.baseline ?? {}));
  const file = options.configFile;

  const checkId = (id: string) => {
    if (id !== options.id) {
      throw new DrainctlError('LOAD_BALANCER_NOT_FOUND', `no nginx upstream group ${id}`);
    }
  };

  /** The file as it is now, refused when someone else changed it since drainctl last saw it. */
  const current = async (target: NginxHost) => {
    const read = await readConfig(target, options);
    const seen = known.get(target.name);
    if (seen?.reloadPending === true && seen.expectedSha256.includes(read.sha256)) {
      // A change was cut short between writing and reloading (a kill -9): whichever side of it
      // the file holds, nginx runs it once this returns, so what the file says is what serves.
      await settle(target, read.sha256);
    } else if (seen === undefined) {
      known.set(target.name, { original: read.content, expectedSha256: [read.sha256] });
    } else if (!seen.expectedSha256.includes(read.sha256)) {
      throw new DrainctlError(
        'NGINX_CONFIG_CHANGED',
        `${file} on ${target.name} was changed by someone else since drainctl last read or wrote it (sha256 ${read.sha256}, expected ${seen.expectedSha256.join(' or ')}); drainctl does not overwrite it`,
        {
          exitCode: ExitCode.halted,
          hint: `compare ${file} on ${target.name} with what drainctl journaled, settle it by hand, then resume`,
        },
      );
    }
    return read;
  };

  const backends = (text: string): BackendServer[] =>
    Object.entries(options.servers).map(([serverId, address]) => {
      const line = upstreamServer(text, options.upstream, address, file);
      const colon = address.lastIndexOf(':');
      return {
        serverId,
        weight: line.down ? 0 : line.weight,
        type: 'nginx',
        serverIp: colon < 0 ? address : address.slice(0, colon),
        ...(colon < 0 ? {} : { port: Number(address.slice(colon + 1)) }),
        description: line.text,
      };
    });

  const listBackends = async (id: string) => {
    checkId(id);
    const [first] = options.hosts;
    if (first === undefined) return [];
    return backends((await current(first)).content);
  };

  const confirmReloaded = async (target: NginxHost, before: NginxWorker[]) => {
    const old = new Set(before.map((w) => w.pid));
    const serving = (list: NginxWorker[]) =>
      list.filter((w) => /worker process/.test(w.title) && !/shutting down/.test(w.title));
    const confirmed = await pollUntil(
      options.clock,
      { intervalMs: 100, timeoutMs: options.reloadTimeoutMs },
      async () => {
        const now = serving(await workers(target, options));
        return now.length > 0 && now.every((w) => !old.has(w.pid)) ? true : undefined;
      },
    );
    if (confirmed === undefined) {
      throw new DrainctlError(
        'NGINX_RELOAD_UNCONFIRMED',
        `nginx on ${target.name} still runs workers from before the reload after ${options.reloadTimeoutMs / 1000} s`,
        { exitCode: ExitCode.halted, hint: `check nginx's error log on ${target.name}` },
      );
    }
  };

  /** `nginx -t`, reload and confirm on one host: nginx then runs the file (`sha256`). */
  const settle = async (target: NginxHost, sha256: string) => {
    const refused = await testConfig(target, options);
    if (refused !== undefined) {
      throw new DrainctlError(
        'NGINX_CONFIG_INVALID',
        `nginx -t on ${target.name} refused ${file}, so nginx was not reloaded: ${refused}`,
        { exitCode: ExitCode.halted, hint: `fix ${file} on ${target.name}, then resume` },
      );
    }
    const before = await workers(target, options);
    await reload(target, options);
    await confirmReloaded(target, before);
    const seen = known.get(target.name) as NginxFileBaseline;
    known.set(target.name, { ...seen, expectedSha256: [sha256], reloadPending: false });
    await options.onSettled?.({ host: target.name, file, sha256 });
  };

  const setBackendWeights = async (id: string, weights: BackendWeight[]) => {
    checkId(id);
    const planned: Array<{ target: NginxHost; before: string; after: string }> = [];
    for (const target of options.hosts) {
      const read = await current(target);
      const seen = known.get(target.name) as NginxFileBaseline;
      let after = read.content;
      for (const { serverId, weight } of weights) {
        const address = options.servers[serverId];
        if (address === undefined) {
          throw new DrainctlError(
            'BACKEND_NOT_ATTACHED',
            `${serverId} is not mapped to a server of upstream ${options.upstream}`,
          );
        }
        after = withServerWeight(after, seen.original, options.upstream, address, weight, file);
      }
      if (after !== read.content || seen.reloadPending === true) {
        planned.push({ target, before: read.content, after });
      }
    }
    if (planned.length === 0) return;
    for (const { target, before, after } of planned) {
      const seen = known.get(target.name) as NginxFileBaseline;
      await options.onChange?.({
        host: target.name,
        file,
        original: seen.original,
        originalSha256: sha256Of(seen.original),
        beforeSha256: sha256Of(before),
        afterSha256: sha256Of(after),
      });
    }
    // Every host gets the new file and passes `nginx -t` before any reloads: a change that one
    // host refuses leaves every host serving, and holding, what it had.
    const written: typeof planned = [];
    try {
      for (const change of planned) {
        if (change.after !== change.before) {
          await writeConfig(change.target, options, change.after);
          written.push(change);
        }
        const refused = await testConfig(change.target, options);
        if (refused !== undefined) {
          throw new DrainctlError(
            'NGINX_CONFIG_INVALID',
            `nginx -t on ${change.target.name} refused the changed ${file}, so nginx was not reloaded: ${refused}`,
            { exitCode: ExitCode.halted, hint: `${file} was put back as it was` },
          );
        }
      }
    } catch (error) {
      for (const change of written) await writeConfig(change.target, options, change.before);
      throw error;
    }
    for (const { target, after } of planned) {
      const seen = known.get(target.name) as NginxFileBaseline;
      known.set(target.name, { ...seen, expectedSha256: [sha256Of(after)], reloadPending: true });
    }
    for (const { target, after } of planned) {
      const before = await workers(target, options);
      await reload(target, options);
      await confirmReloaded(target, before);
      const seen = known.get(target.name) as NginxFileBaseline;
      known.set(target.name, { ...seen, reloadPending: false });
      await options.onSettled?.({ host: target.name, file, sha256: sha256Of(after) });
    }
  };

  return selfRunLoadBalancer({
    name: options.upstream,
    address: options.hosts.map((h) => h.name).join(', '),
    listBackends,
    setBackendWeights,
    /** nginx (open source) keeps no health view of its own: the one `serverHealth` gives. */
    healthStatus: async (id: string) => {
      const list = await listBackends(id);
      return Promise.all(
        list.map(async (b) => ({
          serverId: b.serverId,
          ...(b.serverIp === undefined ? {} : { serverIp: b.serverIp }),
          port: b.port ?? 0,
          listenerPort: 0,
          protocol: 'http' as const,
          health:
            options.serverHealth === undefined
              ? ('unavailable' as const)
              : await options.serverHealth(options.servers[b.serverId] as string),
        })),
      );
    },
    notSupported,
    ...(options.tags === undefined ? {} : { tags: options.tags }),
  });
}
