/**
 * What commands print on stdout: plain text for people, or exactly one JSON document with
 * `--json`. Colour only on a TTY and never with NO_COLOR.
 */
import { styleText } from 'node:util';
import { redact } from '../log/index.js';

export type Style = Parameters<typeof styleText>[0];

export interface Output {
  readonly color: boolean;
  /** A line for people. */
  line(text?: string): void;
  /** The one JSON document of a `--json` command; secrets are redacted on the way out. */
  json(document: unknown): void;
  style(format: Style, text: string): string;
}

export function colorWanted(
  stream: NodeJS.WritableStream,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return (stream as NodeJS.WriteStream).isTTY === true;
}

export function createOutput(
  stream: NodeJS.WritableStream = process.stdout,
  color = colorWanted(stream),
): Output {
  return {
    color,
    line(text = '') {
      stream.write(`${text}\n`);
    },
    json(document) {
      stream.write(`${JSON.stringify(redact(document), null, 2)}\n`);
    },
    style(format, text) {
      return color ? styleText(format, text) : text;
    },
  };
}
