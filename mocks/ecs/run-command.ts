/**
 * RunCommand: creates an invocation that is Running while the world interprets the script on each
 * instance (the emulator never executes shell), then Success / Failed / Timeout / Error with the
 * exit code and output the world reports. A script that reboots the instance is the world's to
 * interpret, as Cloud Assistant's agent is killed by the reboot it starts.
 */
import type { EmulatorContext } from '../emulator/context.js';
import { isoSeconds, randomId } from '../emulator/ids.js';
import { ApiError, InvalidParameter, MissingParameter } from '../server/api-error.js';
import type { Params } from '../server/params.js';
import type { Handler } from '../server/product.js';
import type { ScriptLanguage, World } from '../world/types.js';
import type { Invocation, InvocationInstance } from './store.js';

const TYPES = ['RunShellScript', 'RunBatScript', 'RunPowerShellScript'] as const;

function script(params: Params): string {
  const raw = params.required('CommandContent');
  const encoding = params.oneOf('ContentEncoding', ['PlainText', 'Base64']) ?? 'PlainText';
  let content = encoding === 'Base64' ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (params.bool('EnableParameter') === true) {
    const values = params.json('Parameters');
    if (
      values !== undefined &&
      (values === null || typeof values !== 'object' || Array.isArray(values))
    ) {
      throw new InvalidParameter('Parameters', 'A JSON object is expected.');
    }
    for (const [name, value] of Object.entries((values ?? {}) as Record<string, unknown>)) {
      content = content.split(`{{${name}}}`).join(String(value));
    }
  }
  return content;
}

function finish(entry: InvocationInstance, outcome: InvocationInstance['outcome'] & object): void {
  // StopInvocation ended it already; what the interrupted script would have printed is lost.
  if (entry.status === 'Terminated') return;
  const errorCode =
    outcome.errorCode ??
    (outcome.status === 'Failed'
      ? 'ExitCodeNonzero'
      : outcome.status === 'Timeout'
        ? 'ExecutionTimeout'
        : '');
  entry.outcome = { ...outcome, errorCode };
  entry.status = outcome.status;
}

/**
 * RunShellScript runs on Linux, RunPowerShellScript on Windows; anything else the instance
 * cannot run (RunBatScript is not interpreted: undefined as on Linux).
 */
function scriptLanguage(type: string, osType: 'linux' | 'windows'): ScriptLanguage | undefined {
  if (osType === 'linux') return type === 'RunShellScript' ? 'shell' : undefined;
  return type === 'RunPowerShellScript' ? 'powershell' : undefined;
}

function execute(
  entry: InvocationInstance,
  invocation: Invocation,
  language: ScriptLanguage,
  world: World,
  now: () => number,
): void {
  world.runCommand(entry.instanceId, invocation.content, invocation.timeout, language).then(
    (outcome) => finish(entry, outcome),
    (error: unknown) =>
      finish(entry, {
        status: 'Error',
        exitCode: -1,
        output: '',
        errorCode: 'ExecutionException',
        errorInfo: error instanceof Error ? error.message : String(error),
        startTime: entry.startTime,
        finishedTime: isoSeconds(now()),
      }),
  );
}

/**
 * A ClientToken makes RunCommand safe to resend: the same token with the same request answers the
 * invocation it already started; with another request it is refused. (The code for the conflict
 * is ECS's usual IdempotentParameterMismatch; for RunCommand it is unconfirmed.)
 */
function replayed(params: Params, ctx: EmulatorContext): Record<string, string> | undefined {
  const token = params.string('ClientToken');
  if (!token) return undefined;
  const previous = ctx.ecs.runCommandTokens.get(token);
  if (previous === undefined) return undefined;
  if (previous.fingerprint !== fingerprint(params)) {
    throw new ApiError(
      'IdempotentParameterMismatch',
      'The ClientToken was used before with other parameters.',
    );
  }
  const invocation = ctx.ecs.invocations.get(previous.invokeId);
  return invocation && { CommandId: invocation.commandId, InvokeId: invocation.invokeId };
}

function fingerprint(params: Params): string {
  return JSON.stringify(params.entries().filter(([key]) => key !== 'ClientToken'));
}

