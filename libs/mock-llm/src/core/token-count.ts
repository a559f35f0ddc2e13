/**
 * Deterministic token estimate shared by prompts, replies and stream deltas.
 *
 * A token is an optional run of leading whitespace followed by either a run of word characters
 * (ASCII letters, digits, `_`, and any non-ASCII character) or one ASCII punctuation character.
 * Whitespace at the very end of a text is one extra token. Joining {@link tokenize}'s output
 * gives back the input, and `tokenize(t).length === countTokens(t)` for every text.
 */

const SPACE = 0;
const WORD = 1;
const PUNCT = 2;

const ASCII_CLASS = new Uint8Array(128).fill(PUNCT);
for (let code = 0; code < 128; code++) {
  const ch = String.fromCharCode(code);
  if (/[A-Za-z0-9_]/.test(ch)) ASCII_CLASS[code] = WORD;
  else if (code === 32 || (code >= 9 && code <= 13)) ASCII_CLASS[code] = SPACE;
}

function classAt(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? ASCII_CLASS[code] : WORD;
}

/** End index (exclusive) of the token starting at `start`; `start < text.length`. */
function tokenEnd(text: string, start: number): number {
  const length = text.length;
  let i = start;
  while (i < length && classAt(text, i) === SPACE) i++;
  if (i === length) return length;
  if (classAt(text, i) === PUNCT) return i + 1;
  i++;
  while (i < length && classAt(text, i) === WORD) i++;
  return i;
}

export function countTokens(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i = tokenEnd(text, i)) count++;
  return count;
}

export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (let i = 0; i < text.length; ) {
    const end = tokenEnd(text, i);
    tokens.push(text.slice(i, end));
    i = end;
  }
  return tokens;
}

/** The reply as sent: its tokens, cut to `maxTokens` when given. */
export interface TruncatedText {
  tokens: string[];
  text: string;
  /** True when `maxTokens` cut the text short. */
  truncated: boolean;
}

export function truncateToTokens(text: string, maxTokens: number | undefined): TruncatedText {
  const tokens = tokenize(text);
  if (maxTokens === undefined || tokens.length <= maxTokens) return { tokens, text, truncated: false };
  const kept = tokens.slice(0, maxTokens);
  return { tokens: kept, text: kept.join(''), truncated: true };
}
