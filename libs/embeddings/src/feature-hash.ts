/**
 * 32-bit hashing for feature hashing: FNV-1a over UTF-16 code units (each unit folded in as its low
 * and high byte), finished with murmur3's avalanche step so that the low bits used for the bucket
 * and the bit used for the sign are well mixed. Written for this library; not cryptographic.
 */

export const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Continues an FNV-1a hash with `text[start, end)`. */
export function fnv1aUpdate(hash: number, text: string, start = 0, end = text.length): number {
  let h = hash;
  for (let i = start; i < end; i++) {
    const unit = text.charCodeAt(i);
    h ^= unit & 0xff;
    h = Math.imul(h, FNV_PRIME);
    if (unit > 0xff) {
      h ^= unit >>> 8;
      h = Math.imul(h, FNV_PRIME);
    }
  }
  return h >>> 0;
}

/** FNV-1a of a string (equal to byte-wise FNV-1a for Latin-1 text). */
export function fnv1a32(text: string): number {
  return fnv1aUpdate(FNV_OFFSET_BASIS, text);
}

/** murmur3's 32-bit finaliser: every input bit affects every output bit. */
export function fmix32(hash: number): number {
  let h = hash >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
