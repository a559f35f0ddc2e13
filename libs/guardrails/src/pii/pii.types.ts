/** Every entity type the PII detectors report. Placeholders are named after them (`<EMAIL_1>`). */
export const PII_ENTITY_TYPES = [
  'EMAIL',
  'PHONE',
  'CARD',
  'IBAN',
  'US_SSN',
  'UK_NINO',
  'ES_DNI',
  'IP_ADDRESS',
  'SECRET',
  'PERSON',
  'ADDRESS',
] as const;

export type PiiEntityType = (typeof PII_ENTITY_TYPES)[number];

/** The structured types: found by shape plus a checksum or a strict format, high precision. */
export const STRUCTURED_PII_TYPES: readonly PiiEntityType[] = ['EMAIL', 'PHONE', 'CARD', 'IBAN', 'US_SSN', 'UK_NINO', 'ES_DNI', 'IP_ADDRESS', 'SECRET'];

/** A value found in a text: `text.slice(start, end) === value` (UTF-16 offsets, as JavaScript indexes strings). */
export interface PiiEntity {
  type: PiiEntityType;
  start: number;
  end: number;
  value: string;
}

/** One detector: `detect` returns its entities in any order; they may overlap other detectors' entities. */
export interface PiiDetector {
  readonly type: PiiEntityType;
  /** A cheap test: false means `detect` cannot find anything in `text`. */
  mayContain(text: string): boolean;
  detect(text: string): PiiEntity[];
}

export function entity(type: PiiEntityType, text: string, start: number, end: number): PiiEntity {
  return { type, start, end, value: text.slice(start, end) };
}
