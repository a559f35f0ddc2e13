/**
 * The built-in injection classifier's features, shared by run-time scoring and the offline
 * training script (scripts/guardrails/train-injection.mjs), so both see exactly the same thing:
 * hashed word unigrams and bigrams and character 3- and 5-grams of the lower-cased text (CJK
 * characters count as words of their own), each reported with its position so the scorer can
 * look at windows of a long document. 2^14 buckets: a 16 kB int8 weight table stays in the L1
 * cache between the other guards' work (2^18 spent most of the scorer's time on cache misses; the
 * smaller table scored as well out of fold on the train split).
 */

export const FEATURE_BITS = 14;
export const FEATURE_COUNT = 1 << FEATURE_BITS;
const MASK = FEATURE_COUNT - 1;
/**
 * Rule anchors (character n-grams, see injection-rules.ts) are looked up by a wider slice of the
 * same hash than the weights, so that the small weight table does not make ordinary n-grams
 * collide with anchors (which would run rules for nothing).
 */
export const ANCHOR_HASH_BITS = 18;
const ANCHOR_MASK = (1 << ANCHOR_HASH_BITS) - 1;
/** One bit per anchor hash (32 kB), filled by injection-rules.ts when it loads. */
export const ANCHOR_SET = new Uint8Array(1 << (ANCHOR_HASH_BITS - 3));
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
// Namespaces, so a word and a character n-gram with the same letters do not share a weight.
const SEED_BIGRAM = 0x9e3779b1;
const SEED_TRI = 0x85ebca77;
const SEED_FIVE = 0xc2b2ae3d;

/** Called once per feature occurrence: the feature's index in the weight table and where it starts in the text. */
export type FeatureSink = (index: number, position: number) => void;

function isCjk(code: number): boolean {
  return (code >= 0x2e80 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7af) || (code >= 0xf900 && code <= 0xfaff);
}

/** Letters and digits of any script form words; everything else separates them. */
function isWordCode(code: number): boolean {
  if (code < 128) return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 65 && code <= 90);
  if (code < 0xc0) return false;
  if (code >= 0x2000 && code <= 0x2bff) return false; // punctuation, symbols, arrows
  if (code >= 0x3000 && code <= 0x303f) return false; // CJK punctuation
  if (code >= 0xff00 && code <= 0xff20) return false; // full-width punctuation
  return true;
}

/** The anchor hash of a character 3-gram or 5-gram as the feature pass computes it (space stands for any run of separators). */
export function ngramIndex(gram: string): number {
  const codes = [...gram].map((ch) => ch.charCodeAt(0));
  if (codes.length === 3) return (triHash(codes[0] as number, codes[1] as number, codes[2] as number) >>> 0) & ANCHOR_MASK;
  if (codes.length === 5) {
    const tri = triHash(codes[2] as number, codes[3] as number, codes[4] as number);
    return (fiveHash(tri, codes[0] as number, codes[1] as number) >>> 0) & ANCHOR_MASK;
  }
  throw new Error(`n-gram anchors have 3 or 5 characters: "${gram}"`);
}

function triHash(a: number, b: number, c: number): number {
  return Math.imul(Math.imul(Math.imul(SEED_TRI ^ a, FNV_PRIME) ^ b, FNV_PRIME) ^ c, FNV_PRIME);
}

function fiveHash(tri: number, a: number, b: number): number {
  return Math.imul(Math.imul(Math.imul(tri ^ SEED_FIVE ^ a, FNV_PRIME) ^ b, FNV_PRIME), FNV_PRIME);
}

/**
 * Feature occurrences of one text, in reusable typed arrays (the scorer runs synchronously, so one
 * set per process is enough and a short text allocates nothing): feature `k` has index
 * `indices[k]` and starts at `positions[k]`.
 */
export interface FeatureBuffer {
  indices: Int32Array;
  positions: Int32Array;
  count: number;
  hasCjk: boolean;
  /** The rule anchors among the character n-grams: anchor hash and position, `anchorCount` of them. */
  anchorIndices: Int32Array;
  anchorPositions: Int32Array;
  anchorCount: number;
}

