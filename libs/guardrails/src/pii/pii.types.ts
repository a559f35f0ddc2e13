import type { PiiEntityType } from '@conduit/contracts';

/** Every entity type the PII detectors report (the list lives in `@conduit/contracts` with the policy schema). */
export { PII_ENTITY_TYPES, STRUCTURED_PII_TYPES } from '@conduit/contracts';
export type { PiiEntityType };

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
