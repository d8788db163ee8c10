/**
 * What commands print on stdout: plain text for people, or exactly one JSON document with
 * `--json`. Colour only on a TTY and never with NO_COLOR. Everything written passes through
 * the same redaction as the logger (registered secrets and secret-shaped values), so a command
 * cannot print a secret by forgetting to mask it.
 */
import { styleText } from 'node:util';
import { jsonLiteralMasker, redact, redactString } from '../log/redact.js';
import { writeJsonDocument } from './json-document.js';

export type Style = Parameters<typeof styleText>[0];

export interface Output {
  readonly color: boolean;
  /** A line for people; secrets are masked on the way out. */
  line(text?: string): void;
  /** The one JSON document of a `--json` command; secrets are redacted on the way out. */
  json(document: unknown): void;
  /** `text` styled (when colour is on), with secrets already masked. */
  style(format: Style, text: string): string;
  /**
   * Text fixed in drainctl's own source, with nothing from input, the environment or the world
   * in it (the JSON Schema of workflows): printed as it is. Its `privateKey` is a field's name,
   * and masking it as a secret's would break the document.
   */
  constant(text: string): void;
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
      stream.write(`${redactString(text)}\n`);
    },
    json(document) {
      // Structural redaction (secret keys, values), then once more over every string of the
      // text: keys are masked too, and a secret that is a number cannot break the document.
      writeJsonDocument(redact(document), (chunk) => stream.write(chunk), jsonLiteralMasker());
      stream.write('\n');
    },
    style(format, text) {
      // Masked before styling: escape codes inside a secret would hide it from the patterns.
      const masked = redactString(text);
      return color ? styleText(format, masked) : masked;
    },
    constant(text) {
      stream.write(`${text}\n`);
    },
  };
}
