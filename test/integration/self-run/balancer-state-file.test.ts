/**
 * Where a balancer you run yourself keeps the tags it does not have (the run's lock, the saved
 * weights) and what drainctl knows of each nginx file: one file per balancer in DRAINCTL_HOME,
 * whose updates never lose one another and whose damage is named, never read as "no lock".
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { balancerStateFile, balancerStatePath } from '#src/adapters/local/balancer-state-file.js';

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function home(): string {
  const dir = mkdtempSync(join(tmpdir(), 'drainctl-balancer-state-'));
  homes.push(dir);
  return dir;
}

describe('the state file of a balancer you run yourself', () => {
  it('starts empty, and keeps what is written through a new reader', async () => {
    const at = home();
    const id = 'nginx:app@local:/etc/nginx/conf.d/app.conf';
    const state = balancerStateFile<{ original: string }>(at, id);
    expect(await state.read()).toEqual({ tags: {}, files: {} });
    await state.update(({ tags, files }) => {
      tags['drainctl-lock'] = 'r-1';
      files.local = { original: 'upstream app {}\n' };
    });
    expect(await balancerStateFile(at, id).read()).toEqual({
      tags: { 'drainctl-lock': 'r-1' },
      files: { local: { original: 'upstream app {}\n' } },
    });
    // One file, named after the id, and no temporary file left beside it.
    expect(readdirSync(join(at, 'balancers'))).toEqual([
      'nginx_app_local__etc_nginx_conf.d_app.conf.json',
    ]);
  });

  it('loses no update when several are made at once', async () => {
    const state = balancerStateFile(home(), 'haproxy:app@local:/run/haproxy/admin.sock');
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        state.update(({ tags }) => {
          tags[`drainctl-weight-i-${i}`] = String(i + 1);
        }),
      ),
    );
    expect(Object.keys((await state.read()).tags)).toHaveLength(20);
  });

  it('names a damaged file rather than reading it as no lock and no saved weight', async () => {
    const at = home();
    const path = balancerStatePath(at, 'nginx:app');
    await mkdir(dirname(path), { recursive: true });
    writeFileSync(path, '{"tags": {"drainctl-lo');
    await expect(balancerStateFile(at, 'nginx:app').read()).rejects.toMatchObject({
      code: 'BALANCER_STATE_UNREADABLE',
      message: `${path} is not JSON`,
    });
  });
});
