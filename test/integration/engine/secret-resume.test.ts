// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is workflow syntax here
/**
 * A `${VAR}` a patch command uses is a secret whatever the variable is called and however short:
 * the runbook, the journal, the logs and `status` show it masked, the host gets the real value,
 * and a run interrupted after its plan was journaled (masked) is resumed by rebuilding the plan
 * from the workflow and the journaled observation — same sha256 — and completes. Against the
 * emulator, real binary.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  drainctl,
  endState,
  latestRunId,
  NODES,
  type RunEnv,
  startRunEnv,
  workflowText,
} from '#support/rollout-on-emulator.js';

// The variable's name says nothing secret: only its use in a command makes it one.
const PIN = 'MARK-service-pin-4711';
// Three characters: masked wherever it stands on its own, though it could be ordinary text.
const SHORT = 'q7z';

let env: RunEnv;
beforeAll(async () => {
  env = await startRunEnv({});
  // The host checks it got the real value: `grep` fails (and the patch with it) on a mask.
  // A function: in a replacement string `$'` would mean the text after the match.
  const text = workflowText({ drainProbe: 'none' }).replace(
    "  commands: ['yum update kernel -y']",
    () =>
      [
        '  commands:',
        '    - echo ${SERVICE_PIN} | grep -q pin-4711',
        "    - echo ${SHORT_PIN} | grep -q '^q[7]z$'",
        '    - echo pin ${SHORT_PIN}',
        '    - yum update kernel -y',
      ].join('\n'),
  );
  expect(text).toContain('SHORT_PIN');
  await writeFile(env.workflow, text);
  env.env.SERVICE_PIN = PIN;
  env.env.SHORT_PIN = SHORT;
});
afterAll(async () => {
  await env?.close();
});

describe('a secret interpolated into a patch command', () => {
  it('never reaches the journal or the output, and an interrupted run resumes to the end', async () => {
    const planned = await drainctl(env, ['plan', 'crash-three.yaml']);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toContain('echo [REDACTED] | grep -q pin-4711');
    expect(planned.stdout).toContain("echo [REDACTED] | grep -q '^q[7]z$'");
    expect(planned.stderr).toContain('the value of ${SHORT_PIN} could be ordinary text');

    // Killed right after the (masked) plan is journaled: nothing done yet.
    const crashed = await drainctl(env, ['run', 'crash-three.yaml', '--yes'], {
      DRAINCTL_TEST_CRASH_AT_SEQ: '1',
    });
    expect(crashed.signal).toBe('SIGKILL');
    const runId = await latestRunId(env);
    const journalPath = join(env.home, 'runs', runId, 'journal.jsonl');
    const first = JSON.parse((await readFile(journalPath, 'utf8')).split('\n')[0] ?? '{}');
    expect(first).toMatchObject({ type: 'plan', redacted: true });

    // Every log line on stderr, the commands and their output among them.
    const resumed = await drainctl(env, ['resume', runId, '--yes'], {
      DRAINCTL_LOG_LEVEL: 'debug',
    });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(endState(env).weights).toEqual(Object.fromEntries(NODES.map((id) => [id, 100])));
    expect(Object.values(endState(env).kernels)).toEqual(
      NODES.map(() => '3.10.0-1160.119.1.el7.x86_64'),
    );

    expect(resumed.stderr).toContain('echo [REDACTED] | grep -q pin-4711');
    const journal = await readFile(journalPath, 'utf8');
    expect(journal).toContain('"outcome":"completed"');
    expect(journal).toContain('[REDACTED]');
    // The host printed it, and its output was journaled masked.
    expect(journal).toContain('pin [REDACTED]');
    const status = await drainctl(env, ['status', runId]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('completed');
    const statusJson = await drainctl(env, ['status', runId, '--json']);
    expect(statusJson.code, statusJson.stderr).toBe(0);
    for (const [what, text] of [
      ['journal', journal],
      ['plan output', planned.stdout + planned.stderr],
      ['run output', crashed.stdout + crashed.stderr],
      ['resume output', resumed.stdout + resumed.stderr],
      ['status output', status.stdout + status.stderr + statusJson.stdout + statusJson.stderr],
    ] as const) {
      expect(text, `${what} leaked the secret`).not.toContain(PIN);
      expect(text, `${what} leaked the short secret`).not.toContain(SHORT);
    }
  }, 180_000);

  it('written literally, is masked in the runbook and warned about at plan time', async () => {
    const literal = join(env.dir, 'literal.yaml');
    await writeFile(
      literal,
      workflowText({ drainProbe: 'none' }).replace(
        "  commands: ['yum update kernel -y']",
        "  commands:\n    - mysql -uroot -pLit3ralPass-99 -e 'select 1'\n    - yum update kernel -y",
      ),
    );
    const planned = await drainctl(env, ['plan', 'literal.yaml']);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toContain("mysql -uroot -p[REDACTED] -e 'select 1'");
    expect(planned.stderr).toContain('patch.commands[0]: writes a secret literally');
    expect(planned.stderr).toContain('${VAR}');
    expect(planned.stdout + planned.stderr).not.toContain('Lit3ralPass-99');
  }, 60_000);
});
