/**
 * drainctl as a package: `npm pack` (whose `prepare` builds dist/ from the sources as they are
 * now), the tarball unpacked into a fresh project as npm installs it, and then what a user of
 * the package does — run its bin, import it from plain JavaScript, type-check a TypeScript
 * script against the shipped declarations. The project's dependencies are links into this
 * repository's node_modules, so the test needs no network and no registry metadata.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '#mocks/index.js';
import { repoRoot, runDrainctl } from '#support/cli-runner.js';

const run = promisify(execFile);

let work: string;
let project: string;
let installed: string;
let packedFiles: string[];
let emu: Emulator;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'drainctl-package-'));
  const packed = await run('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: repoRoot,
    timeout: 240_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [tarball] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  packedFiles = tarball.files.map((file) => file.path);

  project = join(work, 'project');
  await mkdir(join(project, 'node_modules'), { recursive: true });
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({ name: 'patch-night', private: true, type: 'module' }),
  );
  await run('tar', ['-xzf', join(work, tarball.filename), '-C', join(project, 'node_modules')]);
  installed = join(project, 'node_modules', 'drainctl');
  await rename(join(project, 'node_modules', 'package'), installed);
  const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  // What npm would install next to it (and @types/node, which a TypeScript project has).
  for (const name of [...Object.keys(manifest.dependencies), '@types/node']) {
    const link = join(project, 'node_modules', name);
    await mkdir(dirname(link), { recursive: true });
    await symlink(join(repoRoot, 'node_modules', name), link, 'dir');
  }
  emu = await startEmulator({ port: 0, stateDir: join(work, 'emulator') });
}, 300_000);

afterAll(async () => {
  await emu?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

function emulatorEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NO_COLOR: '1',
    DRAINCTL_HOME: join(project, '.drainctl'),
    DRAINCTL_CLOUD_ENDPOINT: emu.endpoint,
    ALIBABA_CLOUD_ACCESS_KEY_ID: emu.credentials.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.credentials.accessKeySecret,
    ALIBABA_CLOUD_REGION_ID: emu.region,
    DRAINCTL_LOG_LEVEL: 'warn',
  };
}

describe('the packed package', () => {
  it('ships the build, the bin, the example workflows and the docs; no sources or tests', () => {
    for (const file of [
      'package.json',
      'README.md',
      'bin/drainctl.js',
      'dist/cli/main.js',
      'dist/index.js',
      'dist/types/src/index.d.ts',
      'workflows/demo.yaml',
      'workflows/kernel-patch.yaml',
      'docs/api.md',
    ]) {
      expect(packedFiles).toContain(file);
    }
    expect(packedFiles.filter((file) => /^(src|mocks|test|bench|scripts)\//.test(file))).toEqual(
      [],
    );
    expect(packedFiles).not.toContain('bin/drainctl-sources.js');
  });

  it('its bin prints the version, and stack traces name the TypeScript sources', async () => {
    const bin = join(installed, 'bin', 'drainctl.js');
    const version = await run(process.execPath, [bin, '--version'], { cwd: project });
    const { version: expected } = JSON.parse(
      await readFile(join(repoRoot, 'package.json'), 'utf8'),
    ) as { version: string };
    expect(version.stdout.trim()).toBe(expected);

    const failed = await run(process.execPath, [bin, '--verbose', 'plan', 'no-such.yaml'], {
      cwd: project,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed.code).toBe(3);
    const frames = failed.stderr.split('\n').filter((line) => /^\s+at /.test(line));
    // The error's own frame: the source file and line of the built code that threw it.
    expect(frames[0]).toMatch(/\/src\/app\/workflow-file\.ts:\d+:\d+\)$/);
    expect(frames.filter((frame) => /dist\/.*\.js:\d+/.test(frame))).toEqual([]);
  });

  it('plain JavaScript imports it and plans against the emulator, as the CLI does', async () => {
    const workflow = join(repoRoot, 'workflows', 'kernel-patch.yaml');
    await writeFile(
      join(project, 'plan.mjs'),
      `import { DrainctlError, plan, status } from 'drainctl';
const planned = await plan(process.argv[2]);
const refused = await status().then(
  () => 'a run was found',
  (error) => (error instanceof DrainctlError ? error.code : String(error)),
);
console.log(JSON.stringify({ sha256: planned.sha256, steps: planned.steps.length, refused }));
`,
    );
    const fromPackage = await run(process.execPath, ['plan.mjs', workflow], {
      cwd: project,
      env: emulatorEnv(),
      timeout: 60_000,
    });
    const result = JSON.parse(fromPackage.stdout) as {
      sha256: string;
      steps: number;
      refused: string;
    };
    expect(result.refused).toBe('NO_RUNS');

    const fromSources = await runDrainctl(['plan', workflow, '--json'], {
      cwd: project,
      env: emulatorEnv(),
      timeoutMs: 60_000,
    });
    expect(fromSources.code, fromSources.stderr).toBe(0);
    const planned = JSON.parse(fromSources.stdout) as { sha256: string; steps: unknown[] };
    expect(result).toMatchObject({ sha256: planned.sha256, steps: planned.steps.length });
  });

  // tsc reads every declaration the package and its dependencies ship (the ECS SDK's alone are
  // 0.8 MB): on a loaded two-core machine that took longer than the default 30 s once.
  it('a TypeScript script type-checks against the shipped declarations', {
    timeout: 120_000,
  }, async () => {
    await writeFile(
      join(project, 'patch-night.ts'),
      `import { DrainctlError, type Plan, plan, type RunResult, run } from 'drainctl';

export async function patchNight(file: string): Promise<number> {
  const planned: Plan = await plan(file, { leaveAtZero: ['i-1'] });
  const result: RunResult = await run(planned, { planSha256: planned.sha256 });
  for (const node of result.report.leftOut) console.error(node.name, node.reason);
  return result.exitCode;
}

export function codeOf(error: unknown): string | undefined {
  return error instanceof DrainctlError ? error.code : undefined;
}

// @ts-expect-error: a plan is made from a workflow file's name
void plan(42);
`,
    );
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          types: ['node'],
        },
        files: ['patch-night.ts'],
      }),
    );
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const checked = await run(process.execPath, [tsc, '-p', project], {
      cwd: project,
      timeout: 120_000,
    }).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );
    expect(checked).toBe('');
  });
});
