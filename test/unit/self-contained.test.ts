/**
 * The repository explains itself: no comment or document may send a reader to a file that is not
 * in it. The design is docs/design.md, the cloud's API facts are docs/aliyun.md. The names looked
 * for are spelt in pieces so that this file does not mention them itself.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Case-sensitive: docs/design.md is this repository's own. */
const OUTSIDE = [
  ['DESIGN', 'md'].join('.'),
  ['aliyun', 'facts'].join('-'),
  ['..', 'shared'].join('/'),
];

function trackedFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
  return listed.split('\0').filter((file) => file !== '' && file !== 'package-lock.json');
}

describe('a self-contained repository', () => {
  it('no tracked file points to a document outside it', () => {
    const files = trackedFiles();
    // The listing itself must work, or this test would pass on nothing.
    expect(files).toContain('docs/design.md');
    const found = files.flatMap((file) =>
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .flatMap((line, index) =>
          OUTSIDE.some((name) => line.includes(name))
            ? [`${file}:${index + 1}: ${line.trim()}`]
            : [],
        ),
    );
    expect(found).toEqual([]);
  });
});
