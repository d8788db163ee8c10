/**
 * A command loads only what it uses. `drainctl` runs from its sources (the other CLI tests run
 * its build) under a loader hook that records every file Node loads as an ES module, which includes
 * each package drainctl imports (the SDKs, ssh2, pino, zod) and each of its own modules. Plans
 * are made against the emulator, started in this process on port 0.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startChatPlatforms } from '#mocks/chat-platforms/index.js';
import { type Emulator, startEmulator } from '#mocks/index.js';
import { repoRoot, sourcesBinPath } from '#support/cli-runner.js';

const HOOKS = `
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(process.env.DRAINCTL_TEST_LOADED, url + '\\n');
  return next(url, context);
}`;
const RECORD_LOADS = `data:text/javascript,${encodeURIComponent(
  `import { register } from 'node:module'; register(${JSON.stringify(
    `data:text/javascript,${encodeURIComponent(HOOKS)}`,
  )});`,
)}`;

let scratch: string;
let emu: Emulator;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'drainctl-loading-'));
  emu = await startEmulator({ port: 0, stateDir: join(scratch, 'emulator') });
});
afterAll(async () => {
  await emu?.close();
  await rm(scratch, { recursive: true, force: true });
});

function commandEnv(record: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NO_COLOR: '1',
    DRAINCTL_TEST_LOADED: record,
    DRAINCTL_HOME: join(scratch, 'home'),
    DRAINCTL_CLOUD_ENDPOINT: emu.endpoint,
    ALIBABA_CLOUD_ACCESS_KEY_ID: emu.credentials.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.credentials.accessKeySecret,
    ALIBABA_CLOUD_REGION_ID: emu.region,
  };
}

/** The loaded files of the repository listed in `record`. */
async function loadedFiles(record: string): Promise<string[]> {
  const root = new URL(`file://${repoRoot}`).href;
  return (await readFile(record, 'utf8'))
    .split('\n')
    .filter((url) => url.startsWith(root))
    .map((url) => url.slice(root.length));
}

/**
 * What `drainctl serve` loaded by the time it listens (and, with `ready`, once that holds), then
 * stopped with SIGTERM; its stdout too.
 */
async function loadedByServe(
  name: string,
  yaml: string,
  env: Record<string, string>,
  ready: () => boolean = () => true,
): Promise<{ files: string[]; stdout: string; code: number | null }> {
  const record = join(scratch, `loaded-serve-${name}.txt`);
  const config = join(scratch, `serve-${name}.yaml`);
  await writeFile(record, '');
  await writeFile(config, yaml);
  const child = spawn(
    process.execPath,
    ['--import', RECORD_LOADS, sourcesBinPath, 'serve', '--config', config, '--port', '0'],
    { cwd: repoRoot, env: { ...commandEnv(record), ...env } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    await vi.waitUntil(
      () => {
        if (child.exitCode !== null) throw new Error(`serve exited: ${stderr}`);
        return stdout.includes('listening=') && ready();
      },
      { timeout: 60_000, interval: 50 },
    );
  } finally {
    child.kill('SIGTERM');
  }
  const code = await exited;
  return { files: await loadedFiles(record), stdout, code };
}

/** The files `drainctl …args` loaded (relative to the repository), and how it ended. */
async function loadedBy(
  args: string[],
): Promise<{ files: string[]; code: number; stderr: string }> {
  const record = join(scratch, `loaded-${args.join('-').replace(/[^a-z0-9-]/gi, '_')}.txt`);
  await writeFile(record, '');
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', RECORD_LOADS, sourcesBinPath, ...args],
      {
        cwd: repoRoot,
        env: commandEnv(record),
        timeout: 60_000,
      },
      (error, _stdout, stderr) =>
        resolve({ code: typeof error?.code === 'number' ? error.code : error ? -1 : 0, stderr }),
    );
  });
  return { files: await loadedFiles(record), code, stderr };
}

const loaded = (files: string[], pattern: RegExp) => files.filter((file) => pattern.test(file));

/** What --version and --help have no use for. */
const NOT_FOR_HELP =
  /^(src\/(cli\/commands|app\/(?!out-of-service)|workflow|plan\/index|adapters|probes|demo)\/|mocks\/|node_modules\/(pino|zod|yaml|ssh2|@alicloud)\/)/;

