import type { TokenCounter } from './tokenizer';

export interface ChunkerOptions {
  /** Largest chunk, in tokens. */
  chunkTokens: number;
  /** Tokens of the previous chunk's end repeated at the start of the next (whole sentences); < chunkTokens / 2. */
  overlapTokens: number;
  count: TokenCounter;
  /** `#` heading lines are section boundaries (Markdown, converted HTML). */
  markdown?: boolean;
  /** Most chunks one text may make; past it {@link TooManyChunksError} is thrown. */
  maxChunks?: number;
}

export interface TextChunk {
  index: number;
  /** Exactly `source.slice(start, end)`; never starts or ends with whitespace. */
  text: string;
  start: number;
  end: number;
  tokens: number;
}

/** The text makes more chunks than {@link ChunkerOptions.maxChunks}. */
export class TooManyChunksError extends Error {
  override name = 'TooManyChunksError';
  constructor(readonly limit: number) {
    super(`the document makes more than ${limit} chunks`);
  }
}

/** How strong the break before a span is: a chunk prefers to end before the strongest one. */
const enum Break {
  Char = 0,
  Word = 1,
  Sentence = 2,
  Line = 3,
  Paragraph = 4,
  Heading = 5,
}

/** Spans as parallel typed arrays: a text of words without sentences makes one span per word. */
class Spans {
  length = 0;
  start = new Int32Array(1_024);
  end = new Int32Array(1_024);
  tokens = new Int32Array(1_024);
  /** Strength of the break before each span. */
  before = new Uint8Array(1_024);

  push(start: number, end: number, tokens: number, before: Break): void {
    if (this.length === this.start.length) this.grow();
    const at = this.length;
    this.start[at] = start;
    this.end[at] = end;
    this.tokens[at] = tokens;
    this.before[at] = before;
    this.length += 1;
  }

  private grow(): void {
    const capacity = this.start.length * 2;
    const grown = <T extends Int32Array | Uint8Array>(array: T, make: (n: number) => T): T => {
      const copy = make(capacity);
      copy.set(array);
      return copy;
    };
    this.start = grown(this.start, (n) => new Int32Array(n));
    this.end = grown(this.end, (n) => new Int32Array(n));
    this.tokens = grown(this.tokens, (n) => new Int32Array(n));
    this.before = grown(this.before, (n) => new Uint8Array(n));
  }
}

const HEADING = /^#{1,6}[ \t]/;
/**
 * End of a sentence: terminal punctuation, optional closing quotes/brackets, whitespace, then a
 * capital, digit or opening quote. Matched only from the start of a run of terminal punctuation
 * (the lookbehind): tried from inside a long run, the pattern would scan the rest of it again at
 * every position.
 */
