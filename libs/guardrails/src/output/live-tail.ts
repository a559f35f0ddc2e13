/**
 * Where a streamed answer could still be inside a match that is not complete yet. The streaming
 * output guard releases everything before that point at once and holds only the rest, instead of
 * holding a fixed window: most text (ordinary words) cannot grow into a PII value, a key, a
 * deny-listed term or a moderation phrase, so it goes out as soon as it arrives.
 */

/** Longest run of short tokens and digit groups a structured value spans (an IBAN in groups is 42). */
export const STRUCTURED_RUN_CHARS = 48;

/** Key prefixes (see secret.detectors.ts): a token that starts with one is held until it ends. */
const KEY_MARKERS = [
  'sk-', 'sk_live_', 'sk_test_', 'rk_live_', 'rk_test_', 'AKIA', 'ASIA', 'ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_',
  'xoxa-', 'xoxb-', 'xoxp-', 'xoxo-', 'xoxs-', 'xoxr-', 'AIza', 'eyJ', '-----BEGIN',
];
/** Markers made of letters only: a bare-letter token equal to one is already a key's start. */
const LETTER_MARKERS = KEY_MARKERS.filter((m) => /^[A-Za-z]+$/.test(m));

/**
 * An unfinished last token that can only grow into something whose released part would not be
 * sensitive by itself: letters (any script) and apostrophes, then closing punctuation. It can
 * still become an email's local part ("john" + "@…"), which is why it is released only by the
 * guard's stall flush, never by `push` alone.
 */
const WEAK_TOKEN = /^[\p{L}'’]+[.,!?;:)"”’]*$/u;

const isSpace = (code: number) => code === 32 || code === 10 || code === 9 || code === 13 || code === 12 || code === 11 || code === 0xa0;

/** Start of the last token when the text does not end in whitespace; `text.length` otherwise. */
export function unfinishedTokenStart(text: string): number {
  let i = text.length;
  while (i > 0 && !isSpace(text.charCodeAt(i - 1))) i -= 1;
  return i;
}

/** True when an unfinished token can only grow into a non-sensitive prefix (see WEAK_TOKEN). */
export function isWeakToken(token: string): boolean {
  if (!WEAK_TOKEN.test(token)) return false;
  return !LETTER_MARKERS.some((m) => token.startsWith(m));
}

/** True when a token starts with a key prefix. */
export function startsWithKeyMarker(token: string): boolean {
  return KEY_MARKERS.some((m) => token.startsWith(m));
}

const hasDigitIn = (s: string) => /\d/.test(s);
/** A token that can sit inside a structured value: it has a digit, or is a short group ("GB82 WEST", "AB 12 34 56 C", "+", "(0)"). */
const structuredToken = (t: string) => hasDigitIn(t) || /^[A-Za-z0-9+()./:-]{1,4}$/.test(t);

/**
 * Start of the trailing run of structured-looking tokens (digit groups of cards, phones, IBANs,
 * national ids, IPs) when it contains a digit: the value may continue with the next chunk, so the
 * run is held whole. Capped at STRUCTURED_RUN_CHARS (at a token start).
 */
export function structuredRunStart(text: string): number {
  const floor = Math.max(0, text.length - STRUCTURED_RUN_CHARS);
  let start = text.length;
  let sawDigit = false;
  let end = text.length;
  while (end > floor) {
    while (end > floor && isSpace(text.charCodeAt(end - 1))) end -= 1;
    let begin = end;
    while (begin > 0 && !isSpace(text.charCodeAt(begin - 1))) begin -= 1;
    if (begin === end || begin < floor) break;
    const token = text.slice(begin, end);
    if (!structuredToken(token)) break;
    if (hasDigitIn(token)) sawDigit = true;
    start = begin;
    end = begin;
  }
  if (sawDigit) return start;
  // "AB " / "GB ": two capitals can open a national insurance number or an IBAN in groups.
  const last = text.slice(unfinishedTokenStart(text.trimEnd())).trimEnd();
  return /^[A-Z]{2}$/.test(last) && last.length < text.length ? text.trimEnd().length - 2 : text.length;
}

/**
 * A set of lower-cased phrases (whitespace collapsed) and all their proper prefixes, to tell
 * whether the end of a stream could still become one of them.
 */
export class PhrasePrefixes {
  private readonly prefixes = new Set<string>();
  /** First characters of the phrases: most positions are skipped on one look-up. */
  private readonly firsts = new Set<number>();
  readonly longest: number;

  constructor(phrases: readonly string[]) {
    let longest = 0;
    for (const raw of phrases) {
      const phrase = raw.toLowerCase().trim().replace(/\s+/g, ' ');
      if (phrase.length === 0) continue;
      longest = Math.max(longest, phrase.length);
      this.firsts.add(phrase.charCodeAt(0));
      for (let k = 1; k < phrase.length; k += 1) this.prefixes.add(phrase.slice(0, k));
    }
    this.longest = longest;
  }

  get empty(): boolean {
    return this.prefixes.size === 0;
  }

  /**
   * The earliest word start from which the end of `text` reads as a proper prefix of a phrase
   * (`text.length` when there is none). Looks back at most `longest` characters (plus spacing).
   */
  start(text: string): number {
    if (this.prefixes.size === 0) return text.length;
    const from = Math.max(0, text.length - this.longest * 2);
    const tail = text.slice(from).toLowerCase();
    for (let s = 0; s < tail.length; s += 1) {
      // Candidates start at a non-space character that does not continue a word.
      if (!this.firsts.has(tail.charCodeAt(s)) || (s > 0 && isWordChar(tail.charCodeAt(s - 1)) && isWordChar(tail.charCodeAt(s)))) continue;
      const candidate = tail.slice(s).replace(/\s+/g, ' ');
      if (candidate.length <= this.longest && this.prefixes.has(candidate)) return from + s;
    }
    return text.length;
  }
}

function isWordChar(code: number): boolean {
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
  return code >= 0xc0 && !(code >= 0x2000 && code <= 0x2bff) && !(code >= 0x3000 && code <= 0x303f);
}

/** Start of a PEM block with no END line yet (`text.length` when none). */
export function openPemStart(text: string, from: number): number {
  const pem = text.indexOf('-----BEGIN', from);
  if (pem !== -1 && text.indexOf('-----END', pem) === -1) return pem;
  return text.length;
}

/** The last whitespace boundary at or before `point` and after `floor` (never splits a token). */
export function tokenBoundaryBefore(text: string, point: number, floor: number): number {
  let p = point;
  while (p > floor && !isSpace(text.charCodeAt(p - 1))) p -= 1;
  return p;
}
