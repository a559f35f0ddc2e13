import { entity, type PiiDetector, type PiiEntity } from './pii.types';
import { before, isAsciiAlnum, isDigit, wordCharAt } from './text-scan';
import { matchesOf } from '../regex-matches';

// RFC 5322 atext minus `=`, `/`, `{`, `|`, `}` and backquote: legal but rare, and `key=user@host` in logs must not swallow the key.
const LOCAL_CHARS = /[A-Za-z0-9!#$%&'*+?^_~.-]/;

function isLocalChar(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return isAsciiAlnum(code) || (code < 128 && LOCAL_CHARS.test(ch));
}

/**
 * Email: found from each `@` outwards (linear time, no regex backtracking over long words): a
 * local part of RFC 5322 atom characters and dots, a domain of at least two LDH labels and an
 * alphabetic top-level label.
 */
export const emailDetector: PiiDetector = {
  type: 'EMAIL',
  mayContain: (text) => text.includes('@'),
  detect(text) {
    const out: PiiEntity[] = [];
    let at = text.indexOf('@');
    let floor = 0;
    while (at !== -1) {
      let start = at;
      while (start > floor && isLocalChar(text[start - 1] as string)) start -= 1;
      while (start < at && (text[start] === '.' || text[start] === "'")) start += 1;
      let end = at + 1;
      let labels = 0;
      let lastLabelAlpha = false;
      for (;;) {
        let labelEnd = end;
        while (labelEnd < text.length && (isAsciiAlnum(text.charCodeAt(labelEnd)) || text[labelEnd] === '-')) labelEnd += 1;
        const label = text.slice(end, labelEnd);
        if (label.length === 0 || label.length > 63 || label.startsWith('-') || label.endsWith('-')) break;
        labels += 1;
        lastLabelAlpha = /^[A-Za-z]{2,24}$/.test(label);
        end = labelEnd;
        if (text[end] === '.' && end + 1 < text.length && isAsciiAlnum(text.charCodeAt(end + 1))) end += 1;
        else break;
      }
      const localOk = at - start >= 1 && at - start <= 64 && text[at - 1] !== '.';
      if (localOk && labels >= 2 && lastLabelAlpha && !wordCharAt(text, end)) {
        out.push(entity('EMAIL', text, start, end));
        floor = end;
      }
      at = text.indexOf('@', Math.max(at + 1, end));
    }
    return out;
  },
};

/** A maximal run of digits and phone separators (single spaces only). */
const PHONE_RUN = /[+(]?\d(?:[\d.()/-]| (?=[\d(]))*\d/g;

const PHONE_CUE = /(?:phone|tel|call|ring|dial|mobile|cell|whatsapp|sms|text me|fax|número|teléfono|telefono|móvil|téléphone|portable|appelez|telefon|handy|ruf)[^\n]{0,20}$/;

// Whole-candidate formats (the candidate is a maximal run of digits and separators).
const INTERNATIONAL = /^\+\d{1,3}(?:[ .-]?\(0\)|[ .-]?\(\d{1,4}\))?(?:[ .-]?\d{1,5}){1,6}$/;
const US = /^(?:1[ .-])?(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}$/;
const TRUNK = /^0[1-9]\d{0,3}(?:[ /-]\d{2,8}){1,4}$/;
const FR_DOTTED = /^0\d(?:[.]\d{2}){4}$/;
const ES_MOBILE = /^[6789]\d{2}(?: \d{2}){3}$|^[6789]\d{2} \d{3} \d{3}$/;
const BARE = /^\d{10,11}$/;

function digitCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i += 1) if (isDigit(s.charCodeAt(i))) n += 1;
  return n;
}

function isPhone(candidate: string, text: string, start: number): boolean {
  const digits = digitCount(candidate);
  if (digits < 7 || digits > 15) return false;
  if (candidate.startsWith('+')) return digits >= 8 && INTERNATIONAL.test(candidate);
  if (US.test(candidate)) return true;
  if (digits >= 9 && digits <= 12 && TRUNK.test(candidate) && !/^\d+$/.test(candidate)) return true;
  if (FR_DOTTED.test(candidate) || ES_MOBILE.test(candidate)) return true;
  return BARE.test(candidate) && PHONE_CUE.test(before(text, start, 40));
}

/**
 * Phone: E.164 and international `+CC …` numbers; national formats of the US/Canada
 * (`(415) 555-0132`, `415-555-0132`, `415.555.0132`), trunk-prefix numbers (`020 7946 0958`,
 * `06 12 34 56 78`, `030 12345678`) and Spanish mobiles; bare 10–11 digit runs only after a
 * phone cue word ("call", "tel", "mobile", …). 7–15 digits.
 */
export const phoneDetector: PiiDetector = {
  type: 'PHONE',
  mayContain: (text) => /\d{2}/.test(text),
  detect(text) {
    const out: PiiEntity[] = [];
    for (const match of matchesOf(PHONE_RUN, text)) {
      let start = match.index;
      let candidate = match[0];
      // A "(0)" or "(415)" belongs to the number; a lone "(" before a non-area part does not.
      if (candidate.startsWith('(') && !/^\(\d{3}\)/.test(candidate)) {
        candidate = candidate.slice(1);
        start += 1;
      }
      const end = start + candidate.length;
      const prev = text[start - 1];
      if (wordCharAt(text, start - 1) || prev === '.' || prev === '-' || prev === '/' || prev === '#') continue;
      if (wordCharAt(text, end) || (text[end] === '.' && isDigit(text.charCodeAt(end + 1)))) continue;
      if (isPhone(candidate, text, start)) out.push(entity('PHONE', text, start, end));
    }
    return out;
  },
};
