/**
 * Bad input at the edges of the CLI — environment variables, flags, files named on the command
 * line — is one line on stderr naming what is wrong and what was expected, and exit code 3.
 * Runs the real program (src/cli/program.ts) in this process: nothing here reaches a cloud.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '#src/cli/program.js';
import { runDrainctl } from '#support/cli-runner.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'drainctl-input-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string> = {}, cwd = scratch) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(args, {
    stdout,
    stderr,
    env: { NO_COLOR: '1', DRAINCTL_HOME: join(scratch, 'home'), ...env },
    cwd,
    signal: new AbortController().signal,
  });
  const lines = stderr.text.split('\n').filter((line) => line.trim() !== '');
  return { code, stdout: stdout.text, lines };
}

function expectOneLine(run: Awaited<ReturnType<typeof cli>>, ...parts: string[]) {
  expect(run.code, run.lines.join('\n')).toBe(3);
  expect(run.lines, run.lines.join('\n')).toHaveLength(1);
  for (const part of parts) expect(run.lines[0]).toContain(part);
}

describe('environment variables', () => {
  it('an unknown DRAINCTL_LOG_LEVEL names the variable and the levels', async () => {
    const run = await cli(['status'], { DRAINCTL_LOG_LEVEL: 'loud' });
    expectOneLine(run, 'DRAINCTL_LOG_LEVEL', 'expected one of fatal, error, warn, info', '"loud"');
  });

  it('a DRAINCTL_HOME that is a file is refused, for reading commands too', async () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, 'x');
    expectOneLine(await cli(['status'], { DRAINCTL_HOME: file }), 'DRAINCTL_HOME', 'a directory');
    expectOneLine(
      await cli(['abort', 'r-1'], { DRAINCTL_HOME: join(file, 'below') }),
      'DRAINCTL_HOME',
      'below the file',
    );
  });

  it('a bad value from .env names the .env file; a .env that is a directory is named so', async () => {
    const dir = mkdtempSync(join(scratch, 'dotenv-'));
    writeFileSync(join(dir, '.env'), 'DRAINCTL_LOG_LEVEL=loud\n');
    expectOneLine(
      await cli(['status'], {}, dir),
      `${join(dir, '.env')}: DRAINCTL_LOG_LEVEL: expected one of fatal, error, warn, info`,
      'found "loud"',
    );
    writeFileSync(join(dir, '.env'), 'DRAINCTL_CLOUD_ENDPOINT=ftp://x\n');
    expectOneLine(
      await cli(['plan', 'w.yaml'], {}, dir),
      `${join(dir, '.env')}: DRAINCTL_CLOUD_ENDPOINT: expected an http:// or https:// URL`,
    );
    // The shell's own value is not the file's: no file is named for it.
    const shell = await cli(['status'], { DRAINCTL_LOG_LEVEL: 'loud' }, dir);
    expectOneLine(shell, 'DRAINCTL_LOG_LEVEL: expected one of');
    expect(shell.lines[0]).not.toContain('.env');
    const asDir = mkdtempSync(join(scratch, 'dotenv-dir-'));
    mkdirSync(join(asDir, '.env'));
    expectOneLine(
      await cli(['status'], {}, asDir),
      `${join(asDir, '.env')}: expected a readable file of KEY=value lines, found a directory`,
    );
  });

  it.runIf(process.platform === 'linux')(
    'a DRAINCTL_HOME that cannot be created is refused before a run starts',
    async () => {
      const run = await cli(['abort', 'r-1'], { DRAINCTL_HOME: '/proc/drainctl-cannot-exist' });
      expectOneLine(run, 'DRAINCTL_HOME', 'cannot be written');
    },
  );
});

describe('drainctl watch flags', () => {
  const log = () => {
    const file = join(scratch, 'access.log');
    writeFileSync(file, '');
    return file;
  };

  // The same schema and checks as a workflow's `drain` block, so the same words.
  it.each<[string[], string, ...string[]]>([
    [['--quiet', '0'], '--quiet', 'a whole number of seconds from 1 to 86400'],
    [['--quiet', '0.5'], '--quiet', 'a whole number of seconds from 1 to 86400'],
    [['--timeout', '99999999999'], '--timeout', 'a whole number of seconds from 1 to 86400'],
    [['--ignore-cidr', '0.0.0.0/0'], '--ignore-cidr', 'holds every IPv4 client', 'found 0.0.0.0/0'],
    [['--ignore-cidr', '::/0'], '--ignore-cidr', 'holds every IPv4 and IPv6 client'],
    [['--ignore-cidr', '::ffff:0:0/96'], '--ignore-cidr', 'holds every IPv4 client'],
    [
      ['--ignore-cidr', '0.0.0.0/1', '--ignore-cidr', '128.0.0.0/1'],
      '--ignore-cidr',
      'together these hold every IPv4 address',
      'found 0.0.0.0/1, 128.0.0.0/1',
    ],
    [['--ignore-cidr', '10.0.0.300/8'], '--ignore-cidr', 'a CIDR like 100.64.0.0/10'],
    [['--ignore-path', '*'], '--ignore-path', 'this one matches every request', 'found "*"'],
    [['--ignore-path', '/*'], '--ignore-path', 'this one matches every request', 'found "/*"'],
    [['--ignore-path', '/**'], '--ignore-path', 'a * only at the end', 'found "/**"'],
    [
      ['--ignore-path', '/*x'],
      '--ignore-path: expected a * only at the end, making a prefix (/static/*)',
      'found "/*x"',
    ],
    [['--ignore-path', 'x'], '--ignore-path: expected a path starting with /', 'found "x"'],
    [['--ignore-path', '/a?b=1'], '--ignore-path: expected a path without ?', 'found "/a?b=1"'],
    [['--ignore-user-agent', 'M'], '--ignore-user-agent', 'at least 3 characters'],
    [
      ['--health-check', 'PUT /x'],
      '--health-check: expected a method and a URI, "HEAD /path" or "GET /path"',
      'found "PUT /x"',
    ],
    [
      ['--client-address', 'auto'],
      '--client-address: expected remote_addr (layer-4 listeners) or x_forwarded_for',
      'found "auto"',
    ],
    [
      ['--format', '$remote_addr$status'],
      '--format: expected text (a space, a quote) between every two variables',
      'found $remote_addr$status',
    ],
    [['--format', 'no variables'], '--format: expected combined, json, or an nginx log_format'],
    [
      ['--client-address', 'x_forwarded_for'],
      '--format: expected a log_format with $http_x_forwarded_for',
      'found nginx combined',
    ],
  ])('%j is refused', async (flags, flag, ...why) => {
    const run = await cli(['watch', log(), ...flags]);
    expectOneLine(run, flag, ...why);
    expect(run.stdout).toBe('');
  });

  it('lists every bad flag, the first in the message', async () => {
    const run = await cli(['watch', log(), '--ignore-path', '/**', '--quiet', 'soon']);
    expect(run.code).toBe(3);
    expect(run.lines[0]).toContain('--ignore-path: expected a * only at the end');
    expect(run.lines[1]).toContain('also: --quiet: expected a whole number of seconds');
  });
});

describe('command-line usage', () => {
  it.each([
    [['plan', 'w.yaml', '--bogus'], "unknown option '--bogus'"],
    [['plan'], "missing required argument 'workflow'"],
    [['watch', 'x.log', '--quiet'], "option '--quiet <seconds>' argument missing"],
    [['frobnicate'], "unknown command 'frobnicate'"],
  ])('%j: one line, exit 3', async (args, message) => {
    expectOneLine(await cli(args), 'INVALID_INPUT', message, 'drainctl --help');
  });

  it('watch refuses a log that is not there or not a file, naming it', async () => {
    const missing = join(scratch, 'no-such.log');
    expectOneLine(
      await cli(['watch', missing, '--quiet', '1', '--timeout', '2']),
      missing,
      'no such file',
    );
    expectOneLine(
      await cli(['watch', scratch, '--quiet', '1', '--timeout', '2']),
      scratch,
      'found a directory',
    );
  });
});

describe('files named on the command line that are not regular files', () => {
  // A FIFO with no writer blocks open() in the kernel: the real binary, spawned, so a hang is a
  // kill at the timeout (and a failed test), not a stuck test worker.
  it.runIf(process.platform === 'linux')(
    'a FIFO as the access log, the workflow, the topology or .env: one line naming it, at once',
    async () => {
      const dir = mkdtempSync(join(scratch, 'fifo-'));
      const fifo = join(dir, 'pipe');
      execFileSync('mkfifo', [fifo]);
      mkdirSync(join(dir, 'env-dir'));
      execFileSync('mkfifo', [join(dir, 'env-dir', '.env')]);
      for (const [args, cwd] of [
        [['watch', fifo, '--quiet', '1', '--timeout', '2'], dir],
        [['plan', fifo], dir],
        [['emulator', '--port', '0', '--topology', fifo], dir],
        [['status'], join(dir, 'env-dir')],
      ] as const) {
        const run = await runDrainctl([...args], {
          cwd,
          env: { DRAINCTL_HOME: join(dir, 'home') },
          timeoutMs: 15_000,
        });
        const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
        expect({ args, code: run.code, signal: run.signal }).toEqual({
          args,
          code: 3,
          signal: null,
        });
        expect(lines, lines.join('\n')).toHaveLength(1);
        expect(lines[0]).toContain('a FIFO (named pipe)');
        expect(lines[0]).toContain(args[0] === 'status' ? join(dir, 'env-dir', '.env') : fifo);
      }
    },
    90_000,
  );
});

describe('drainctl emulator --topology', () => {
  const topology = (name: string, text: string | Buffer) => {
    const file = join(scratch, name);
    writeFileSync(file, text);
    return file;
  };

  it('names the file and the path of a schema problem', async () => {
    const file = topology('bad-id.yaml', 'region: cn-hangzhou\ninstances:\n  - id: 5\n');
    const run = await cli(['emulator', '--port', '0', '--topology', file]);
    expectOneLine(run, file, 'instances[0].id: expected');
  });

  it('reads it like a workflow: aliases, encoding, a missing file', async () => {
    const alias = topology('alias.yaml', 'region: cn-hangzhou\ninstances:\n  - id: *x\n');
    expectOneLine(
      await cli(['emulator', '--port', '0', '--topology', alias]),
      `${alias}:3:9: instances[0].id: expected an anchor &x`,
    );
    const utf16 = topology('utf16.yaml', Buffer.from([0xff, 0xfe, 0x72, 0x00]));
    expectOneLine(await cli(['emulator', '--port', '0', '--topology', utf16]), utf16, 'UTF-8');
    const missing = join(scratch, 'no-topology.yaml');
    expectOneLine(
      await cli(['emulator', '--port', '0', '--topology', missing]),
      missing,
      'no such file',
    );
  });
});
