import type { EmbedOptions, Embedder } from './embedder';
import { FNV_OFFSET_BASIS, fmix32, fnv1aUpdate } from './feature-hash';
import { throwIfAborted } from './vector-math';

export const HASHING_MODEL = 'hashing-v2';
export const HASHING_DEFAULT_DIMENSION = 384;

export interface HashingEmbedderOptions {
  /** Output dimension, 2 – 16000. Default 384. */
  dimension?: number;
}

/** Relative weight of each feature family in the final vector. */
const WEIGHTS = { word: 1, bigram: 0.6, char: 0.8 } as const;
const TAG = { word: 'w\u0000', bigram: 'b\u0000', char: 'c\u0000' } as const;
const SIGN_SALT = 0x9e3779b9;
/** A letter/number run, optionally joined by apostrophes (don't, l'eau). */
const WORD = /[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{N}\p{M}]+)*/gu;
const EMPTY_FEATURE = '\u2205';

type Counts = Map<number, number>;

/**
 * Function words carry no topic and, hashed into a few hundred dimensions, drown the words that
 * do: they are left out (unless a text has nothing else).
 */
const STOPWORDS = new Set(
  `a an and are as at be been but by can could did do does for from had has have how i if in into is it its
  of on or our so than that the their them then there these they this those to was we were what when where
  which who whom why will with would you your he she his her not no yes also about after before over under
  up down out off again further once all any both each few more most other some such only own same very
  just should now my me us am being having doing`.split(/\s+/),
);

function count(counts: Counts, hash: number): void {
  counts.set(hash, (counts.get(hash) ?? 0) + 1);
}

/**
 * **Not a language model.** An offline, deterministic feature-hashing embedder for development,
 * tests and benchmarks: texts that share words, word pairs and character n-grams get similar
 * vectors, so retrieval behaves plausibly without any model or network.
 *
 * Text is NFKC-normalised and lower-cased. Features: word unigrams, word bigrams, and character 3-
 * and 4-grams of each word padded with boundary marks. Each feature is hashed (FNV-1a + murmur3
 * finaliser) to a bucket and a sign; counts are weighted sublinearly (1 + ln tf); each family is
 * L2-normalised, weighted, summed, and the result L2-normalised. Same text, same vector, anywhere.
 */
export class HashingEmbedder implements Embedder {
  readonly model = HASHING_MODEL;
  readonly dimension: number;

  constructor(options: HashingEmbedderOptions = {}) {
    const dimension = options.dimension ?? HASHING_DEFAULT_DIMENSION;
    if (!Number.isInteger(dimension) || dimension < 2 || dimension > 16_000) {
      throw new RangeError(`HashingEmbedder: dimension must be an integer in [2, 16000], got ${dimension}`);
    }
    this.dimension = dimension;
  }

  async embed(texts: string[], options: EmbedOptions = {}): Promise<number[][]> {
    const out: number[][] = [];
    let words = 0;
    for (const text of texts) {
      throwIfAborted(options.signal);
      out.push(this.embedText(text));
      words += text.normalize('NFKC').match(WORD)?.length ?? 0;
    }
    // Computed here, free (priced at $0), but reported like any embedding call.
    if (texts.length > 0) options.onUsage?.({ provider: 'local', model: this.model, inputTokens: words });
    return out;
  }

  /** The vector of one text, synchronously. */
  embedText(text: string): number[] {
    const all = text.normalize('NFKC').toLowerCase().match(WORD) ?? [];
    const content = all.filter((word) => !STOPWORDS.has(word));
    const words = content.length > 0 ? content : all;
    const unigrams: Counts = new Map();
    const bigrams: Counts = new Map();
    const chars: Counts = new Map();

    if (words.length === 0) count(unigrams, fnv1aUpdate(FNV_OFFSET_BASIS, TAG.word + EMPTY_FEATURE));
    const wordSeed = fnv1aUpdate(FNV_OFFSET_BASIS, TAG.word);
    const bigramSeed = fnv1aUpdate(FNV_OFFSET_BASIS, TAG.bigram);
    const charSeed = fnv1aUpdate(FNV_OFFSET_BASIS, TAG.char);
    for (let w = 0; w < words.length; w++) {
      const word = words[w];
      count(unigrams, fnv1aUpdate(wordSeed, word));
      if (w > 0) count(bigrams, fnv1aUpdate(fnv1aUpdate(fnv1aUpdate(bigramSeed, words[w - 1]), ' '), word));
      const padded = `<${word}>`;
      for (let n = 3; n <= 4; n++) {
        // A word shorter than n (with its marks) contributes itself once.
        if (padded.length <= n) {
          if (n === 3) count(chars, fnv1aUpdate(charSeed, padded));
          continue;
        }
        const seed = fnv1aUpdate(charSeed, n === 3 ? '3' : '4');
        for (let i = 0; i + n <= padded.length; i++) count(chars, fnv1aUpdate(seed, padded, i, i + n));
      }
    }

    const vector = new Float64Array(this.dimension);
    this.addFamily(vector, unigrams, WEIGHTS.word);
    this.addFamily(vector, bigrams, WEIGHTS.bigram);
    this.addFamily(vector, chars, WEIGHTS.char);
    let sum = 0;
    for (const x of vector) sum += x * x;
    const norm = Math.sqrt(sum) || 1;
    return Array.from(vector, (x) => x / norm);
  }

  /** Adds one feature family, itself L2-normalised and scaled by `weight`. */
  private addFamily(vector: Float64Array, counts: Counts, weight: number): void {
    if (counts.size === 0) return;
    const family = new Float64Array(this.dimension);
    for (const [hash, tf] of counts) {
      const mixed = fmix32(hash);
      const sign = fmix32(hash ^ SIGN_SALT) & 1 ? -1 : 1;
      family[mixed % this.dimension] += sign * (1 + Math.log(tf));
    }
    let sum = 0;
    for (const x of family) sum += x * x;
    if (sum === 0) return; // every feature cancelled out in one bucket: this family adds nothing
    const scale = weight / Math.sqrt(sum);
    for (let i = 0; i < vector.length; i++) vector[i] += family[i] * scale;
  }
}
