import { createHash } from 'node:crypto';

export type Split = 'train' | 'test';

/** Share of items in the test split. */
export const TEST_SHARE = 0.3;

/**
 * Deterministic train/test split by a hash of the item's text: the same text is always on the
 * same side, whatever the order of the file or the items added later.
 */
export function splitOf(text: string): Split {
  const digest = createHash('sha256').update(text, 'utf8').digest();
  return digest.readUInt32BE(0) / 0x1_0000_0000 < TEST_SHARE ? 'test' : 'train';
}