const SENTENCE_END = /(?<![.!?…])[.!?…]+["'”’)\]]*[ \t]+(?=["'“‘([]?[\p{Lu}\p{N}])/gu;
const WORD = /\S+\s*|\s+/g;

/**
 * Recursive splitter over token sizes. The text is cut into sentence spans, each tagged with the
 * strength of the break before it (heading > paragraph > line > sentence); sentences longer than
 * a chunk are cut at words, and words longer than a chunk at characters. Spans are then packed
 * greedily: once a chunk is at least half full it ends before the strongest break that still
 * fits, so chunks follow sections and paragraphs where they can and sentences where they must.
 * The next chunk repeats the last whole sentences (words, in text without sentences) of the
 * previous one up to `overlapTokens`, except across a heading. Offsets are character offsets into `text`.
 *
 * Cost is linear in the text's length (times the counter's cost per character): no text is
 * counted that cannot fit a chunk (when the counter bounds its token length), each character is
 * counted a bounded number of times, and a word too long to count at once is cut piece by piece.
 */
export function chunkText(text: string, options: ChunkerOptions): TextChunk[] {
  const { chunkTokens, overlapTokens, count } = options;
  if (!Number.isInteger(chunkTokens) || chunkTokens < 8) throw new RangeError('chunkTokens must be an integer >= 8');
  if (!Number.isInteger(overlapTokens) || overlapTokens < 0 || overlapTokens * 2 >= chunkTokens) {
    throw new RangeError('overlapTokens must be an integer in [0, chunkTokens / 2)');
  }
  const spans = splitSpans(text, options);
  const { start, end: spanEnd, tokens, before } = spans;
  const chunks: TextChunk[] = [];
  const minFill = Math.ceil(chunkTokens / 2);
  let i = 0;
  while (i < spans.length) {
    // The longest run of spans from i that fits.
    let j = i;
    let used = 0;
    const fillAt: number[] = [];
    while (j < spans.length && used + tokens[j] <= chunkTokens) {
      used += tokens[j];
      j += 1;
      fillAt.push(used);
    }
    let end = j;
    if (j < spans.length) {
      // End before the strongest break (latest on ties) once at least half full.
      let best = -1;
      for (let k = j; k > i; k -= 1) {
        if (fillAt[k - i - 1] < minFill) break;
        if (best === -1 || before[k] > before[best]) best = k;
      }
      if (best !== -1) end = best;
    }
    const chunk = makeChunk(text, start[i], spanEnd[end - 1], chunks.length, count, end - i === 1 ? tokens[i] : undefined);
    if (chunk) {
      chunks.push(chunk);
      if (options.maxChunks !== undefined && chunks.length > options.maxChunks) throw new TooManyChunksError(options.maxChunks);
    }
    if (end >= spans.length) break;
    // Overlap: whole trailing spans of this chunk, never across a heading, always moving forward.
    let next = end;
    if (overlapTokens > 0 && before[end] < Break.Heading) {
      let carried = 0;
      while (next - 1 > i && carried + tokens[next - 1] <= overlapTokens) {
        carried += tokens[next - 1];
        next -= 1;
        if (before[next] === Break.Heading) break; // a section's heading line is the furthest back
      }
      // Start the overlap at a sentence (at a word when the carried text has no sentence start).
      const carriedFrom = next;
      while (next < end && before[next] < Break.Sentence) next += 1;
      if (next === end) {
        next = carriedFrom;
        while (next < end && before[next] < Break.Word) next += 1;
      }
    }
    i = next;
  }
  return chunks;
}

/** `spanTokens`: the count of `text.slice(from, to)` when it is one span, reused when nothing is trimmed. */
function makeChunk(text: string, from: number, to: number, index: number, count: TokenCounter, spanTokens: number | undefined): TextChunk | undefined {
  let start = from;
  let end = to;
  while (start < end && /\s/.test(text[start])) start += 1;
  while (end > start && /\s/.test(text[end - 1])) end -= 1;
  if (start === end) return undefined;
  const slice = text.slice(start, end);
  const tokens = spanTokens !== undefined && start === from && end === to ? spanTokens : count(slice);
  return { index, text: slice, start, end, tokens };
}

/** Sentence spans tiling the whole text (each includes its trailing whitespace), big ones cut further. */
function splitSpans(text: string, options: ChunkerOptions): Spans {
  // Break positions come in increasing order: line starts, then the sentence ends inside the line.
  const breakAt: number[] = [0];
  const strength: Break[] = [Break.Heading];
  const mark = (at: number, kind: Break) => {
    if (at <= 0 || at >= text.length) return;
    if (breakAt[breakAt.length - 1] === at) {
      strength[strength.length - 1] = Math.max(strength[strength.length - 1], kind);
      return;
    }
    breakAt.push(at);
    strength.push(kind);
  };
  // Lines: a line after a blank line starts a paragraph; a heading line starts a section.
  let lineStart = 0;
  let blankBefore = false;
  while (lineStart < text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    if (line.trim() !== '') {
      mark(lineStart, options.markdown && HEADING.test(line) ? Break.Heading : blankBefore ? Break.Paragraph : Break.Line);
      for (const match of line.matchAll(SENTENCE_END)) mark(lineStart + (match.index ?? 0) + match[0].length, Break.Sentence);
      blankBefore = false;
    } else {
      blankBefore = true;
    }
    lineStart = lineEnd + 1;
  }
  const spans = new Spans();
  breakAt.forEach((start, n) => {
    const end = n + 1 < breakAt.length ? breakAt[n + 1] : text.length;
    pushSpan(spans, text, start, end, strength[n], options, true);
  });
  return spans;
}

/** More characters than the longest text that could be `tokens` tokens, when the counter says. */
function tooLongFor(tokens: number, length: number, count: TokenCounter): boolean {
  return count.maxTokenChars !== undefined && length > tokens * count.maxTokenChars;
}

function pushSpan(spans: Spans, text: string, start: number, end: number, before: Break, options: ChunkerOptions, sentence: boolean): void {
  const { chunkTokens, count } = options;
  const tooLong = tooLongFor(chunkTokens, end - start, count);
  const tokens = tooLong ? Number.POSITIVE_INFINITY : count(text.slice(start, end));
  if (tokens <= chunkTokens) {
    spans.push(start, end, tokens, before);
    return;
  }
  if (sentence) {
    // Too long for one chunk: cut at words (each word keeps its trailing whitespace).
    const sentenceText = text.slice(start, end);
    const word = new RegExp(WORD);
    let first = true;
    for (let match = word.exec(sentenceText); match !== null; match = word.exec(sentenceText)) {
      const at = start + match.index;
      pushSpan(spans, text, at, at + match[0].length, first ? before : Break.Word, options, false);
      first = false;
    }
    return;
  }
  // A single "word" longer than a chunk (a URL, base64, a table row without spaces): cut by size.
  if (!tooLong) {
    cutBySize(spans, text, start, end, before, options, (end - start) / tokens, false);
    return;
  }
  // Too long to count at once (e.g. megabytes without a space): the first piece's size comes from
  // the characters per token of the word's first window, each next one's from the piece before.
  const window = Math.min(end, start + chunkTokens * (count.maxTokenChars ?? 1));
  cutBySize(spans, text, start, end, before, options, (window - start) / Math.max(1, count(text.slice(start, window))), true);
}

/**
 * Cuts `[start, end)` into pieces of at most `chunkTokens` tokens: each piece starts at 90 % of a
 * chunk by `charsPerToken` and shrinks until it fits; never between the halves of a surrogate
 * pair. `adapt`: re-estimate characters per token from each piece (shrinking in proportion to the
 * excess), for words too long to measure as a whole.
 */
function cutBySize(spans: Spans, text: string, start: number, end: number, before: Break, options: ChunkerOptions, charsPerToken: number, adapt: boolean): void {
  const { chunkTokens, count } = options;
  let estimate = charsPerToken;
  let at = start;
  let first = true;
  while (at < end) {
    let length = Math.min(end - at, Math.max(1, Math.floor(chunkTokens * estimate * 0.9)));
    let tokens = count(text.slice(at, at + length));
    while (length > 1 && tokens > chunkTokens) {
      const shrunk = Math.floor(length * 0.8);
      length = Math.max(1, adapt ? Math.min(shrunk, Math.floor((length * chunkTokens * 0.9) / tokens)) : shrunk);
      tokens = count(text.slice(at, at + length));
    }
    // Never split a surrogate pair.
    const last = text.charCodeAt(at + length - 1);
    if (at + length < end && last >= 0xd800 && last <= 0xdbff) {
      length = length > 1 ? length - 1 : length + 1;
      tokens = count(text.slice(at, at + length));
    }
    spans.push(at, at + length, tokens, first ? before : Break.Char);
    if (adapt) estimate = length / Math.max(1, tokens);
    first = false;
    at += length;
  }
}
