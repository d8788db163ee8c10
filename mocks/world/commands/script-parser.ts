/**
 * Just enough of the POSIX shell grammar to read the scripts people send through Cloud Assistant:
 * quoting, comments, line continuations, `;`, `&&`, `||`, newlines, pipelines and redirections.
 * Control flow (`if`, `for`, functions) and expansions (`$VAR`, `$(…)`) are not interpreted:
 * their words are read literally. Pure; no I/O.
 */

export interface SimpleCommand {
  argv: string[];
  /** stdout goes to a file, so it does not appear in the invocation's output. */
  stdoutToFile: boolean;
}

export interface Statement {
  /** How this statement is joined to the one before it. */
  connector: ';' | '&&' | '||';
  /** Commands joined by `|`; one element for a plain command. */
  pipeline: SimpleCommand[];
}

type Token =
  | { kind: 'word'; value: string }
  | { kind: 'op'; value: ';' | '&&' | '||' | '|' }
  | { kind: 'redirect'; fd: string; op: '>' | '>>' | '<'; duplicate: boolean };

export function parseScript(script: string): Statement[] {
  const statements: Statement[] = [];
  let connector: Statement['connector'] = ';';
  let pipeline: SimpleCommand[] = [];
  let command: SimpleCommand = { argv: [], stdoutToFile: false };
  const tokens = tokenize(script);

  const endCommand = () => {
    if (command.argv.length > 0) pipeline.push(command);
    command = { argv: [], stdoutToFile: false };
  };
  const endStatement = (next: Statement['connector']) => {
    endCommand();
    if (pipeline.length > 0) statements.push({ connector, pipeline });
    pipeline = [];
    connector = next;
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.kind === 'word') {
      command.argv.push(token.value);
    } else if (token.kind === 'redirect') {
      if (token.duplicate) continue; // 2>&1, >&2: output stays in the combined output.
      const target = tokens[i + 1];
      if (target?.kind === 'word') i += 1;
      if (token.op !== '<' && (token.fd === '1' || token.fd === '&')) command.stdoutToFile = true;
    } else if (token.value === '|') {
      endCommand();
    } else {
      endStatement(token.value);
    }
  }
  endStatement(';');
  return statements;
}

function tokenize(script: string): Token[] {
  const tokens: Token[] = [];
  let word = '';
  let inWord = false;
  const endWord = () => {
    if (inWord) tokens.push({ kind: 'word', value: word });
    word = '';
    inWord = false;
  };

  for (let i = 0; i < script.length; i++) {
    const c = script[i] as string;
    const next = script[i + 1];
    if (c === '\\' && next === '\n') {
      i += 1;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
    } else if (c === '\n') {
      endWord();
      tokens.push({ kind: 'op', value: ';' });
    } else if (c === '#' && !inWord) {
      while (i + 1 < script.length && script[i + 1] !== '\n') i += 1;
    } else if (c === "'") {
      const end = script.indexOf("'", i + 1);
      const stop = end < 0 ? script.length : end;
      word += script.slice(i + 1, stop);
      inWord = true;
      i = stop;
    } else if (c === '"') {
      inWord = true;
      i += 1;
      while (i < script.length && script[i] !== '"') {
        if (script[i] === '\\' && '"\\$`\n'.includes(script[i + 1] ?? '')) i += 1;
        word += script[i];
        i += 1;
      }
    } else if (c === '\\') {
      word += next ?? '';
      inWord = true;
      i += 1;
    } else if ((c === '&' && next === '&') || (c === '|' && next === '|')) {
      endWord();
      tokens.push({ kind: 'op', value: c === '&' ? '&&' : '||' });
      i += 1;
    } else if (c === ';' || c === '|') {
      endWord();
      tokens.push({ kind: 'op', value: c });
    } else if (c === '&' && next !== '>') {
      // A background job: Cloud Assistant waits for it all the same, so it runs in sequence.
      endWord();
      tokens.push({ kind: 'op', value: ';' });
    } else if (c === '>' || c === '<' || c === '&') {
      let fd = c === '&' ? '&' : c === '<' ? '0' : '1';
      if (c === '&') i += 1;
      else if (inWord && /^\d+$/.test(word)) {
        fd = word;
        word = '';
        inWord = false;
      }
      endWord();
      const op = script[i] === '<' ? '<' : script[i + 1] === '>' ? '>>' : '>';
      if (op === '>>') i += 1;
      const duplicate = script[i + 1] === '&';
      if (duplicate) {
        i += 1;
        while (i + 1 < script.length && /[\d-]/.test(script[i + 1] as string)) i += 1;
      }
      tokens.push({ kind: 'redirect', fd, op, duplicate });
    } else {
      word += c;
      inWord = true;
    }
  }
  endWord();
  return tokens;
}