export function newFeatureBuffer(capacity = 4_096): FeatureBuffer {
  return {
    indices: new Int32Array(capacity),
    positions: new Int32Array(capacity),
    count: 0,
    hasCjk: false,
    anchorIndices: new Int32Array(capacity),
    anchorPositions: new Int32Array(capacity),
    anchorCount: 0,
  };
}

function grow(out: FeatureBuffer, needed: number): void {
  let size = out.indices.length;
  while (size < needed) size *= 2;
  out.indices = new Int32Array(size);
  out.positions = new Int32Array(size);
  out.anchorIndices = new Int32Array(size);
  out.anchorPositions = new Int32Array(size);
}

/**
 * Fills `out` with every feature of `text` (lower-cased first; pass `lower` when the caller has
 * it): at most two word features per word and two character n-grams per character.
 */
export function collectFeatures(text: string, out: FeatureBuffer, lower: string = text.toLowerCase()): FeatureBuffer {
  // Each character emits at most two n-grams, each word ends once (two features): 4 per character bounds it.
  if (out.indices.length < 4 * (lower.length + 1)) grow(out, 4 * (lower.length + 1));
  const indices = out.indices;
  const positions = out.positions;
  const anchorIndices = out.anchorIndices;
  const anchorPositions = out.anchorPositions;
  let anchors = 0;
  let n = 0;
  let hasCjk = false;
  let word = FNV_OFFSET;
  let wordStart = -1;
  let previousWord = 0;
  let havePrevious = false;
  // The last five characters of the normalised stream (separators collapsed to one space).
  let c1 = 32;
  let c2 = 32;
  let c3 = 32;
  let c4 = 32;
  let lastWasSpace = true;
  for (let i = 0; i <= lower.length; i += 1) {
    let code = i < lower.length ? lower.charCodeAt(i) : 32;
    const cjk = code >= 0x2e80 && isCjk(code);
    if (cjk) hasCjk = true;
    if (cjk || !isWordCode(code)) {
      // End the current word; a CJK character is then a one-character word of its own.
      for (let pass = 0; pass < 2; pass += 1) {
        if (pass === 1) {
          if (!cjk) break;
          wordStart = i;
          word = Math.imul(FNV_OFFSET ^ code, FNV_PRIME);
        }
        if (wordStart === -1) continue;
        const w = word >>> 0;
        indices[n] = w & MASK;
        positions[n++] = wordStart;
        if (havePrevious) {
          indices[n] = (Math.imul(previousWord ^ SEED_BIGRAM, FNV_PRIME) ^ w) & MASK;
          positions[n++] = wordStart;
        }
        previousWord = w;
        havePrevious = true;
        word = FNV_OFFSET;
        wordStart = -1;
      }
      if (!cjk) {
        if (lastWasSpace) continue;
        code = 32;
      }
    } else {
      if (wordStart === -1) wordStart = i;
      word = Math.imul(word ^ code, FNV_PRIME);
    }
    lastWasSpace = code === 32;
    // Character n-grams over the normalised stream; the anchors among them noted on the way.
    const tri = triHash(c3, c4, code) >>> 0;
    const five = fiveHash(tri, c1, c2) >>> 0;
    indices[n] = tri & MASK;
    positions[n++] = i;
    indices[n] = five & MASK;
    positions[n++] = i;
    let a = tri & ANCHOR_MASK;
    if (((ANCHOR_SET[a >>> 3] as number) & (1 << (a & 7))) !== 0) {
      anchorIndices[anchors] = a;
      anchorPositions[anchors++] = i;
    }
    a = five & ANCHOR_MASK;
    if (((ANCHOR_SET[a >>> 3] as number) & (1 << (a & 7))) !== 0) {
      anchorIndices[anchors] = a;
      anchorPositions[anchors++] = i;
    }
    c1 = c2;
    c2 = c3;
    c3 = c4;
    c4 = code;
  }
  out.count = n;
  out.hasCjk = hasCjk;
  out.anchorCount = anchors;
  return out;
}

/** Emits every feature of `text` (in the order `collectFeatures` stores them); returns whether the text has CJK characters. */
export function forEachFeature(text: string, emit: FeatureSink): boolean {
  const out = collectFeatures(text, newFeatureBuffer(16));
  for (let k = 0; k < out.count; k += 1) emit(out.indices[k] as number, out.positions[k] as number);
  return out.hasCjk;
}
