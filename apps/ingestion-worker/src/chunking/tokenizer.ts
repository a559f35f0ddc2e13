import cl100kRanks from 'gpt-tokenizer/cjs/bpeRanks/cl100k_base';
import { CL100K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/cjs/encodingParams/constants';

/** Counts tokens of a text. */
export interface TokenCounter {
  (text: string): number;
  /**
   * The most characters one token can cover, when the tokenizer has such a bound: a text longer
   * than `n × maxTokenChars` has more than `n` tokens, so callers need not count it to know.
   */
  readonly maxTokenChars?: number;
}

/** The longest cl100k token is 128 bytes (a run of spaces); a character is at least one byte. */
const CL100K_MAX_TOKEN_CHARS = 128;
/** Pieces up to this length have their counts remembered (ordinary words that are not one token). */
const CACHED_PIECE_CHARS = 64;
const PIECE_CACHE_ENTRIES = 50_000;
/**
 * A few long pieces are remembered too (at most 256 × 64 Ki characters): a text made of one
 * repeated run (separators, padding) is cut into identical pieces, each merged once.
 */
const CACHED_LONG_PIECE_CHARS = 65_536;
const LONG_PIECE_CACHE_ENTRIES = 256;
/** Merge-pair results remembered before the table is reset (bounds its memory). */
const PAIR_TABLE_MAX = 1 << 22;
const NONE = -1;
const RANK_SHIFT = 2 ** 32;
/** Held in module scope: a global looked up in a hot loop is slow inside a VM context (jest). */
const { imul } = Math;

/** The cl100k vocabulary in the shapes the counter needs, built on first use (~100 ms). */
interface Vocabulary {
  /** Tokens that are valid UTF-16 text, by text: most pieces are one of these. */
  byText: Map<string, number>;
  /** Every token by its UTF-8 bytes held as a Latin-1 string (one char per byte). */
  byBytes: Map<string, number>;
  /** The Latin-1 byte string of each rank. */
  bytesOf: string[];
  /** The rank of each single byte. */
  byteRank: Int32Array;
}

let vocabulary: Vocabulary | undefined;

function loadVocabulary(): Vocabulary {
  const byText = new Map<string, number>();
  const byBytes = new Map<string, number>();
  const bytesOf: string[] = [];
  cl100kRanks.forEach((token, rank) => {
    const bytes = typeof token === 'string' ? Buffer.from(token, 'utf8').toString('latin1') : Buffer.from(token).toString('latin1');
    if (typeof token === 'string') byText.set(token, rank);
    byBytes.set(bytes, rank);
    bytesOf[rank] = bytes;
  });
  const byteRank = new Int32Array(256);
  for (let byte = 0; byte < 256; byte += 1) {
    const rank = byBytes.get(String.fromCharCode(byte));
    if (rank === undefined) throw new Error(`cl100k has no token for byte ${byte}`);
    byteRank[byte] = rank;
  }
  return { byText, byBytes, bytesOf, byteRank };
}

/**
 * Open-addressing table (left rank, right rank) → rank of the merged bytes, or NONE: a merge
 * candidate is looked up by two integers instead of slicing and hashing a string.
 */
class PairTable {
  private capacity = 1 << 16;
  private used = 0;
  private left = new Int32Array(this.capacity).fill(NONE);
  private right = new Int32Array(this.capacity);
  private merged = new Int32Array(this.capacity);

  constructor(private readonly vocabulary: Vocabulary) {}

  rank(a: number, b: number): number {
    const mask = this.capacity - 1;
    let slot = (imul(a, 0x9e3779b1) ^ imul(b, 0x85ebca6b)) & mask;
    for (let key = this.left[slot]; key !== NONE; key = this.left[slot]) {
      if (key === a && this.right[slot] === b) return this.merged[slot];
      slot = (slot + 1) & mask;
    }
    const { byBytes, bytesOf } = this.vocabulary;
    const rank = byBytes.get(bytesOf[a] + bytesOf[b]) ?? NONE;
    if ((this.used + 1) * 2 > this.capacity) {
      this.resize(this.capacity >= PAIR_TABLE_MAX ? 1 << 16 : this.capacity * 2, this.capacity < PAIR_TABLE_MAX);
      this.insert(a, b, rank);
    } else {
      this.left[slot] = a;
      this.right[slot] = b;
      this.merged[slot] = rank;
      this.used += 1;
    }
    return rank;
  }

  private insert(a: number, b: number, rank: number): void {
    const mask = this.capacity - 1;
    let slot = (imul(a, 0x9e3779b1) ^ imul(b, 0x85ebca6b)) & mask;
    while (this.left[slot] !== NONE) slot = (slot + 1) & mask;
    this.left[slot] = a;
    this.right[slot] = b;
    this.merged[slot] = rank;
    this.used += 1;
  }

  private resize(capacity: number, keep: boolean): void {
    const [left, right, merged] = [this.left, this.right, this.merged];
    this.capacity = capacity;
    this.used = 0;
    this.left = new Int32Array(capacity).fill(NONE);
    this.right = new Int32Array(capacity);
    this.merged = new Int32Array(capacity);
    if (!keep) return;
    for (let slot = 0; slot < left.length; slot += 1) if (left[slot] !== NONE) this.insert(left[slot], right[slot], merged[slot]);
  }
}

/** Scratch arrays reused across merges (the counter is synchronous and not re-entrant). */
const scratch = {
  next: new Int32Array(256),
  prev: new Int32Array(256),
  token: new Int32Array(256),
  pairRank: new Int32Array(256),
  heap: new Float64Array(1_024),
};

function ensureScratch(m: number): void {
  if (scratch.next.length <= m) {
    const size = 2 ** Math.ceil(Math.log2(m + 1));
    scratch.next = new Int32Array(size);
    scratch.prev = new Int32Array(size);
    scratch.token = new Int32Array(size);
    scratch.pairRank = new Int32Array(size);
  }
  // Candidates pushed: m − 1 at first, then at most two per merge (m − 1 merges).
  if (scratch.heap.length < 3 * m) scratch.heap = new Float64Array(2 ** Math.ceil(Math.log2(3 * m)));
}

/**
 * Byte-pair merges of one piece, counting the tokens left. The same merges as tiktoken's and
 * gpt-tokenizer's reference loop (always the lowest-ranked adjacent pair, leftmost on ties), but
 * with a binary heap of candidate pairs instead of a scan of every pair per merge: O(m log m)
 * for a piece of m bytes instead of O(m²), which is what made one long "word" cost minutes.
 * Heap keys are rank × 2³² + position, so the smallest key is the lowest rank, leftmost first.
 */
function mergeCount(bytes: Uint8Array, vocabulary: Vocabulary, pairs: PairTable): number {
  const m = bytes.length;
  if (m <= 1) return m;
  ensureScratch(m);
  const { next, prev, token, pairRank, heap } = scratch;
  const { byteRank } = vocabulary;
  let size = 0;

  // Part i starts at byte i while alive; `pairRank[i]` is the rank of part i merged with the next.
  for (let at = 0; at < m; at += 1) {
    next[at] = at + 1;
    prev[at] = at - 1;
    token[at] = byteRank[bytes[at]];
  }
  pairRank[m - 1] = NONE;
  for (let at = 0; at + 1 < m; at += 1) {
    const rank = pairs.rank(token[at], token[at + 1]);
    pairRank[at] = rank;
    if (rank !== NONE) size = heapPush(heap, size, rank * RANK_SHIFT + at);
  }
  let parts = m;
  while (size > 0) {
    const key = heap[0];
    size = heapPopTop(heap, size);
    const rank = (key / RANK_SHIFT) | 0;
    const at = key - rank * RANK_SHIFT;
    // A stale candidate: the part was merged away or its pair changed since (a pair's bytes only
    // grow, and distinct byte strings have distinct ranks, so an equal rank means the same pair).
    if (pairRank[at] !== rank) continue;
    const right = next[at];
    const after = next[right];
    token[at] = rank;
    next[at] = after;
    if (after < m) prev[after] = at;
    pairRank[right] = NONE;
    parts -= 1;
    const merged = after < m ? pairs.rank(rank, token[after]) : NONE;
    pairRank[at] = merged;
    if (merged !== NONE) size = heapPush(heap, size, merged * RANK_SHIFT + at);
    if (at > 0) {
      const before = prev[at];
      const joined = pairs.rank(token[before], rank);
      pairRank[before] = joined;
      if (joined !== NONE) size = heapPush(heap, size, joined * RANK_SHIFT + before);
    }
  }
  return parts;
}

/** Adds `key` to the binary min-heap of `size` keys; returns the new size. */
function heapPush(heap: Float64Array, size: number, key: number): number {
  let at = size;
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (heap[parent] <= key) break;
    heap[at] = heap[parent];
    at = parent;
  }
  heap[at] = key;
  return size + 1;
}

