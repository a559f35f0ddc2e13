/** Small character tests shared by the detectors (ASCII fast paths; PII shapes are ASCII). */

export function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

export function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

export function isAsciiAlnum(code: number): boolean {
  return isDigit(code) || isAsciiLetter(code);
}

/** True when the character at `index` (if any) is a letter, digit or `_` — a word continues there. */
export function wordCharAt(text: string, index: number): boolean {
  if (index < 0 || index >= text.length) return false;
  const code = text.charCodeAt(index);
  if (code < 128) return isAsciiAlnum(code) || code === 95;
  return /[\p{L}\p{N}]/u.test(text[index] as string);
}

/** The `length` characters before `index`, lower-cased: cheap context for cue words. */
export function before(text: string, index: number, length: number): string {
  return text.slice(Math.max(0, index - length), index).toLowerCase();
}

/** True when the first digit of the text is found: most detectors need one. */
export function hasDigit(text: string): boolean {
  return /\d/.test(text);
}
