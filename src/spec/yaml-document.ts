/**
 * Parsing workflow text into a YAML document that remembers where everything is, so every later
 * problem can be reported with its line and column. Pure: the text is given.
 */
import { type Document, LineCounter, parseDocument } from 'yaml';
import { InvalidInputError } from '../errors/index.js';
import type { YamlLocator } from './issue.js';

export interface ParsedYaml extends YamlLocator {
  document: Document;
}

/** Throws InvalidInputError (exit 3) naming the file, line and column of a syntax error. */
export function parseYamlText(file: string, text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter });
  const first = document.errors[0];
  if (first !== undefined) {
    const position = first.linePos?.[0];
    const where = position ? `:${position.line}:${position.col}` : '';
    throw new InvalidInputError(
      `${file}${where}: invalid YAML: ${first.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`,
      {
        file,
        path: '(document)',
        expected: 'valid YAML',
        found: first.code,
        cause: first,
      },
    );
  }
  return { document, lineCounter };
}
