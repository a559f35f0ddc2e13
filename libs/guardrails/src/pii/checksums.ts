/** Check-digit algorithms of the structured identifiers. Inputs are digits (and letters) only. */

/** Luhn (payment cards): every second digit from the right doubled. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** IBAN length per country (ISO 13616 registry). */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28,
  CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18,
  GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32,
  LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24,
  PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28,
  TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

/** ISO 7064 mod 97-10 over an IBAN without spaces (upper case): true when the check digits are right. */
export function ibanValid(compact: string): boolean {
  const expected = IBAN_LENGTHS[compact.slice(0, 2)];
  if (expected === undefined || compact.length !== expected) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let rest = 0;
  for (let i = 0; i < rearranged.length; i += 1) {
    const code = rearranged.charCodeAt(i);
    if (code >= 48 && code <= 57) rest = (rest * 10 + (code - 48)) % 97;
    else if (code >= 65 && code <= 90) rest = (rest * 100 + (code - 55)) % 97;
    else return false;
  }
  return rest === 1;
}

/** US SSN: area 001-899 except 666, group 01-99, serial 0001-9999 (SSA never issues the rest). */
export function ssnValid(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  return a !== 0 && a !== 666 && a < 900 && group !== '00' && serial !== '0000';
}

const NINO_FIRST = /^[A-CEGHJ-PR-TW-Z]$/;
const NINO_SECOND = /^[A-CEGHJ-NPR-TW-Z]$/;
const NINO_UNUSED_PREFIXES = new Set(['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ']);

/** UK National Insurance number prefix rules (HMRC): D, F, I, Q, U, V never used; O not second; some pairs unallocated. */
export function ninoPrefixValid(prefix: string): boolean {
  return NINO_FIRST.test(prefix[0] ?? '') && NINO_SECOND.test(prefix[1] ?? '') && !NINO_UNUSED_PREFIXES.has(prefix);
}

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** Spanish DNI (8 digits) or NIE (X/Y/Z + 7 digits) and its control letter: number mod 23. */
export function dniValid(body: string, letter: string): boolean {
  const first = body[0];
  const numeric = first === 'X' ? `0${body.slice(1)}` : first === 'Y' ? `1${body.slice(1)}` : first === 'Z' ? `2${body.slice(1)}` : body;
  if (!/^\d{8}$/.test(numeric)) return false;
  return DNI_LETTERS[Number(numeric) % 23] === letter;
}
