import { dniValid, ibanValid, luhnValid, ninoPrefixValid, ssnValid } from './checksums';
import { NEEDS_DIGIT, PII_DETECTORS, PiiScanner } from './pii-scanner';
import type { PiiEntityType } from './pii.types';

const scanner = new PiiScanner();
const found = (text: string): Array<[PiiEntityType, string]> => scanner.scan(text).map((e) => [e.type, e.value]);

describe('checksums', () => {
  it('Luhn accepts valid card numbers and rejects a changed digit', () => {
    expect(luhnValid('4539148803436467')).toBe(true);
    expect(luhnValid('4539148803436468')).toBe(false);
    expect(luhnValid('')).toBe(false);
  });
  it('IBAN mod-97 and country length', () => {
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('DE88370400440532013000')).toBe(false);
    expect(ibanValid('DE8937040044053201300')).toBe(false); // one short for DE
    expect(ibanValid('XX89370400440532013000')).toBe(false);
  });
  it('SSN invalid ranges', () => {
    expect(ssnValid('536', '22', '8710')).toBe(true);
    for (const [a, g, s] of [['000', '12', '3456'], ['666', '12', '3456'], ['912', '12', '3456'], ['536', '00', '3456'], ['536', '22', '0000']]) {
      expect(ssnValid(a as string, g as string, s as string)).toBe(false);
    }
  });
  it('NINO prefixes and DNI/NIE letters', () => {
    expect(ninoPrefixValid('AB')).toBe(true);
    for (const p of ['DA', 'QQ', 'AO', 'GB', 'ZZ']) expect(ninoPrefixValid(p)).toBe(false);
    expect(dniValid('12345678', 'Z')).toBe(true);
    expect(dniValid('12345678', 'A')).toBe(false);
    expect(dniValid('X1234567', 'L')).toBe(true);
  });
});

describe('PII detectors', () => {
  it.each<[string, PiiEntityType, string]>([
    ['mail me at jane.doe+x@mail.example.co.uk today', 'EMAIL', 'jane.doe+x@mail.example.co.uk'],
    ['call +44 20 7946 0958 now', 'PHONE', '+44 20 7946 0958'],
    ['cell (415) 555-0198.', 'PHONE', '(415) 555-0198'],
    ['ring 06 12 34 56 78', 'PHONE', '06 12 34 56 78'],
    ['E.164 +14155550132', 'PHONE', '+14155550132'],
    ['card 4539 1488 0343 6467 exp 08/27', 'CARD', '4539 1488 0343 6467'],
    ['amex 3782-822463-10005', 'CARD', '3782-822463-10005'],
    ['IBAN DE89 3704 0044 0532 0130 00 please', 'IBAN', 'DE89 3704 0044 0532 0130 00'],
    ['SSN 536-22-8710', 'US_SSN', '536-22-8710'],
    ['NI number AB 12 34 56 C.', 'UK_NINO', 'AB 12 34 56 C'],
    ['DNI 12345678Z', 'ES_DNI', '12345678Z'],
    ['NIE X1234567L', 'ES_DNI', 'X1234567L'],
    ['from 203.0.113.42 at noon', 'IP_ADDRESS', '203.0.113.42'],
    ['host 2001:db8::8a2e:370:7334 down', 'IP_ADDRESS', '2001:db8::8a2e:370:7334'],
    ['key sk-proj-abcdefghijklmnopqrstuvwxyz012345', 'SECRET', 'sk-proj-abcdefghijklmnopqrstuvwxyz012345'],
    ['AKIAABCDEFGHIJKLMNOP leaked', 'SECRET', 'AKIAABCDEFGHIJKLMNOP'],
    ['token ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'SECRET', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
    ['slack xoxb-1234567890-abcdefghij', 'SECRET', 'xoxb-1234567890-abcdefghij'],
    ['My name is Maria Gonzalez.', 'PERSON', 'Maria Gonzalez'],
    ['Ship to 742 Evergreen Terrace, Springfield, OR 97403.', 'ADDRESS', '742 Evergreen Terrace, Springfield, OR 97403'],
  ])('finds %s', (text, type, value) => {
    expect(found(text)).toContainEqual([type, value]);
  });

  it('finds a JWT and a PEM private key block', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2lnbmF0dXJl';
    expect(found(`Bearer ${jwt}`)).toEqual([['SECRET', jwt]]);
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----';
    expect(found(`key: ${pem} end`)).toEqual([['SECRET', pem]]);
  });

  it.each([
    'Order #1002938475612 has been dispatched.',
    'Serial number 1234 5678 9012 3456 is printed under the battery.',
    'Upgrade to version 2.14.1; firmware 1.2.3.4 is affected.',
    'Request id 3f2b8c1e-9a4d-4e7b-8c21-6d5f0a9e7b13 failed.',
    'The fix is in commit 9fceb02d0ae598e95dc970b74767f19372d61af8.',
    'The job started at 2024-03-15T14:22:09Z and finished at 14:25:41.',
    'Timestamp 1700000000123 and epoch 1718000000.',
    'Invalid SSN example: 000-12-3456 and 666-45-1234.',
    'Install scikit-learn, not sk-learn; task-force-planning-2024 is a doc.',
    'MAC 00:1A:2B:3C:4D:5E and std::vector<int> and 16:9.',
    'Account DE00 1234 5678 9012 3456 78 failed the check digit test.',
    'Who was Albert Einstein?',
    'Victoria Station is busy on Monday mornings.',
    'The loopback range is 127.0.0.0/8.',
  ])('finds nothing in hard negative %s', (text) => {
    expect(found(text)).toEqual([]);
  });

  it('resolves overlaps towards the more specific type', () => {
    // A card number is also a run of digits a phone rule could see; the card wins.
    expect(found('card 4111 1111 1111 1111')).toEqual([['CARD', '4111 1111 1111 1111']]);
  });

  it('only runs the chosen detectors', () => {
    expect(new PiiScanner(['EMAIL']).scan('a@b.example +44 20 7946 0958').map((e) => e.type)).toEqual(['EMAIL']);
  });

  it('gives offsets that slice back to the value', () => {
    const text = 'Kontakt: info@firma.example.de, Tel. +49 89 12345678, IBAN DE89370400440532013000.';
    for (const e of scanner.scan(text)) expect(text.slice(e.start, e.end)).toBe(e.value);
    expect(scanner.scan(text).map((e) => e.type)).toEqual(['EMAIL', 'PHONE', 'IBAN']);
  });
});

describe('scanner pre-filter', () => {
  it('skips only detectors that cannot match without a digit', () => {
    // Shapes of every type with the digits turned into letters: a detector the scanner skips on
    // digit-free text must not be able to match there.
    const digitFree = 'GBAB WEST ABCD, AB CD EF G, XABCDEFGL, one Main Street, +ab cd, PO Box ab, ana@example.com, fe80::abcd';
    for (const type of NEEDS_DIGIT) {
      const detector = PII_DETECTORS[type];
      expect({ type, may: detector.mayContain(digitFree) && detector.detect(digitFree).length > 0 }).toEqual({ type, may: false });
    }
    expect(found('Write to ana@example.com')).toEqual([['EMAIL', 'ana@example.com']]);
  });
});
