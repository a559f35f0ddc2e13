import { cardDetector, ibanDetector } from './financial.detectors';
import { emailDetector, phoneDetector } from './contact.detectors';
import { dniDetector, ninoDetector, ssnDetector } from './national-id.detectors';
import { ipDetector } from './network.detectors';
import { addressDetector, personDetector } from './name-address.detectors';
import { secretDetector } from './secret.detectors';
import { PII_ENTITY_TYPES, type PiiDetector, type PiiEntity, type PiiEntityType } from './pii.types';

export const PII_DETECTORS: Readonly<Record<PiiEntityType, PiiDetector>> = {
  EMAIL: emailDetector,
  PHONE: phoneDetector,
  CARD: cardDetector,
  IBAN: ibanDetector,
  US_SSN: ssnDetector,
  UK_NINO: ninoDetector,
  ES_DNI: dniDetector,
  IP_ADDRESS: ipDetector,
  SECRET: secretDetector,
  PERSON: personDetector,
  ADDRESS: addressDetector,
};

/** When two detectors claim overlapping text, the more specific one wins (lower is stronger). */
const PRIORITY: Readonly<Record<PiiEntityType, number>> = {
  SECRET: 0,
  CARD: 1,
  IBAN: 2,
  US_SSN: 3,
  UK_NINO: 3,
  ES_DNI: 3,
  EMAIL: 4,
  IP_ADDRESS: 5,
  PHONE: 6,
  ADDRESS: 7,
  PERSON: 8,
};

/** Non-overlapping entities in text order; overlaps go to the stronger type, then the longer span. */
export function resolveOverlaps(entities: PiiEntity[]): PiiEntity[] {
  if (entities.length < 2) return entities;
  const ranked = [...entities].sort((a, b) => PRIORITY[a.type] - PRIORITY[b.type] || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: PiiEntity[] = [];
  for (const candidate of ranked) {
    if (!kept.some((k) => candidate.start < k.end && k.start < candidate.end)) kept.push(candidate);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Types whose every value has a digit: one test of the text skips all of them on text without digits (most prompts). */
export const NEEDS_DIGIT: ReadonlySet<PiiEntityType> = new Set(['PHONE', 'CARD', 'IBAN', 'US_SSN', 'UK_NINO', 'ES_DNI', 'ADDRESS']);
const DIGIT = /\d/;

/** Runs the detectors of the chosen entity types over a text. Stateless; one per policy is fine. */
export class PiiScanner {
  private readonly detectors: PiiDetector[];
  private readonly needsDigit: boolean[];

  constructor(readonly types: readonly PiiEntityType[] = PII_ENTITY_TYPES) {
    this.detectors = types.map((type) => PII_DETECTORS[type]);
    this.needsDigit = types.map((type) => NEEDS_DIGIT.has(type));
  }

  scan(text: string): PiiEntity[] {
    if (text.length === 0) return [];
    const found: PiiEntity[] = [];
    const hasDigit = DIGIT.test(text);
    for (let i = 0; i < this.detectors.length; i += 1) {
      if (!hasDigit && this.needsDigit[i] === true) continue;
      const detector = this.detectors[i] as PiiDetector;
      if (detector.mayContain(text)) for (const e of detector.detect(text)) found.push(e);
    }
    return resolveOverlaps(found);
  }
}
