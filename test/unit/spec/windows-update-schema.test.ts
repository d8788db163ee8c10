import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '#src/errors/index.js';
import { parseWorkflow } from '#src/workflow/index.js';

const HEAD = `name: win
region: cn-hangzhou
loadBalancer: { id: lb-abc }
backends: { instances: [i-a] }
`;
const NONE = 'drain: { probe: { kind: none, waitSeconds: 0 } }\n';

function parse(patch: string, drain = NONE) {
  return parseWorkflow({ file: 'win.yaml', text: `${HEAD}${drain}patch:\n${patch}` }, {});
}

function issues(patch: string, drain = NONE): string[] {
  try {
    parse(patch, drain);
  } catch (error) {
    if (error instanceof InvalidInputError) {
      return error.issues.map((issue) => `${issue.path}: ${issue.expected} / ${issue.found}`);
    }
    throw error;
  }
  throw new Error('the workflow was accepted');
}

const WINDOWS = '  windows: { kbs: [KB5040437], service: W3SVC }\n';

describe('patch.kind: windows-update', () => {
  it('reads the KBs and the service; the restart stays on', () => {
    const { spec } = parse(`  kind: windows-update\n${WINDOWS}`);
    expect(spec.patch).toMatchObject({
      kind: 'windows-update',
      windows: { kbs: ['KB5040437'], service: 'W3SVC' },
      reboot: true,
      commands: [],
    });
  });

  it('refuses what would leave the update unproven or unbooted, one line each', () => {
    expect(issues('  kind: windows-update\n')).toEqual([
      'patch.windows: the updates to install {kbs: [KB…], service} / nothing',
    ]);
    expect(issues(`  kind: windows-update\n${WINDOWS}  reboot: false\n`)).toEqual([
      'patch.reboot: true with kind windows-update (the update takes effect with the restart) / false',
    ]);
    expect(issues(`  kind: windows-update\n${WINDOWS}  verify: { command: hostname }\n`)).toEqual([
      'patch.verify: no verify with kind windows-update (Get-HotFix for patch.windows.kbs, and Get-Service for its service, are the proof) / command hostname',
    ]);
    expect(issues(`${WINDOWS}  commands: [yum update -y]\n`)).toEqual([
      "patch.windows: patch.kind: windows-update beside it (it is the update's settings) / kind: commands",
    ]);
    expect(issues('  kind: windows-update\n  windows: { kbs: [5040437] }\n')).toEqual([
      'patch.windows.kbs[0]: a KB article id like KB5040437 / 5040437',
    ]);
  });

  it('refuses a drain probe that runs ss or tail on the server', () => {
    expect(
      issues(
        `  kind: windows-update\n${WINDOWS}`,
        'drain: { probe: { kind: connections, port: 80 }, quietSeconds: 5, timeoutSeconds: 60 }\n',
      ),
    ).toEqual([
      'drain.probe: access-log with source local, or none, with kind windows-update (the server runs PowerShell, not ss or tail) / kind connections',
    ]);
  });
});