describe('what each command loads', () => {
  it.each([['--version'], ['--help']])(
    '%s loads no command, app, SDK, logger or emulator',
    async (flag) => {
      const { files, code } = await loadedBy([flag]);
      expect(code).toBe(0);
      expect(loaded(files, /^src\/cli\/program\.ts$/)).toHaveLength(1);
      expect(loaded(files, NOT_FOR_HELP)).toEqual([]);
    },
  );

  it('plan observes through the SLB, ECS and Alidns SDKs; no SSH, emulator or demo', async () => {
    const { files, code, stderr } = await loadedBy(['plan', 'workflows/kernel-patch.yaml']);
    expect(code, stderr).toBe(0);
    for (const sdk of ['openapi-client', 'ecs20140526', 'alidns20150109']) {
      expect(loaded(files, new RegExp(`^node_modules/@alicloud/${sdk}/`))).not.toEqual([]);
    }
    expect(loaded(files, /^node_modules\/ssh2\/|^mocks\/|^src\/demo\/demo-world/)).toEqual([]);
    // Only `drainctl serve` loads the server.
    expect(loaded(files, /^src\/serve\/|^node_modules\/prom-client\//)).toEqual([]);
    expect(loaded(files, /^src\/cli\/commands\/(?!plan\.ts$)/)).toEqual([]);
  });

  it('plan of a workflow without DNS never loads the Alidns SDK', async () => {
    const workflow = (await readFile(join(repoRoot, 'workflows/kernel-patch.yaml'), 'utf8'))
      // The dns block runs from `dns:` to the next top-level key.
      .replace(/^dns:\n(?: .*\n|\s*\n)*/m, '');
    expect(workflow).not.toMatch(/^dns:/m);
    const file = join(scratch, 'no-dns.yaml');
    await writeFile(file, workflow);
    const { files, code, stderr } = await loadedBy(['plan', file]);
    expect(code, stderr).toBe(0);
    expect(loaded(files, /^node_modules\/@alicloud\/ecs20140526\//)).not.toEqual([]);
    expect(loaded(files, /^node_modules\/@alicloud\/alidns20150109\//)).toEqual([]);
  });

  it('status reads the journal: no SDK, no SSH, no emulator', async () => {
    const { files, stderr } = await loadedBy(['status']);
    // No run yet: status has read the (empty) journal directory and said so.
    expect(stderr).toContain('NO_RUNS');
    expect(loaded(files, /^node_modules\/(@alicloud|ssh2)\/|^mocks\/|^src\/serve\//)).toEqual([]);
  });

  it('serve loads a chat SDK only for a platform in connection mode, and keeps stdout its own', async () => {
    const yaml = (chat: string) =>
      [
        'catalog:',
        `  kernel: ${join(repoRoot, 'workflows/kernel-patch.yaml')}`,
        'tokens:',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: serve.yaml's environment reference
        '  - { name: ops, role: operator, token: "${SERVE_TOKEN}" }',
        chat,
        '',
      ].join('\n');
    const token = { SERVE_TOKEN: 'operator-token-for-tests-0123456789' };
    const chatSdks = /^node_modules\/(dingtalk-stream|@slack|@larksuiteoapi)\//;

    const http = await loadedByServe('http', yaml(''), {
      ...token,
      DRAINCTL_DINGTALK_APP_SECRET: 'dingtalk-app-secret-for-tests-0003',
    });
    expect(http.code).toBe(0);
    expect(loaded(http.files, /^src\/serve\/index\.ts$/)).toHaveLength(1);
    expect(loaded(http.files, chatSdks)).toEqual([]);
    expect(
      loaded(
        http.files,
        /^src\/serve\/chat\/connections\/(?!chat-connection|connection-credentials|open-connection)/,
      ),
    ).toEqual([]);

    const dingtalk = { appKey: 'dingloadingtest', appSecret: 'dingtalk-app-secret-for-tests-0003' };
    const slack = { signingSecret: 'unused', appToken: 'xapp-1-A0LOADING-app-level-token' };
    const feishu = {
      encryptKey: 'unused',
      verificationToken: 'unused',
      appId: 'cli_0123456789abcdef',
      appSecret: 'feishu-app-secret-for-tests-0003',
    };
    const platforms = await startChatPlatforms({
      drainctlUrl: '',
      secrets: { dingtalk, slack, feishu },
    });
    try {
      const connected = await loadedByServe(
        'connections',
        yaml(
          `chat: { platforms: { ${['dingtalk', 'slack', 'feishu'].map((p) => `${p}: { mode: connection, apiBaseUrl: "${platforms.url}" }`).join(', ')} } }`,
        ),
        {
          ...token,
          DRAINCTL_DINGTALK_APP_KEY: dingtalk.appKey,
          DRAINCTL_DINGTALK_APP_SECRET: dingtalk.appSecret,
          DRAINCTL_SLACK_APP_TOKEN: slack.appToken,
          DRAINCTL_FEISHU_APP_ID: feishu.appId,
          DRAINCTL_FEISHU_APP_SECRET: feishu.appSecret,
        },
        () =>
          platforms.dingtalkStream.connected() &&
          platforms.slackSocketMode.connected() &&
          platforms.feishuLongConnection.connected(),
      );
      expect(connected.code).toBe(0);
      expect(loaded(connected.files, /^node_modules\/dingtalk-stream\//)).not.toEqual([]);
      expect(loaded(connected.files, /^node_modules\/@slack\/socket-mode\//)).not.toEqual([]);
      expect(loaded(connected.files, /^node_modules\/@larksuiteoapi\/node-sdk\//)).not.toEqual([]);
      // The SDKs write to the console; serve's stdout holds its listening line and nothing else.
      expect(connected.stdout).toMatch(/^listening=http:\/\/127\.0\.0\.1:\d+\n$/);
    } finally {
      await platforms.close();
    }
  }, 120_000);
});
