/**
 * The end of a command's output that a host keeps (the last 64 KiB), cut so that the masking
 * applied to it later cannot miss a secret. A cut inside a line can keep the end of a secret
 * without its start (`…r2-x9aaaa`), which nothing recognises any more; secrets, and the
 * credential shapes masked by pattern (`password=…`), do not span lines, so the kept text
 * starts at a line start. Hosts stream output and cannot keep all of it to mask it first.
 */

/** `kept` is the last bytes of the output; `truncated` whether anything came before them. */
export function tailFromLineStart(kept: Buffer, truncated: boolean): string {
  if (!truncated) return kept.toString('utf8');
  const newline = kept.indexOf(10);
  if (newline < 0 || newline === kept.length - 1) {
    // One line longer than what is kept: any part of it may be a secret's end.
    return '[… the last line of the output was longer than drainctl keeps; not shown]';
  }
  return `…${kept.subarray(newline + 1).toString('utf8')}`;
}