/** Removes the smallest key; returns the new size. */
function heapPopTop(heap: Float64Array, size: number): number {
  const last = heap[size - 1];
  const remaining = size - 1;
  let at = 0;
  for (;;) {
    let child = 2 * at + 1;
    if (child >= remaining) break;
    if (child + 1 < remaining && heap[child + 1] < heap[child]) child += 1;
    if (heap[child] >= last) break;
    heap[at] = heap[child];
    at = child;
  }
  heap[at] = last;
  return remaining;
}

let pairTable: PairTable | undefined;
const pieceCache = new Map<string, number>();
const longPieceCache = new Map<string, number>();
const split = new RegExp(CL100K_TOKEN_SPLIT_REGEX.source, CL100K_TOKEN_SPLIT_REGEX.flags);

function cacheFor(piece: string): Map<string, number> | undefined {
  if (piece.length <= CACHED_PIECE_CHARS) return pieceCache;
  return piece.length <= CACHED_LONG_PIECE_CHARS ? longPieceCache : undefined;
}

function countCl100k(text: string): number {
  if (text === '') return 0;
  vocabulary ??= loadVocabulary();
  pairTable ??= new PairTable(vocabulary);
  let total = 0;
  split.lastIndex = 0;
  for (let match = split.exec(text); match !== null; match = split.exec(text)) {
    const piece = match[0];
    if (vocabulary.byText.has(piece)) {
      total += 1;
      continue;
    }
    const cache = cacheFor(piece);
    const cached = cache?.get(piece);
    if (cached !== undefined) {
      total += cached;
      continue;
    }
    const tokens = mergeCount(Buffer.from(piece, 'utf8'), vocabulary, pairTable);
    if (cache) {
      if (cache.size >= (cache === pieceCache ? PIECE_CACHE_ENTRIES : LONG_PIECE_CACHE_ENTRIES)) cache.clear();
      cache.set(piece, tokens);
    }
    total += tokens;
  }
  return total;
}

/**
 * Tokens as OpenAI's `cl100k_base` BPE counts them (the encoding of `text-embedding-3-*` and
 * `ada-002`): gpt-tokenizer's vocabulary and pre-tokenizing pattern, exactly its counts (a
 * property test compares them), with merges in O(m log m) per piece. Text that looks like a
 * special token (`<|endoftext|>`) is counted as ordinary text.
 */
export const cl100kTokens: TokenCounter = Object.assign(countCl100k, { maxTokenChars: CL100K_MAX_TOKEN_CHARS });
