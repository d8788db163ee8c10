/**
 * The emulator's entry point (`drainctl emulator`): the local Alibaba Cloud emulator of mocks/,
 * started on loopback with its default world or a topology file read like a workflow. Its
 * failures in drainctl's terms: a bad topology is invalid input, a missing loopback alias an
 * error with the fix as its hint.
 */
import type { Emulator, RateLimitTable } from '../../mocks/index.js';
import { DrainctlError, InvalidInputError } from '../errors/index.js';

export type { Emulator };

export interface EmulatorOptions {
  /** 0 picks a free port. */
  port: number;
  /** A YAML topology (instances, domains) instead of the default world. */
  topologyFile?: string;
  /** Where access logs and state go (an absolute path). */
  stateDir: string;
  /**
   * Per-action API quotas the emulator enforces: `documented` (drainctl's defaults, the
   * documented quotas) or `Action=CALLS/SECONDS,…`; none when absent.
   */
  rateLimits?: string;
}

/** @example const emulator = await startLocalEmulator({ port: 0, stateDir: '/tmp/emu' }); */
export async function startLocalEmulator(options: EmulatorOptions): Promise<Emulator> {
  // The emulator is loaded when one starts, not by every command that imports the app.
  const { LoopbackAddressError, parseRateLimits, startEmulator, TopologyError } = await import(
    '../../mocks/index.js'
  );
  let rateLimits: RateLimitTable | undefined;
  try {
    rateLimits =
      options.rateLimits === undefined
        ? undefined
        : options.rateLimits === 'documented'
          ? await (await import('./composition-root.js')).documentedRateLimits()
          : parseRateLimits(options.rateLimits);
  } catch (error) {
    throw new InvalidInputError(`--rate-limits: ${(error as Error).message}`, {
      path: '--rate-limits',
      expected: 'documented, or Action=CALLS/SECONDS separated by commas',
      found: options.rateLimits ?? '',
      cause: error,
    });
  }
  try {
    return await startEmulator({
      ...(rateLimits === undefined ? {} : { rateLimits }),
      port: options.port,
      topology:
        options.topologyFile === undefined
          ? undefined
          : await (await import('./topology-file.js')).loadTopologyFile(options.topologyFile),
      stateDir: options.stateDir,
    });
  } catch (error) {
    if (error instanceof TopologyError) {
      throw new InvalidInputError(error.message, { file: options.topologyFile, cause: error });
    }
    if (error instanceof LoopbackAddressError) {
      throw new DrainctlError(error.code, error.message, {
        cause: error,
        hint: 'add the loopback aliases shown above, or run on Linux',
      });
    }
    throw error;
  }
}

/** The mock chat receivers `drainctl emulator` starts beside the cloud: URL per platform. */
export interface ExampleReceivers {
  urls: Record<'dingtalk' | 'feishu' | 'wecom' | 'slack' | 'webhook', string>;
  close(): Promise<void>;
}

/**
 * The five mock receivers on `basePort`…`basePort + 4` (dingtalk, feishu, wecom, slack,
 * webhook; 0: free ports), with the example token and signing secret of `.env.example`, so serve.example.yaml's
 * notification targets reach them.
 */
export async function startExampleReceivers(basePort: number): Promise<ExampleReceivers> {
  const { startReceivers } = await import('../../mocks/receivers/index.js');
  const receivers = await startReceivers(basePort === 0 ? {} : { basePort }).catch(
    (error: unknown) => {
      throw new DrainctlError(
        'RECEIVER_PORT_BUSY',
        `the mock receivers could not listen on ports ${basePort}–${basePort + 4}: ${(error as Error).message}`,
        { cause: error, hint: 'pick other ports with --receivers-port, or --no-receivers' },
      );
    },
  );
  const { byType } = receivers;
  return {
    urls: {
      dingtalk: byType.dingtalk.url,
      feishu: byType.feishu.url,
      wecom: byType.wecom.url,
      slack: byType.slack.url,
      webhook: byType.webhook.url,
    },
    close: () => receivers.close(),
  };
}
