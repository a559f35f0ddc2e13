export { PII_ENTITY_TYPES, STRUCTURED_PII_TYPES } from './pii/pii.types';
export type { PiiDetector, PiiEntity, PiiEntityType } from './pii/pii.types';
export { PII_DETECTORS, PiiScanner, resolveOverlaps } from './pii/pii-scanner';
export { dniValid, ibanValid, luhnValid, ninoPrefixValid, ssnValid } from './pii/checksums';
export { splitOf, TEST_SHARE } from './evaluation/dataset-split';
export type { Split } from './evaluation/dataset-split';
export { evaluatePii } from './evaluation/pii-evaluation';
export type { PiiItem, PiiMistake, TypeScore } from './evaluation/pii-evaluation';
