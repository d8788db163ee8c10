/**
 * The Host port's contract: what the engine may rely on, whichever implementation it talks to
 * (ECS Cloud Assistant on the emulator, SSH, the local shell, the in-memory world). Cases an
 * implementation cannot pass go in `skip` with the reason.
 */
import { describe, expect, it } from 'vitest';
import { DrainctlError } from '#src/errors/index.js';
import type { Host } from '#src/ports/index.js';

export type HostCase =
  | 'describe'
  | 'find-by-tags'
  | 'command'
  | 'command-fails'
  | 'reboot'
  | 'not-running';

export interface HostSubject {
  host: Host;
  /** At least two running instances; the last one is rebooted by the suite. */
  instanceIds: string[];
  /** Tags every instance of `instanceIds` carries. */
  tags: Record<string, string>;
  /** How long a reboot takes here, at most. */
  rebootTimeoutMs: number;
}

export function hostContract(
  name: string,
  subject: () => HostSubject,
  skip: Partial<Record<HostCase, string>> = {},
): void {
  const test = (id: HostCase, title: string, body: () => Promise<void>) => {
    const reason = skip[id];
    if (reason === undefined) it(title, body);
    else it.skip(`${title} (skipped: ${reason})`, body);
  };

  describe(`Host contract: ${name}`, () => {
    test(
      'describe',
      'describe returns the running instances in order, and omits unknown ones',
      async () => {
        const { host, instanceIds } = subject();
        const found = await host.describe([...instanceIds, 'i-doesnotexist']);
        expect(found.map((i) => i.id)).toEqual(instanceIds);
        for (const instance of found) {
          expect(instance.status).toBe('Running');
          expect(instance.privateIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
          expect(instance.name).not.toBe('');
        }
        expect(await host.describe([])).toEqual([]);
      },
    );

    test('find-by-tags', 'findByTags returns instances carrying every tag', async () => {
      const { host, instanceIds, tags } = subject();
      const found = (await host.findByTags(tags)).map((i) => i.id);
      for (const id of instanceIds) expect(found).toContain(id);
      expect(await host.findByTags({ ...tags, 'drainctl-absent': 'x' })).toEqual([]);
    });

    test('command', 'runCommand returns exit code 0 and the decoded output', async () => {
      const { host, instanceIds } = subject();
      const result = await host.runCommand(instanceIds[0] ?? '', {
        script: 'uname -r',
        timeoutSeconds: 30,
        name: 'drainctl-contract',
      });
      expect(result.status).toBe('success');
      expect(result.exitCode).toBe(0);
      expect(result.output).toMatch(/\d+\.\d+/);
      expect(result.invocationId).toBeTruthy();
    });

    test(
      'command-fails',
      'a command that exits non-zero is failed with its exit code',
      async () => {
        const { host, instanceIds } = subject();
        const result = await host.runCommand(instanceIds[0] ?? '', {
          script: 'exit 3',
          timeoutSeconds: 30,
        });
        expect(result).toMatchObject({ status: 'failed', exitCode: 3 });
      },
    );

    test(
      'reboot',
      'reboot, then waitUntilRunning resolves once the instance runs again',
      async () => {
        const { host, instanceIds, rebootTimeoutMs } = subject();
        const id = instanceIds.at(-1) ?? '';
        await host.reboot(id);
        const info = await host.waitUntilRunning(id, { timeoutMs: rebootTimeoutMs });
        expect(info).toMatchObject({ id, status: 'Running' });
      },
    );

    test(
      'not-running',
      'waitUntilRunning rejects with HOST_NOT_RUNNING when the time is up',
      async () => {
        const { host, instanceIds, rebootTimeoutMs } = subject();
        const id = instanceIds.at(-1) ?? '';
        await host.reboot(id);
        const error = await host.waitUntilRunning(id, { timeoutMs: 1 }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DrainctlError);
        expect((error as DrainctlError).code).toBe('HOST_NOT_RUNNING');
        await host.waitUntilRunning(id, { timeoutMs: rebootTimeoutMs });
      },
    );
  });
}
