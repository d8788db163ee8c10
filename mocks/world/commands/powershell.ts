/**
 * What a RunPowerShellScript line does on a simulated Windows instance. Each line (or `;`-separated
 * part of one) is read as a whole against the few forms drainctl and its docs use; anything else
 * succeeds with empty output, as unknown shell commands do. Recognised:
 * `Install-WindowsUpdate [-KBArticleID KB…] -AcceptAll -IgnoreReboot` (the PSWindowsUpdate
 * module), `Get-HotFix [-Id KB…,KB…]` (as a table, or `(… | Sort-Object HotFixID).HotFixID`,
 * optionally `-join ','`), `[System.Environment]::OSVersion.Version[.Build]`, `(Get-ItemProperty
 * 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion').CurrentBuild|.UBR`, `Get-Service [-Name]
 * X` and `(Get-Service -Name X).Status`, `Restart-Computer`, `Start-Sleep [-Seconds] N`,
 * `Write-Output`/`echo`, `exit N`, `$ErrorActionPreference = 'Stop'`.
 * A line that fails (a missing hotfix or service without `-ErrorAction SilentlyContinue`) prints
 * PowerShell's error and sets exit code 1. Pure; no I/O.
 */
import type { WindowsFacts } from '../types.js';
import type { ScriptInterpreter } from './cloud-assistant.js';
import type { Step } from './command-semantics.js';
import type { MachineFacts } from './machine-facts.js';
import type { Statement } from './script-parser.js';

/** Reads `facts.kernel` as the running build (`20348.2582`), installedKernel as the staged one. */
export function powershellInterpreter(windows: WindowsFacts): ScriptInterpreter {
  return {
    parse: parsePowerShell,
    interpret: ([line = ''], facts) => interpretLine(line.trim(), facts, windows),
  };
}

/** One statement per line or `;`-separated part (outside quotes); `#` comments dropped. */
export function parsePowerShell(script: string): Statement[] {
  const statements: Statement[] = [];
  for (const rawLine of script.split(/\r?\n/)) {
    let quote: string | undefined;
    let part = '';
    const flush = () => {
      const text = part.trim();
      if (text !== '') {
        statements.push({ connector: ';', pipeline: [{ argv: [text], stdoutToFile: false }] });
      }
      part = '';
    };
    for (const char of rawLine) {
      if (quote === undefined && char === '#') break;
      if (quote === undefined && char === ';') {
        flush();
        continue;
      }
      if (char === '"' || char === "'")
        quote = quote === undefined ? char : quote === char ? undefined : quote;
      part += char;
    }
    flush();
  }
  return statements;
}

