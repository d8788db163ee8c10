/**
 * A Windows instance in the topology: its OS build (`CurrentBuild.UBR`), the hotfixes installed,
 * and the update the emulated Windows Update offers (the KBs it installs and the build it boots
 * into). Pure data; no I/O.
 */
import { z } from 'zod';

export const DEFAULT_WINDOWS_OS_NAME = 'Windows Server 2022 Datacenter 64bit';
const kb = z.string().regex(/^KB\d{6,8}$/, 'a KB article id like KB5040437');
const build = z.string().regex(/^\d+\.\d+$/, 'CurrentBuild.UBR, like 20348.2582');

export const windowsSchema = z
  .object({
    osName: z.string().min(1).default(DEFAULT_WINDOWS_OS_NAME),
    build: build.default('20348.2527'),
    hotfixes: z.array(kb).default(['KB5039227']),
    /** What installing the offered update adds; its KBs are listed once it has booted. */
    update: z
      .object({ build: build.default('20348.2582'), kbs: z.array(kb).default(['KB5040437']) })
      .strict()
      .default({ build: '20348.2582', kbs: ['KB5040437'] }),
    /** The Windows service that is the app (`Get-Service`): Running while the app serves. */
    service: z.string().min(1).default('W3SVC'),
  })
  .strict();

export type WindowsTopology = z.output<typeof windowsSchema>;
