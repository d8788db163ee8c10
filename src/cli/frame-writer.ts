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

export function frameWriter(stream: NodeJS.WritableStream): FrameWriter {
  let drawn = 0;
  return {
    draw(lines) {
      // A run refused before its first entry has no frame: leave the terminal as it is.
      if (lines.length === 0 && drawn === 0) return;
      // A terminal that does not say its width (some pseudo-terminals) gets a common one.
      const told = (stream as NodeJS.WriteStream).columns;
      const columns = told !== undefined && told > 1 ? told : FALLBACK_COLUMNS;
      const clip = (line: string) =>
        line.length >= columns ? `${line.slice(0, columns - 2)}…` : line;
      const up = drawn > 0 ? `${ESC}${drawn}A` : '';
      // Clear below too: a frame shorter than the last must not leave its tail on screen.
      stream.write(`${up}\r${ESC}0J${lines.map((line) => `${ESC}2K${clip(line)}`).join('\n')}\n`);
      drawn = lines.length;
    },
  };
}
