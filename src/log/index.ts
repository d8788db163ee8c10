/**
 * Structured logging for every part of drainctl: one pino logger on stderr (stdout belongs to
 * command output and `--json` documents). Human format on a TTY, JSON lines otherwise. Every
 * record passes through `redact` before it is written. Owns log setup and redaction; knows
 * nothing about commands, the cloud or the engine: must not import any folder of src/ but
 * src/errors (lint-enforced). Pure layers may use the redaction files, not this logger.
 */
import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';
import pretty from 'pino-pretty';
import { redact, redactString } from './redact.js';

export type { Logger } from 'pino';
export { tailFromLineStart } from './output-tail.js';
export {
  findSecretPatterns,
  isDistinctive,
  isSecretKey,
  jsonLiteralMasker,
  REDACTED,
  type RedactOptions,
  redact,
  redactIdentifier,
  redactJsonText,
  redactString,
  registerSecret,
  registerSecretsFromEnv,
} from './redact.js';

export interface LoggerOptions {
  level?: string;
  /** Where records go; default stderr. Tests pass a stream to read what was written. */
  destination?: NodeJS.WritableStream;
  /** Human-readable output; default: when the destination is a TTY. */
  pretty?: boolean;
  color?: boolean;
}

/**
 * Build a logger that can never write a secret it has been told about or that looks like one.
 *
 * @example const log = createLogger({ level: 'debug' }); log.info({ lb: 'lb-1' }, 'draining');
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stderr;
  const isTty = (destination as NodeJS.WriteStream).isTTY === true;
  const human = options.pretty ?? isTty;
  const sink = human
    ? pretty({
        destination,
        colorize: options.color ?? (isTty && !process.env.NO_COLOR),
        ignore: 'pid,hostname',
        translateTime: 'HH:MM:ss.l',
        sync: true,
      })
    : destination;
  // Last line of defence: every serialized record is parsed and redacted again on its way out,
  // so secrets in child-logger bindings or anything pino adds itself cannot slip through.
  const stream = redactingStream(sink);
  return pino(
    {
      level: options.level ?? process.env.DRAINCTL_LOG_LEVEL ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => redact(bindings),
        log: (record) => redact(record),
      },
      hooks: {
        // Messages are free text: mask secret values inside them as well.
        logMethod(args, method) {
          const masked = args.map((arg) => (typeof arg === 'string' ? redactString(arg) : arg));
          return method.apply(this, masked as Parameters<typeof method>);
        },
      },
      serializers: { err: (err: unknown) => redact(err) },
    },
    stream,
  );
}

/** A stream of JSON log lines that writes each line to `next` with secrets masked. */
function redactingStream(next: NodeJS.WritableStream): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      pending += chunk.toString();
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        next.write(`${redactLine(pending.slice(0, newline))}\n`);
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
      callback();
    },
    final(callback) {
      if (pending !== '') next.write(redactLine(pending));
      callback();
    },
  });
}

/** What pino itself writes on every record: never a secret, and pino-pretty must read it. */
const RECORD_FRAME = new Set(['level', 'time']);

function redactLine(line: string): string {
  try {
    return JSON.stringify(redact(JSON.parse(line) as unknown, { identifierKeys: RECORD_FRAME }));
  } catch {
    return redactString(line);
  }
}

let shared: Logger | undefined;

/** The process-wide logger, configured once by the CLI; library code asks for it here. */
export function getLogger(): Logger {
  shared ??= createLogger();
  return shared;
}

export function setLogger(logger: Logger): void {
  shared = logger;
}
