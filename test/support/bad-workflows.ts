/**
 * The bad-input corpus: every file in test/fixtures/workflows/bad/ starts with
 * `# expect-path: <path>` (where its problem is) and `# why: …`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { repoRoot } from './cli-runner.js';

export const BAD_DIR = 'test/fixtures/workflows/bad';

export interface BadCase {
  file: string;
  expectPath: string;
  text: string;
}

export function badCases(): BadCase[] {
  return readdirSync(`${repoRoot}${BAD_DIR}`)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => {
      const file = `${BAD_DIR}/${name}`;
      const text = readFileSync(`${repoRoot}${file}`, 'utf8');
      const expectPath = /^# expect-path: (.+)$/m.exec(text)?.[1]?.trim();
      if (expectPath === undefined) throw new Error(`${file} has no "# expect-path:" line`);
      return { file, expectPath, text };
    });
}
