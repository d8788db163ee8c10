/**
 * The real CLI (src/cli/program.ts: parsing, the plan command, the cloud adapters, the error
 * mapping) run inside the test process, for suites that would otherwise spawn dozens of
 * processes. `drainctl plan` reads process.env and process.cwd() like the binary does, so the
 * environment is set for the duration of the call.
 */
import { Writable } from 'node:stream';
import { runCli } from '#src/cli/program.js';
import type { CliRun } from './cli-runner.js';
import { repoRoot } from './cli-runner.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

export async function runCliInProcess(
  args: string[],
  env: Record<string, string>,
): Promise<CliRun> {
  const saved = new Map(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env, { NO_COLOR: '1' });
  const stdout = new Capture();
  const stderr = new Capture();
  try {
    const code = await runCli(args, {
      stdout,
      stderr,
      env: process.env,
      cwd: repoRoot,
      signal: new AbortController().signal,
    });
    return { code, signal: null, stdout: stdout.text, stderr: stderr.text };
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