const registryCurrentVersion =
  /\(\s*Get-ItemProperty\s+(-Path\s+)?['"]?HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion['"]?\s*\)\.(\w+)/i;

function interpretLine(line: string, facts: MachineFacts, windows: WindowsFacts): Step {
  const done = (output = '', exitCode = 0): Step => ({ kind: 'done', exitCode, output });
  const [name = '', ...args] = line.split(/\s+/);
  const silently = /-ErrorAction\s+(SilentlyContinue|Ignore)/i.test(line);
  const [major, minor] = ['10', '0'];
  const [build = '0', ubr = '0'] = facts.kernel.split('.');

  if (/^\$ErrorActionPreference\s*=\s*['"]Stop['"]$/i.test(line))
    return { kind: 'errexit', on: true };
  if (/Install-WindowsUpdate/i.test(line)) return installUpdates(line, facts, windows);
  if (/Get-HotFix/i.test(line)) return hotfixes(line, installedHotfixes(facts, windows), silently);
  if (/Get-Service/i.test(line)) return service(line, facts, windows, silently);
  const registry = registryCurrentVersion.exec(line);
  if (registry) {
    const property = (registry[2] ?? '').toLowerCase();
    if (property === 'currentbuild' || property === 'currentbuildnumber') return done(`${build}\n`);
    if (property === 'ubr') return done(`${ubr}\n`);
    return done();
  }
  if (/\[System\.Environment\]::OSVersion/i.test(line)) {
    if (/\.Version\.Build\b/i.test(line)) return done(`${build}\n`);
    if (/\.VersionString\b/i.test(line))
      return done(`Microsoft Windows NT ${major}.${minor}.${build}.0\n`);
    if (/\.Version\b/i.test(line) && /ToString\(\)/i.test(line))
      return done(`${major}.${minor}.${build}.0\n`);
    return done(
      `\nPlatform ServicePack Version                VersionString\n-------- ----------- -------                -------------\n Win32NT             ${major}.${minor}.${build}.0 Microsoft Windows NT ${major}.${minor}.${build}.0\n\n`,
    );
  }
  switch (name.toLowerCase()) {
    case 'restart-computer':
      return { kind: 'reboot', delaySeconds: 0, output: '' };
    case 'start-sleep': {
      const value = args.find((arg) => /^\d+(\.\d+)?$/.test(arg));
      const ms = args.some((arg) => /^-Milliseconds$/i.test(arg));
      return value === undefined
        ? done(
            'Start-Sleep : Cannot process command because of one or more missing mandatory parameters: Seconds.\n',
            1,
          )
        : { kind: 'sleep', seconds: Number(value) / (ms ? 1000 : 1) };
    }
    case 'write-output':
    case 'write-host':
    case 'echo':
      return done(`${args.map(unquote).join(' ')}\n`);
    case 'hostname':
      return done(`${facts.hostname}\n`);
    case 'exit': {
      const code = args[0] === undefined ? 0 : Number(args[0]);
      return { kind: 'exit', exitCode: Number.isInteger(code) ? code : 1 };
    }
    default:
      return done();
  }
}

/** The hotfixes Get-HotFix lists: the update's KBs once its build runs. */
function installedHotfixes(facts: MachineFacts, windows: WindowsFacts): string[] {
  return facts.kernel === facts.availableKernel
    ? [...new Set([...windows.hotfixes, ...windows.updateKbs])]
    : windows.hotfixes;
}

function kbList(line: string, flag: RegExp): string[] {
  const match = flag.exec(line);
  if (!match) return [];
  return (match[1] ?? '')
    .split(',')
    .map((kb) => unquote(kb.trim()).toUpperCase())
    .filter((kb) => kb !== '');
}

/** PSWindowsUpdate's Install-WindowsUpdate: installs the offered update if it is wanted and not staged yet. */
function installUpdates(line: string, facts: MachineFacts, windows: WindowsFacts): Step {
  const wanted = kbList(line, /-KBArticleID\s+([^\s]+(?:\s*,\s*[^\s-][^\s,]*)*)/i);
  const offered = windows.updateKbs.filter((kb) => wanted.length === 0 || wanted.includes(kb));
  const staged = facts.installedKernel === facts.availableKernel;
  if (offered.length === 0 || staged) return { kind: 'done', exitCode: 0, output: '' };
  if (!/-AcceptAll/i.test(line)) {
    return {
      kind: 'done',
      exitCode: 0,
      output: 'Confirm: -AcceptAll not given, nothing installed\n',
    };
  }
  const rows = offered.map(
    (kb) => `1    Installed      ${kb}   Cumulative Update for Microsoft server operating system\n`,
  );
  const reboot = /-AutoReboot/i.test(line);
  return {
    kind: 'install-kernel',
    output: `X ComputerName Result     KB          Title\n- ------------ ------     --          -----\n${rows.join('')}${reboot ? '' : 'Reboot is required, but do it manually.\n'}`,
  };
}

function hotfixes(line: string, installed: string[], silently: boolean): Step {
  const asked = kbList(line, /-Id\s+([^\s|)]+(?:\s*,\s*[^\s|)]+)*)/i);
  const found = asked.length === 0 ? installed : asked.filter((kb) => installed.includes(kb));
  const missing = asked.filter((kb) => !installed.includes(kb));
  const errors = silently
    ? ''
    : missing
        .map(
          (kb) =>
            `Get-HotFix : Cannot find the requested hotfix on the 'localhost' computer. Verify the input and run the command again.\n    + FullyQualifiedErrorId : GetHotFixNoEntriesFound,Microsoft.PowerShell.Commands.GetHotFixCommand (${kb})\n`,
        )
        .join('');
  const exitCode = errors === '' ? 0 : 1;
  const ids = /Sort-Object/i.test(line) ? [...found].sort() : found;
  if (/\)\.HotFixID/i.test(line)) {
    const join = /-join\s+['"]([^'"]*)['"]/i.exec(line);
    const text = join ? `${ids.join(join[1])}\n` : ids.map((id) => `${id}\n`).join('');
    return {
      kind: 'done',
      exitCode,
      output: ids.length === 0 && !join ? errors : `${text}${errors}`,
    };
  }
  const rows = ids.map(
    (id) => `localhost     Update           ${id}     NT AUTHORITY\\SYSTEM  7/9/2024 12:00:00 AM\n`,
  );
  const table =
    rows.length === 0
      ? ''
      : `\nSource        Description      HotFixID      InstalledBy          InstalledOn\n------        -----------      --------      -----------          -----------\n${rows.join('')}\n`;
  return { kind: 'done', exitCode, output: `${table}${errors}` };
}

function service(
  line: string,
  facts: MachineFacts,
  windows: WindowsFacts,
  silently: boolean,
): Step {
  const match = /Get-Service\s+(?:-Name\s+)?['"]?([\w.$-]+)['"]?/i.exec(line);
  const name = match?.[1] ?? '';
  if (name.toLowerCase() !== windows.service.toLowerCase()) {
    return {
      kind: 'done',
      exitCode: silently ? 0 : 1,
      output: silently
        ? ''
        : `Get-Service : Cannot find any service with service name '${name}'.\n    + FullyQualifiedErrorId : NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand\n`,
    };
  }
  const status = facts.listening === undefined ? 'Stopped' : 'Running';
  if (/\)\.Status/i.test(line)) return { kind: 'done', exitCode: 0, output: `${status}\n` };
  return {
    kind: 'done',
    exitCode: 0,
    output: `\nStatus   Name               DisplayName\n------   ----               -----------\n${status.padEnd(8)} ${windows.service.padEnd(18)} ${windows.service}\n\n`,
  };
}

function unquote(text: string): string {
  return /^(['"]).*\1$/.test(text) ? text.slice(1, -1) : text;
}
