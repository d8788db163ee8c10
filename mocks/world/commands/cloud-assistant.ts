/**
 * Cloud Assistant on one instance: runs a script statement by statement through the interpreter
 * (never a shell), waits real time where the machine would (package updates, `sleep`), honours
 * the invocation's timeout, and reports as DescribeInvocationResults does. The ErrorCode and
 * ErrorInfo texts follow the API reference's list; which code pairs with which text, and the
 * exit code reported on a timeout (-1 here), are unconfirmed.
 */
import type { CommandOutcome } from '../types.js';
import { filterOutput, interpretCommand, type Step } from './command-semantics.js';
import { type CurlRequest, type CurlResult, curlOutput } from './curl.js';
import type { MachineFacts, PackageTransaction } from './machine-facts.js';
import { parseScript, type Statement } from './script-parser.js';

/** The machine as Cloud Assistant's agent sees it. */
export interface CommandHost {
  /** Running (per the hypervisor), Stopping, …; a command needs Running. */
  status(): string;
  /** `starting` just after Running while the OS comes up; `down` when the OS failed to boot. */
  agentState(): 'online' | 'starting' | 'down';
  /** Changes with every reboot; a command whose boot ended was interrupted. */
  bootGeneration(): number;
  facts(): MachineFacts;
  installKernel(commandLine: string): void;
  /** The boot loader's default entry: the next boot starts `release`. */
  setDefaultKernel(release: string): void;
  /** A package transaction undone (package-history.ts). */
  undoTransaction(change: {
    kernels: string[];
    defaultKernel: string;
    transaction: Omit<PackageTransaction, 'id' | 'at'>;
  }): void;
  /** nginx's graceful reload (app-server.ts); false when nginx is not running. */
  reloadWebServer(): boolean;
  /** Called once the invocation has ended. */
  rebootAfter(delaySeconds: number): void;
  /** Real-time wait; resolves false if the world closed meanwhile. */
  sleep(ms: number): Promise<boolean>;
  /** Makes curl's request from this machine, giving up after `timeoutMs`. */
  http(request: CurlRequest, timeoutMs: number): Promise<CurlResult>;
  packageUpdateSeconds: number;
}

/** Cloud Assistant's default timeout when none is given. */
export const defaultTimeoutSeconds = 60;

const agentPollMs = 50;

/** How a script's language is read: into statements, each command into what it does. */
export interface ScriptInterpreter {
  parse(script: string): Statement[];
  interpret(argv: string[], facts: MachineFacts): Step;
}

const shellInterpreter: ScriptInterpreter = { parse: parseScript, interpret: interpretCommand };

export async function runScript(
  host: CommandHost,
  script: string,
  timeoutSeconds: number,
  interpreter: ScriptInterpreter = shellInterpreter,
): Promise<CommandOutcome> {
  const startTime = apiTime();
  const outcome = (fields: Omit<CommandOutcome, 'startTime' | 'finishedTime'>): CommandOutcome => ({
    ...fields,
    startTime,
    finishedTime: apiTime(),
  });
  if (host.status() !== 'Running') {
    return outcome({
      status: 'Error',
      exitCode: -1,
      output: '',
      errorCode: 'InstanceNotRunning',
      errorInfo: 'the instance is not running when create task',
    });
  }
  const limitMs =
    (Number.isFinite(timeoutSeconds) && timeoutSeconds > 0
      ? timeoutSeconds
      : defaultTimeoutSeconds) * 1000;
  const deadline = Date.now() + limitMs;
  // Like the real service, a command sent while the agent is still starting waits for it.
  while (host.agentState() === 'starting' && host.status() === 'Running' && Date.now() < deadline) {
    if (!(await host.sleep(agentPollMs))) break;
  }
  if (host.agentState() !== 'online' || host.status() !== 'Running') {
    return outcome({
      status: 'Error',
      exitCode: -1,
      output: '',
      errorCode: 'ClientNotRunning',
      errorInfo: 'the aliyun service is not running on the instance',
    });
  }

  const generation = host.bootGeneration();
  let output = '';

  /** Waits as the machine would; says why the invocation must end early, if it must. */
  const wait = async (ms: number): Promise<'ok' | 'timeout' | 'interrupted'> => {
    const remaining = deadline - Date.now();
    const completed = await host.sleep(Math.min(ms, Math.max(remaining, 0)));
    if (!completed || host.bootGeneration() !== generation || host.status() !== 'Running')
      return 'interrupted';
    return ms > remaining ? 'timeout' : 'ok';
  };

  const result = await runStatements(
    interpreter.parse(script),
    interpreter.interpret,
    host,
    wait,
    deadline,
    (text) => {
      output += text;
    },
  );
  if (result.kind === 'timeout') {
    return outcome({
      status: 'Timeout',
      exitCode: -1,
      output,
      errorCode: 'ExecutionTimeout',
      errorInfo: 'the command execution has been timeout',
    });
  }
  if (result.kind === 'interrupted') {
    return outcome({
      status: 'Error',
      exitCode: -1,
      output,
      errorCode: 'ExecutionInterrupted',
      errorInfo: 'the command execution has been interrupted',
    });
  }
  if (result.rebootDelaySeconds !== undefined) host.rebootAfter(result.rebootDelaySeconds);
  return result.exitCode === 0
    ? outcome({ status: 'Success', exitCode: 0, output })
    : outcome({
        status: 'Failed',
        exitCode: result.exitCode,
        output,
        errorCode: 'ExitCodeNonzero',
        errorInfo: 'the command execution exit code is not zero',
      });
}

