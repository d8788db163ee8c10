/**
 * What `drainctl run` shows while it goes: piped, one plain line per change and no escape code
 * at all; on a terminal (a pseudo-terminal from util-linux `script`), a frame redrawn in place.
 */
import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { binPath } from '#support/cli-runner.js';
import { drainctl, endState, latestRunId, runEnvPerTest } from '#support/rollout-on-emulator.js';

const ESC = String.fromCharCode(27);
const newEnv = runEnvPerTest();

/** util-linux `script` gives the run a pseudo-terminal; CI installs it rather than skip. */
function requireScript(): void {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
  } catch (error) {
    throw new Error('util-linux `script` is needed for the terminal test: .ci/run installs it', {
      cause: error,
    });
  }
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

describe('drainctl run progress', () => {
  it('piped: plain progress lines, one per change, with no escape codes', async () => {
    const env = await newEnv();
    // NO_COLOR off: the pipe alone must keep cursor codes out.
    const run = await drainctl(env, ['run', env.workflow, '--yes'], {
      NO_COLOR: '',
      TERM: 'xterm',
    });
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(run.stdout).not.toContain(ESC);
    expect(run.stderr).not.toContain(ESC);
    const lines = run.stdout.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d run r-\S+ started: /));
    for (const node of ['i-emu-web-1', 'i-emu-web-2', 'i-emu-web-3']) {
      const of = lines.filter((line) => line.includes(`(${node})`));
      expect(of.filter((line) => line.endsWith('pending → draining'))).toHaveLength(1);
      expect(of).toContainEqual(expect.stringMatching(/: weight 100 → 0 on lb-/));
      expect(of).toContainEqual(expect.stringMatching(/restoring → done$/));
    }
    // The progress comes before the report, and ends with the run's own verdict.
    const completed = lines.findIndex((line) => /^\d\d:\d\d:\d\d run completed: /.test(line));
    expect(completed).toBeGreaterThan(0);
    expect(endState(env).weights['i-emu-web-1']).toBe(100);
  }, 120_000);

  it('resume, piped: goes on from the journal it was handed, without repeating it', async () => {
    const env = await newEnv();
    // Killed right after its 12th entry is durable: inside the first server's sequence.
    const crashed = await drainctl(env, ['run', env.workflow, '--yes'], {
      DRAINCTL_TEST_CRASH_AT_SEQ: '12',
    });
    expect(crashed.signal).toBe('SIGKILL');
    const runId = await latestRunId(env);
    const resumed = await drainctl(env, ['resume', runId, '--yes'], { NO_COLOR: '' });
    expect(resumed.code, resumed.stderr.slice(-2000)).toBe(0);
    expect(resumed.stdout).not.toContain(ESC);
    const lines = resumed.stdout.split('\n');
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^\\d\\d:\\d\\d:\\d\\d run ${runId} resumed`)),
    );
    // What the crashed process already told is not told again; the names come from the history.
    expect(resumed.stdout).not.toMatch(/ started: /);
    expect(lines).toContainEqual(
      expect.stringMatching(/web-3 \(i-emu-web-3\): pending → draining$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d run completed: /));
  }, 120_000);

  it('on a terminal: the live frame is redrawn in place, with the countdown and the ETA', async () => {
    requireScript();
    // Drains that last a few seconds, so the frame is redrawn while one goes on.
    const env = await newEnv({ waitSeconds: 2 });
    const command = [process.execPath, binPath, 'run', env.workflow, '--yes']
      .map(shellQuote)
      .join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: env.dir,
      env: { ...process.env, ...env.env, NO_COLOR: '', TERM: 'xterm', COLUMNS: '200' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 110_000);
      child.on('error', reject);
      child.on('close', (exit) => {
        clearTimeout(timer);
        resolve(exit);
      });
    });
    expect(code, output.slice(-2000)).toBe(0);
    // Cursor up over the last frame: redrawn, not appended.
    const redraws = output.split(`${ESC}[`).filter((part) => /^\d+A/.test(part)).length;
    expect(redraws).toBeGreaterThan(2);
    expect(output).toMatch(/ETA \d+ (s|min)\b.* · elapsed \d+ s of .* estimated · /);
    // probe none: the drain is a fixed wait, counted down (no quiet to reach, no timeout).
    expect(output).toMatch(/drain: no probe, waits 2 s, [0-2] s left/);
    expect(output).not.toContain('gives up in');
    // The width is unknown under `script`: lines are cut, never wrapped over the redraw.
    for (const line of output.split('\n')) {
      if (line.startsWith(`${ESC}[2K`))
        expect(line.replace(/\r$/, '').length).toBeLessThanOrEqual(84);
    }
    // The plain lines are a pipe's: a terminal gets the frame instead.
    expect(output).not.toMatch(/pending → draining/);
    expect(output).toMatch(/took \d+ s \(.* estimated\) · 3\/3 servers finished/);
    expect(output).toContain('completed: ');
  }, 120_000);
});
