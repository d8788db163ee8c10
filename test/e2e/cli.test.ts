import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runDrainctl } from '#support/cli-runner.js';

const scratch = mkdtempSync(join(tmpdir(), 'drainctl-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('drainctl command line', () => {
  it('--help lists every command of the contract', async () => {
    const result = await runDrainctl(['--help']);
    expect(result.code).toBe(0);
    for (const command of [
      'plan',
      'run',
      'resume',
      'status',
      'abort',
      'inspect',
      'watch',
      'schema',
      'serve',
      'emulator',
      'demo',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });

  it('each command has real help', async () => {
    const result = await runDrainctl(['run', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--yes');
    expect(result.stdout).toContain('Exit codes');
  });

  it('--version prints the package version', async () => {
    const result = await runDrainctl(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('plan on a missing file exits 3 with one line naming the file', async () => {
    const result = await runDrainctl(['plan', 'does-not-exist.yaml'], { cwd: scratch });
    expect(result.code).toBe(3);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('does-not-exist.yaml');
    expect(result.stdout).toBe('');
  });

  it('a YAML syntax error names the file, line and column', async () => {
    const file = join(scratch, 'broken.yaml');
    writeFileSync(file, 'name: web\nrollout:\n  maxUnavailable: [1\n');
    const result = await runDrainctl(['plan', file], { cwd: scratch });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/broken\.yaml:\d+:\d+: invalid YAML/);
  });

  it('usage errors exit 3; --json puts the error on stdout as one JSON document', async () => {
    const unknown = await runDrainctl(['plan', '--bogus', 'x.yaml'], { cwd: scratch });
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain("unknown option '--bogus'");

    const json = await runDrainctl(['plan', 'missing.yaml', '--json'], { cwd: scratch });
    expect(json.code).toBe(3);
    const document = JSON.parse(json.stdout) as { error: { code: string; file: string } };
    expect(document.error.code).toBe('INVALID_INPUT');
    expect(document.error.file).toBe('missing.yaml');
  });

  it('prints no colour codes when stdout is not a TTY', async () => {
    const result = await runDrainctl(['plan', 'missing.yaml'], {
      cwd: scratch,
      env: { NO_COLOR: '' },
    });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI escapes on purpose
    expect(result.stderr).not.toMatch(/\u001b\[/);
  });

  it('run without --yes and without a terminal refuses at once, naming --yes and --plan-sha256', async () => {
    // The workflow need not exist: nothing is read, observed or printed before the refusal.
    const result = await runDrainctl(['run', 'later.yaml'], { cwd: scratch });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('stdin is not a terminal');
    expect(lines[0]).toContain('`drainctl run later.yaml --yes --plan-sha256 <its sha256>`');
    expect(lines[0]).toContain('`drainctl plan later.yaml`');
  });

  it('resume without --yes and without a terminal refuses at once, naming --yes', async () => {
    const id = 'r-20261121-020000-1a2b';
    const result = await runDrainctl(['resume', id, '--retry', 'i-1'], { cwd: scratch });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`\`drainctl resume ${id} --retry i-1 --yes\``);
  });

  it("schema prints the workflow schema by default and serve.yaml's on request", async () => {
    const workflow = await runDrainctl(['schema']);
    expect(workflow.code).toBe(0);
    expect(JSON.parse(workflow.stdout).properties).toHaveProperty('rollout');
    const serve = await runDrainctl(['schema', 'serve']);
    expect(serve.code).toBe(0);
    expect(JSON.parse(serve.stdout).properties).toHaveProperty('catalog');
    const other = await runDrainctl(['schema', 'nope']);
    expect(other.code).toBe(3);
    expect(other.stderr).toContain('expected workflow or serve');
  });

  it('serve refuses a bad serve.yaml with exit 3, one line naming file, path and what was found', async () => {
    const help = await runDrainctl(['serve', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--config <file>');
    expect(help.stdout).toContain('listening=http://HOST:PORT');
    const config = join(scratch, 'serve-literal-token.yaml');
    writeFileSync(
      config,
      `catalog: { k: ${join(repoRoot, 'workflows/kernel-patch.yaml')} }\ntokens:\n  - { name: ops, role: operator, token: literal-token-0123456789 }\n`,
    );
    const run = await runDrainctl(['serve', '--config', config, '--port', '0'], { cwd: scratch });
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toContain(`${config}:3:`);
    expect(lines[0]).toContain('tokens[0].token: expected a reference to an environment variable');
    expect(lines[0]).toContain('found a literal value');
    expect(run.stderr).not.toContain('literal-token-0123456789');
  });
});
