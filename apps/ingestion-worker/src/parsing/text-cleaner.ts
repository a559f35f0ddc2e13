export interface CleanOptions {
  /** Join words broken across lines with a hyphen ("exam-\nple" → "example"); for PDF text. */
  joinHyphenated?: boolean;
  /** Drop leading spaces of lines (extracted HTML/PDF text); Markdown and plain text keep indentation. */
  trimLineStarts?: boolean;
}

/**
 * Normalises extracted text so chunks and offsets are stable: Unicode NFC, `\n` line ends,
 * no control or zero-width characters, tabs and exotic spaces as plain spaces, runs of spaces
 * inside lines collapsed, no trailing spaces, at most one blank line between paragraphs, no
 * leading or trailing blank lines.
 */
export function cleanText(raw: string, options: CleanOptions = {}): string {
  let text = raw.normalize('NFC').replace(/\r\n?/g, '\n');
  // Form feeds and vertical tabs (page breaks) become line breaks; other C0/C1 controls,
  // zero-width characters, BOMs and soft hyphens go.
  /* eslint-disable no-control-regex -- removing control characters is the point */
  text = text.replace(/[\u000B\u000C\u2028\u2029]/g, '\n');
  text = text.replace(/[\u0000-\u0008\u000E-\u001F\u007F-\u009F\u00AD\u200B-\u200D\u2060\uFEFF]/g, '');
  /* eslint-enable no-control-regex */
  text = text.replace(/[\t\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g, ' ');
  if (options.joinHyphenated) text = text.replace(/(\p{L})-\n(\p{Ll})/gu, '$1$2');
  text = text.replace(/(\S) {2,}/g, '$1 ');
  // Each pattern that ends at a line or text end is anchored at the start of its run (lookbehind,
  // or no regex): tried at every position of a long run that is not at the end, it would rescan
  // the rest of the run each time (quadratic in the run's length).
  text = text.replace(/(?<! ) +$/gm, '');
  if (options.trimLineStarts) text = text.replace(/^ +/gm, '');
  text = text.replace(/\n{3,}/g, '\n\n');
  return text.replace(/^\n+/, '').trimEnd();
}
