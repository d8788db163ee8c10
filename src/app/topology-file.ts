/**
 * The emulator's `--topology` file, read and checked like a workflow: UTF-8 text, YAML with
 * positions (no undefined aliases, no alias bombs, no merge keys), then the emulator's own
 * schema. Every problem is invalid input (exit 3) naming the file and the path inside it.
 */
import { parseTopology, type Topology, TopologyError } from '../../mocks/index.js';
import { readRegularFile, unreadableFileFound } from '../config/regular-file.js';
import { InvalidInputError, type InvalidInputIssue } from '../errors/index.js';
import { decodeWorkflowBytes } from '../workflow/decode-workflow-bytes.js';
import { parseYamlText, yamlData } from '../workflow/yaml-document.js';

/** The validated topology of `file`, or an InvalidInputError naming the file and path. */
export async function loadTopologyFile(file: string): Promise<Topology> {
  let bytes: Buffer;
  try {
    bytes = await readRegularFile(file);
  } catch (cause) {
    const found = unreadableFileFound(cause);
    throw new InvalidInputError(`${file}: expected a readable topology YAML file, found ${found}`, {
      file,
      path: '--topology',
      expected: 'a readable topology YAML file',
      found,
      issues: [{ path: '--topology', expected: 'a readable topology YAML file', found }],
      cause,
    });
  }
  const parsed = parseYamlText(file, decodeWorkflowBytes(file, bytes));
  const data = yamlData(file, parsed);
  try {
    return parseTopology(data, file);
  } catch (cause) {
    if (!(cause instanceof TopologyError)) throw cause;
    const issues = cause.message.split('\n').map((line) => topologyIssue(file, line));
    const [first, ...rest] = issues;
    const more =
      rest.length === 0 ? '' : ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})`;
    throw new InvalidInputError(
      `${file}: ${first?.path}: expected ${first?.expected}${first?.found ? `, found ${first.found}` : ''}${more}`,
      { file, ...first, issues, cause },
    );
  }
}

/** `<file>: instances[0].id: Invalid input: expected string, received number, found 5` */
function topologyIssue(file: string, line: string): InvalidInputIssue {
  const body = line.startsWith(`${file}: `) ? line.slice(file.length + 2) : line;
  const colon = body.indexOf(': ');
  const path =
    colon < 0 ? '(top level)' : body.slice(0, colon).replace(/^\(root\)$/, '(top level)');
  const rest = colon < 0 ? body : body.slice(colon + 2);
  const foundAt = rest.lastIndexOf(', found ');
  const expected = (foundAt < 0 ? rest : rest.slice(0, foundAt))
    .replace(/^Invalid input: expected /, '')
    .replace(/^expected /, '');
  const unknown = /^Unrecognized keys?: (.+)$/.exec(expected);
  if (unknown?.[1] !== undefined) {
    return { path, expected: 'only known keys', found: `unknown key ${unknown[1]}` };
  }
  return {
    path,
    expected,
    ...(foundAt < 0 ? {} : { found: rest.slice(foundAt + ', found '.length) }),
  };
}
