import { dniValid, ninoPrefixValid, ssnValid } from './checksums';
import { entity, type PiiDetector, type PiiEntity } from './pii.types';
import { before, wordCharAt } from './text-scan';
import { matchesOf } from '../regex-matches';

const SSN_SHAPE = /(\d{3})([- ]?)(\d{2})\2(\d{4})/g;
const NINO_SHAPE = /([A-Z]{2}) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-D])/g;
const DNI_SHAPE = /([XYZ]\d{7}|\d{8})-?([A-Z])/g;
const SSN_CUE = /(?:ssn|social security|social|ss#|ss no)[^\n]{0,25}$/;

/**
 * US Social Security number: `AAA-GG-SSSS`; `AAA GG SSSS` and 9 bare digits only after an SSN cue.
 * Ranges the SSA never issues (area 000, 666, 900–999; group 00; serial 0000) are not SSNs.
 */
export const ssnDetector: PiiDetector = {
  type: 'US_SSN',
  mayContain: (text) => /\d{3}/.test(text),
  detect(text) {
    const out: PiiEntity[] = [];
    for (const match of matchesOf(SSN_SHAPE, text)) {
      const [, area, separator, group, serial] = match as unknown as [string, string, string, string, string];
      const start = match.index;
      const end = start + match[0].length;
      if (wordCharAt(text, start - 1) || wordCharAt(text, end) || text[start - 1] === '-' || text[end] === '-') continue;
      if (!ssnValid(area, group, serial)) continue;
      if (separator !== '-' && !SSN_CUE.test(before(text, start, 40))) continue;
      out.push(entity('US_SSN', text, start, end));
    }
    return out;
  },
};

/** UK National Insurance number: two prefix letters (HMRC rules), six digits, suffix A–D; spaces optional. */
export const ninoDetector: PiiDetector = {
  type: 'UK_NINO',
  mayContain: (text) => /[A-Z]{2} ?\d{2}/.test(text),
  detect(text) {
    const out: PiiEntity[] = [];
    for (const match of matchesOf(NINO_SHAPE, text)) {
      const start = match.index;
      const end = start + match[0].length;
      if (wordCharAt(text, start - 1) || wordCharAt(text, end)) continue;
      if (!ninoPrefixValid(match[1] as string)) continue;
      out.push(entity('UK_NINO', text, start, end));
    }
    return out;
  },
};

/** Spanish DNI (8 digits) and NIE (X/Y/Z and 7 digits) with their mod-23 control letter; a hyphen before the letter is allowed. */
export const dniDetector: PiiDetector = {
  type: 'ES_DNI',
  mayContain: (text) => /\d{7}/.test(text),
  detect(text) {
    const out: PiiEntity[] = [];
    for (const match of matchesOf(DNI_SHAPE, text)) {
      const start = match.index;
      const end = start + match[0].length;
      if (wordCharAt(text, start - 1) || wordCharAt(text, end)) continue;
      if (!dniValid(match[1] as string, match[2] as string)) continue;
      out.push(entity('ES_DNI', text, start, end));
    }
    return out;
  },
};
