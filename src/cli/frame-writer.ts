/**
 * A block of lines redrawn in place on a terminal: the cursor goes back up over the last frame
 * and each line is rewritten. Lines are cut to the terminal's width, since a wrapped line would
 * make the next redraw climb too few rows and leave stale ones behind.
 */
export interface FrameWriter {
  draw(lines: readonly string[]): void;
}

const ESC = '\u001b[';
const FALLBACK_COLUMNS = 80;
/** A style code (SGR and the like): no width on screen, and never to be cut in half. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escapes on purpose
const CONTROL = /^\u001b\[[0-9;]*[A-Za-z]/;

export function frameWriter(stream: NodeJS.WritableStream): FrameWriter {
  let drawn = 0;
  return {
    draw(lines) {
      // A run refused before its first entry has no frame: leave the terminal as it is.
      if (lines.length === 0 && drawn === 0) return;
      // A terminal that does not say its width (some pseudo-terminals) gets a common one.
      const told = (stream as NodeJS.WriteStream).columns;
      const columns = told !== undefined && told > 1 ? told : FALLBACK_COLUMNS;
      const up = drawn > 0 ? `${ESC}${drawn}A` : '';
      const body = lines.map((line) => `${ESC}2K${clipVisible(line, columns - 2)}`).join('\n');
      // Clear below too: a frame shorter than the last must not leave its tail on screen.
      stream.write(`${up}\r${ESC}0J${body}\n`);
      drawn = lines.length;
    },
  };
}

/**
 * `line` with at most `width` visible characters, then `…`: style codes do not count, are kept
 * whole, and a cut line ends with a reset so its colour does not run into the next one.
 */
export function clipVisible(line: string, width: number): string {
  let visible = 0;
  let out = '';
  let styled = false;
  for (let i = 0; i < line.length; ) {
    const control = CONTROL.exec(line.slice(i));
    if (control !== null) {
      out += control[0];
      styled = true;
      i += control[0].length;
      continue;
    }
    if (visible === width) return `${out}…${styled ? `${ESC}0m` : ''}`;
    out += line[i];
    visible += 1;
    i += 1;
  }
  return out;
}
