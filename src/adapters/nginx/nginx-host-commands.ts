/**
 * What drainctl does on one nginx host, as shell commands through the Host port (the local
 * shell or SSH, whichever the composition root hands in): read and write the configuration file
 * with its SHA-256, `nginx -t`, `nginx -s reload`, and the master's worker processes.
 */
import { createHash } from 'node:crypto';
import { DrainctlError } from '../../errors/index.js';
import type { CommandResult, Host } from '../../ports/index.js';

export interface NginxHost {
  /** How the host is named in messages: `local`, `ssh://deploy@lb1:22`. */
  name: string;
  host: Host;
  /** The instance id the Host port knows this machine by. */
  instanceId: string;
}

export interface NginxCommandOptions {
  configFile: string;
  /** The nginx command, with `-c`/`-p` when nginx is not started with its defaults. */
  nginx: string;
  /** The master's pid file (nginx's `pid` directive). */
  pidFile: string;
  timeoutSeconds: number;
}

export interface ConfigFile {
  content: string;
  sha256: string;
}

export interface NginxWorker {
  pid: number;
  /** nginx sets it to `nginx: worker process` or `nginx: worker process is shutting down`. */
  title: string;
}

export function sha256Of(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

/** POSIX single quotes: the one quoting that needs no escaping inside but for `'` itself. */
function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

async function run(
  target: NginxHost,
  script: string,
  options: NginxCommandOptions,
  name: string,
): Promise<CommandResult> {
  return target.host.runCommand(target.instanceId, {
    script,
    timeoutSeconds: options.timeoutSeconds,
    name,
  });
}

function failed(target: NginxHost, what: string, result: CommandResult): DrainctlError {
  return new DrainctlError(
    'NGINX_COMMAND_FAILED',
    `${what} on ${target.name} failed (${result.status}, exit ${result.exitCode ?? 'none'}): ${result.output.trim() || result.errorInfo || 'no output'}`,
  );
}

/** The file's text and checksum; Base64 so no byte is lost, checked against sha256sum. */
export async function readConfig(
  target: NginxHost,
  options: NginxCommandOptions,
): Promise<ConfigFile> {
  const file = quote(options.configFile);
  const result = await run(
    target,
    `set -e; sha256sum < ${file} | cut -d' ' -f1; base64 -w0 < ${file}; echo`,
    options,
    'drainctl-nginx-read',
  );
  if (result.status !== 'success') throw failed(target, `reading ${options.configFile}`, result);
  const [sha256 = '', encoded = ''] = result.output.split('\n');
  const content = Buffer.from(encoded, 'base64').toString('utf8');
  if (sha256Of(content) !== sha256.trim()) {
    throw new DrainctlError(
      'NGINX_COMMAND_FAILED',
      `reading ${options.configFile} on ${target.name}: the text read does not match its sha256sum (output cut short?)`,
    );
  }
  return { content, sha256: sha256.trim() };
}

/**
 * Replaces the file by a sibling renamed over it, so nginx never reads half a file; the new file
 * keeps the old one's mode and owner.
 */
export async function writeConfig(
  target: NginxHost,
  options: NginxCommandOptions,
  content: string,
): Promise<void> {
  const file = quote(options.configFile);
  const temporary = quote(`${options.configFile}.drainctl-new`);
  const encoded = Buffer.from(content, 'utf8').toString('base64');
  const result = await run(
    target,
    [
      'set -e',
      `printf '%s' ${quote(encoded)} | base64 -d > ${temporary}`,
      `chmod --reference=${file} ${temporary}`,
      `chown --reference=${file} ${temporary} 2>/dev/null || true`,
      `mv -f ${temporary} ${file}`,
    ].join('\n'),
    options,
    'drainctl-nginx-write',
  );
  if (result.status !== 'success') throw failed(target, `writing ${options.configFile}`, result);
}

/** `nginx -t`: undefined when the configuration is good, else nginx's own message. */
export async function testConfig(
  target: NginxHost,
  options: NginxCommandOptions,
): Promise<string | undefined> {
  const result = await run(target, `${options.nginx} -t 2>&1`, options, 'drainctl-nginx-test');
  if (result.status === 'success') return undefined;
  return result.output.trim() || result.errorInfo || `exit ${result.exitCode ?? 'none'}`;
}

export async function reload(target: NginxHost, options: NginxCommandOptions): Promise<void> {
  const result = await run(
    target,
    `${options.nginx} -s reload 2>&1`,
    options,
    'drainctl-nginx-reload',
  );
  if (result.status !== 'success') throw failed(target, 'nginx -s reload', result);
}

/** The master's children with their process titles. */
export async function workers(
  target: NginxHost,
  options: NginxCommandOptions,
): Promise<NginxWorker[]> {
  const result = await run(
    target,
    [
      'set -e',
      `master=$(cat ${quote(options.pidFile)})`,
      'for pid in $(pgrep -P "$master"); do',
      `  printf '%s %s\\n' "$pid" "$(tr '\\0' ' ' < /proc/$pid/cmdline 2>/dev/null || true)"`,
      'done',
    ].join('\n'),
    options,
    'drainctl-nginx-workers',
  );
  if (result.status !== 'success') throw failed(target, 'listing the nginx workers', result);
  return result.output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const space = line.indexOf(' ');
      return {
        pid: Number(space < 0 ? line : line.slice(0, space)),
        title: space < 0 ? '' : line.slice(space + 1).trim(),
      };
    });
}