type RunResult =
  | { kind: 'ended'; exitCode: number; rebootDelaySeconds?: number }
  | { kind: 'timeout' }
  | { kind: 'interrupted' };

async function runStatements(
  statements: Statement[],
  interpret: ScriptInterpreter['interpret'],
  host: CommandHost,
  wait: (ms: number) => Promise<'ok' | 'timeout' | 'interrupted'>,
  deadline: number,
  print: (text: string) => void,
): Promise<RunResult> {
  let lastExit = 0;
  let errexit = false;
  let rebootDelaySeconds: number | undefined;

  for (const [index, statement] of statements.entries()) {
    if (statement.connector === '&&' && lastExit !== 0) continue;
    if (statement.connector === '||' && lastExit === 0) continue;
    const [first, ...filters] = statement.pipeline;
    if (!first) continue;
    const step: Step = interpret(first.argv, { ...host.facts(), now: Date.now() });
    let text = '';
    let exitCode = 0;
    switch (step.kind) {
      case 'done':
        text = step.output;
        exitCode = step.exitCode;
        break;
      case 'install-kernel': {
        const waited = await wait(host.packageUpdateSeconds * 1000);
        if (waited !== 'ok') return { kind: waited };
        host.installKernel(first.argv.slice(1).join(' '));
        text = step.output;
        break;
      }
      case 'set-default-kernel':
        host.setDefaultKernel(step.release);
        text = step.output;
        break;
      case 'undo-transaction':
        host.undoTransaction(step);
        text = step.output;
        break;
      case 'reload-web-server':
        if (host.reloadWebServer()) break;
        text = step.notRunning;
        exitCode = 1;
        break;
      case 'sleep': {
        const waited = await wait(step.seconds * 1000);
        if (waited !== 'ok') return { kind: waited };
        break;
      }
      case 'http': {
        const remaining = Math.max(deadline - Date.now(), 0);
        const own = (step.request.maxTimeSeconds ?? Number.POSITIVE_INFINITY) * 1000;
        const result = await host.http(step.request, Math.min(own, remaining));
        if (result.kind === 'timeout' && own >= remaining) return { kind: 'timeout' };
        const printed = curlOutput(step.request, result);
        text = printed.output;
        exitCode = printed.exitCode;
        break;
      }
      case 'exit':
        return { kind: 'ended', exitCode: step.exitCode, rebootDelaySeconds };
      case 'errexit':
        errexit = step.on;
        break;
      case 'reboot':
        print(step.output);
        if (step.delaySeconds === 0) return { kind: 'ended', exitCode: 0, rebootDelaySeconds: 0 };
        rebootDelaySeconds = step.delaySeconds;
        break;
    }
    let toFile = first.stdoutToFile;
    for (const filter of filters) {
      const filtered = filterOutput(filter.argv, toFile ? '' : text);
      text = filtered.output;
      exitCode = filtered.exitCode;
      toFile = filter.stdoutToFile;
    }
    if (!toFile) print(text);
    lastExit = exitCode;
    const next = statements[index + 1];
    const lastOfList = next === undefined || next.connector === ';';
    if (errexit && exitCode !== 0 && lastOfList)
      return { kind: 'ended', exitCode, rebootDelaySeconds };
  }
  return { kind: 'ended', exitCode: lastExit, rebootDelaySeconds };
}

/** The API's timestamp form: `2026-11-21T02:00:00Z`. */
function apiTime(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}
