import { IBAN_LENGTHS, ibanValid, luhnValid } from './checksums';
import { entity, type PiiDetector, type PiiEntity } from './pii.types';
import { isAsciiAlnum, isAsciiLetter, isDigit, wordCharAt } from './text-scan';
import { matchesOf } from '../regex-matches';

/** Issuer prefixes of the card networks (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro). */
const CARD_PREFIX = /^(?:4|5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)|3[47]|6(?:011|5|4[4-9]|2)|35(?:2[89]|[3-8])|3(?:0[0-5]|[68])|5[06-9]|6[0-9])/;
// Grouped as printed: groups of four (the last one shorter), Amex/Diners 4-6-5 / 4-6-4, or no separators; one separator kind.
const CARD_GROUPS = /^(?:\d{4}([ -])(?:\d{4}\1){1,3}\d{1,4}|\d{4}([ -])\d{6}\2\d{4,5}|\d{13,19})$/;

const CARD_RUN = /\d(?:\d|[ -](?=\d)){11,22}/g;
const IBAN_START = /[A-Za-z]{2}\d{2}/g;

/** Payment card: 13–19 digits, printed grouping, a known network prefix and a valid Luhn digit. */
export const cardDetector: PiiDetector = {
  type: 'CARD',
  mayContain: (text) => /\d{4}/.test(text),
  detect(text) {
    const out: PiiEntity[] = [];
    for (const match of matchesOf(CARD_RUN, text)) {
      const start = match.index;
      if (wordCharAt(text, start - 1) || text[start - 1] === '-' || text[start - 1] === '.') continue;
      // The run may carry a trailing group that is not the card's (a date, a CVV): try the longest valid prefix.
      const run = match[0];
      for (let end = run.length; end >= 13; end -= 1) {
        if (!isDigit(run.charCodeAt(end - 1))) continue;
        if (end < run.length && isDigit(run.charCodeAt(end))) continue;
        const candidate = run.slice(0, end);
        if (!CARD_GROUPS.test(candidate)) continue;
        const digits = candidate.replace(/\D/g, '');
        if (!CARD_PREFIX.test(digits) || !luhnValid(digits)) continue;
        const stop = start + end;
        if (end === run.length && (wordCharAt(text, stop) || (text[stop] === '.' && isDigit(text.charCodeAt(stop + 1))))) break;
        out.push(entity('CARD', text, start, stop));
        break;
      }
    }
    return out;
  },
};

/**
 * IBAN: a country code with a registered length, two check digits, then exactly that many
 * characters (spaces between groups allowed), validated with ISO 7064 mod 97-10. Lower case is accepted.
 */
export const ibanDetector: PiiDetector = {
  type: 'IBAN',
  mayContain: (text) => /[A-Za-z]{2}\d{2}/.test(text),
  detect(text) {
    const out: PiiEntity[] = [];
    for (const match of matchesOf(IBAN_START, text)) {
      const start = match.index;
      if (wordCharAt(text, start - 1)) continue;
      const country = match[0].slice(0, 2).toUpperCase();
      const length = IBAN_LENGTHS[country];
      if (length === undefined) continue;
      let compact = country + match[0].slice(2);
      let i = start + 4;
      while (compact.length < length && i < text.length) {
        const code = text.charCodeAt(i);
        if (isAsciiAlnum(code)) {
          compact += text[i]?.toUpperCase();
          i += 1;
        } else if (code === 32 && isAsciiAlnum(text.charCodeAt(i + 1))) {
          i += 1;
        } else break;
      }
      if (compact.length !== length || wordCharAt(text, i) || !ibanValid(compact)) continue;
      // Printed IBANs break into groups of four: a trailing letter run would be a word, not the IBAN.
      if (isAsciiLetter(text.charCodeAt(i))) continue;
      out.push(entity('IBAN', text, start, i));
    }
    return out;
  },
};
