import { describe, expect, it } from 'vitest';
import { parseScript } from '#mocks/world/commands/script-parser.js';

const argvs = (script: string) =>
  parseScript(script).map((s) => [s.connector, s.pipeline.map((c) => c.argv)]);

describe('parseScript', () => {
  it('splits lines, ; && || and pipelines', () => {
    expect(argvs('a 1\nb && c || d; e | f -x')).toEqual([
      [';', [['a', '1']]],
      [';', [['b']]],
      ['&&', [['c']]],
      ['||', [['d']]],
      [';', [['e'], ['f', '-x']]],
    ]);
  });

  it('handles quotes, escapes, comments and continuations', () => {
    expect(argvs(`echo 'a  b' "c \\"d\\"" e\\ f # note\nyum update \\\n  -y`)).toEqual([
      [';', [['echo', 'a  b', 'c "d"', 'e f']]],
      [';', [['yum', 'update', '-y']]],
    ]);
    expect(argvs("echo ''")).toEqual([[';', [['echo', '']]]]);
    expect(argvs('#!/bin/bash\n\n# only comments\n')).toEqual([]);
  });

  it('reads redirections: to a file hides stdout, 2>&1 does not', () => {
    const [a, b, c] = parseScript(
      'yum -y update >/tmp/log 2>&1\nuname -r 2>/dev/null\necho x &> out',
    );
    expect(a?.pipeline[0]).toEqual({ argv: ['yum', '-y', 'update'], stdoutToFile: true });
    expect(b?.pipeline[0]).toEqual({ argv: ['uname', '-r'], stdoutToFile: false });
    expect(c?.pipeline[0]).toEqual({ argv: ['echo', 'x'], stdoutToFile: true });
  });

  it('runs background jobs in sequence', () => {
    expect(argvs('sleep 1 & echo x')).toEqual([
      [';', [['sleep', '1']]],
      [';', [['echo', 'x']]],
    ]);
  });
});