const RunCommand: Handler<EmulatorContext> = ({ params, ctx }) => {
  const again = replayed(params, ctx);
  if (again) return again;
  const type = params.oneOf('Type', TYPES);
  if (type === undefined) throw new MissingParameter('Type');
  const content = script(params);
  const instanceIds = params.list('InstanceId');
  if (instanceIds.length === 0) throw new MissingParameter('InstanceId.1');
  if (instanceIds.length > 100) throw new InvalidParameter('InstanceId', 'At most 100 instances.');
  for (const id of instanceIds) ctx.ecs.get(id);
  const timeout = params.int('Timeout', { min: 10, max: 86400 }) ?? 60;
  // Defaults per the API reference: root in /root on Linux, System in the agent's folder on Windows.
  const windows = instanceIds.every((id) => ctx.ecs.get(id).osType === 'windows');
  const now = isoSeconds(ctx.now());
  const invocation: Invocation = {
    invokeId: randomId('t-hz', 18),
    commandId: randomId('c-hz', 18),
    name: params.string('Name') ?? '',
    description: params.string('Description') ?? '',
    type,
    content,
    timeout,
    username: params.string('Username') || (windows ? 'System' : 'root'),
    workingDir:
      params.string('WorkingDir') || (windows ? 'C:\\ProgramData\\aliyun\\assist' : '/root'),
    parameters: params.string('Parameters') ?? '',
    creationTime: now,
    instances: instanceIds.map((instanceId) => ({
      instanceId,
      status: 'Running',
      creationTime: now,
      startTime: now,
    })),
  };
  if (params.string('RepeatMode') && params.string('RepeatMode') !== 'Once') {
    throw new ApiError(
      'InvalidParameter',
      'The emulator runs commands once only (RepeatMode=Once).',
    );
  }
  ctx.ecs.invocations.set(invocation.invokeId, invocation);
  const token = params.string('ClientToken');
  if (token) {
    ctx.ecs.runCommandTokens.set(token, {
      invokeId: invocation.invokeId,
      fingerprint: fingerprint(params),
    });
  }
  for (const entry of invocation.instances) {
    const status = ctx.ecs.status(entry.instanceId);
    const language = scriptLanguage(type, ctx.ecs.get(entry.instanceId).osType);
    if (language === undefined || status !== 'Running') {
      finish(entry, {
        status: 'Error',
        exitCode: -1,
        output: '',
        errorCode: language === undefined ? 'CommandNotApplicable' : 'InstanceNotRunning',
        errorInfo:
          language === undefined
            ? `The command type does not apply to a ${ctx.ecs.get(entry.instanceId).osType === 'windows' ? 'Windows' : 'Linux'} instance.`
            : `The instance is not running (${status}).`,
        startTime: now,
        finishedTime: now,
      });
      continue;
    }
    execute(entry, invocation, language, ctx.world, () => ctx.now());
  }
  return { CommandId: invocation.commandId, InvokeId: invocation.invokeId };
};

/**
 * StopInvocation: instances still running the command end as Terminated. The world's
 * interpretation of the script is not interrupted (it has no shell to kill); its outcome is
 * dropped, as the output of a killed process is.
 */
const StopInvocation: Handler<EmulatorContext> = ({ params, ctx }) => {
  const invokeId = params.required('InvokeId');
  const invocation = ctx.ecs.invocations.get(invokeId);
  if (invocation === undefined) throw new ApiError('InvalidInvokeId.NotFound');
  const only = params.list('InstanceId');
  const now = isoSeconds(ctx.now());
  for (const entry of invocation.instances) {
    if (entry.status !== 'Running' || (only.length > 0 && !only.includes(entry.instanceId)))
      continue;
    entry.status = 'Terminated';
    entry.outcome = {
      status: 'Error',
      exitCode: -1,
      output: '',
      errorCode: 'InvocationStopped',
      errorInfo: 'The invocation was stopped by StopInvocation.',
      startTime: entry.startTime,
      finishedTime: now,
    };
  }
  return {};
};

export const runCommandHandlers: Record<string, Handler<EmulatorContext>> = {
  RunCommand,
  StopInvocation,
};
