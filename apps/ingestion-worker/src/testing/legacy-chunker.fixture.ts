/**
 * The recursive chunker as it was before finding 1 of issue 12 (its cost grew with the square of
 * a long word's length), kept verbatim as the reference the current chunker must match on
 * ordinary text (`recursive-chunker.spec.ts`). Not used by the service.
 */
import type { TokenCounter } from '../chunking/tokenizer';

interface ChunkerOptions {
  /** Largest chunk, in tokens. */
  chunkTokens: number;
  /** Tokens of the previous chunk's end repeated at the start of the next (whole sentences); < chunkTokens / 2. */
  overlapTokens: number;
  count: TokenCounter;
  /** `#` heading lines are section boundaries (Markdown, converted HTML). */
  markdown?: boolean;
}

interface TextChunk {
  index: number;
  /** Exactly `source.slice(start, end)`; never starts or ends with whitespace. */
  text: string;
  start: number;
  end: number;
  tokens: number;
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

interface Span {
  start: number;
  end: number;
  tokens: number;
  /** Strength of the break before this span. */
  before: Break;
}

const HEADING = /^#{1,6}[ \t]/;
/** End of a sentence: terminal punctuation, optional closing quotes/brackets, whitespace, then a capital, digit or opening quote. */
const SENTENCE_END = /[.!?…]+["'”’)\]]*[ \t]+(?=["'“‘([]?[\p{Lu}\p{N}])/gu;

/**
 * Recursive splitter over token sizes. The text is cut into sentence spans, each tagged with the
 * strength of the break before it (heading > paragraph > line > sentence); sentences longer than
 * a chunk are cut at words, and words longer than a chunk at characters. Spans are then packed
 * greedily: once a chunk is at least half full it ends before the strongest break that still
 * fits, so chunks follow sections and paragraphs where they can and sentences where they must.
 * The next chunk repeats the last whole sentences (words, in text without sentences) of the
 * previous one up to `overlapTokens`, except across a heading. Offsets are character offsets into `text`.
 */
export function legacyChunkText(text: string, options: ChunkerOptions): TextChunk[] {
  const { chunkTokens, overlapTokens, count } = options;
  if (!Number.isInteger(chunkTokens) || chunkTokens < 8) throw new RangeError('chunkTokens must be an integer >= 8');
  if (!Number.isInteger(overlapTokens) || overlapTokens < 0 || overlapTokens * 2 >= chunkTokens) {
    throw new RangeError('overlapTokens must be an integer in [0, chunkTokens / 2)');
  }
  const spans = splitSpans(text, options);
  const chunks: TextChunk[] = [];
  const minFill = Math.ceil(chunkTokens / 2);
  let i = 0;
  while (i < spans.length) {
    // The longest run of spans from i that fits.
    let j = i;
    let used = 0;
    const fillAt: number[] = [];
    while (j < spans.length && used + spans[j].tokens <= chunkTokens) {
      used += spans[j].tokens;
      j += 1;
      fillAt.push(used);
    }
    let end = j;
    if (j < spans.length) {
      // End before the strongest break (latest on ties) once at least half full.
      let best = -1;
      for (let k = j; k > i; k -= 1) {
        if (fillAt[k - i - 1] < minFill) break;
        if (best === -1 || spans[k].before > spans[best].before) best = k;
      }
      if (best !== -1) end = best;
    }
    const chunk = makeChunk(text, spans[i].start, spans[end - 1].end, chunks.length, count);
    if (chunk) chunks.push(chunk);
    if (end >= spans.length) break;
    // Overlap: whole trailing spans of this chunk, never across a heading, always moving forward.
    let next = end;
    if (overlapTokens > 0 && spans[end].before < Break.Heading) {
      let carried = 0;
      while (next - 1 > i && carried + spans[next - 1].tokens <= overlapTokens) {
        carried += spans[next - 1].tokens;
        next -= 1;
        if (spans[next].before === Break.Heading) break; // a section's heading line is the furthest back
      }
      // Start the overlap at a sentence (at a word when the carried text has no sentence start).
      const carriedFrom = next;
      while (next < end && spans[next].before < Break.Sentence) next += 1;
      if (next === end) {
        next = carriedFrom;
        while (next < end && spans[next].before < Break.Word) next += 1;
      }
    }
    i = next;
  }
  return chunks;
}

function makeChunk(text: string, from: number, to: number, index: number, count: TokenCounter): TextChunk | undefined {
  let start = from;
  let end = to;
  while (start < end && /\s/.test(text[start])) start += 1;
  while (end > start && /\s/.test(text[end - 1])) end -= 1;
  if (start === end) return undefined;
  const slice = text.slice(start, end);
  return { index, text: slice, start, end, tokens: count(slice) };
}

/** Sentence spans tiling the whole text (each includes its trailing whitespace), big ones cut further. */
function splitSpans(text: string, options: ChunkerOptions): Span[] {
  const breaks = new Map<number, Break>([[0, Break.Heading]]);
  const mark = (at: number, strength: Break) => {
    if (at > 0 && at < text.length && (breaks.get(at) ?? -1) < strength) breaks.set(at, strength);
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
  const starts = [...breaks.keys()].sort((a, b) => a - b);
  const spans: Span[] = [];
  starts.forEach((start, n) => {
    const end = n + 1 < starts.length ? starts[n + 1] : text.length;
    pushSpan(spans, text, start, end, breaks.get(start) ?? Break.Sentence, options, true);
  });
  return spans;
}

function pushSpan(spans: Span[], text: string, start: number, end: number, before: Break, options: ChunkerOptions, sentence: boolean): void {
  const tokens = options.count(text.slice(start, end));
  if (tokens <= options.chunkTokens) {
    spans.push({ start, end, tokens, before });
    return;
  }
  if (sentence) {
    // Too long for one chunk: cut at words (each word keeps its trailing whitespace).
    const words = [...text.slice(start, end).matchAll(/\S+\s*|\s+/g)];
    words.forEach((word, n) => {
      const at = start + (word.index ?? 0);
      pushSpan(spans, text, at, at + word[0].length, n === 0 ? before : Break.Word, options, false);
    });
    return;
  }
  // A single "word" longer than a chunk (a URL, base64, a table row without spaces): cut by size.
  const charsPerToken = (end - start) / tokens;
  let at = start;
  let first = true;
  while (at < end) {
    let length = Math.min(end - at, Math.max(1, Math.floor(options.chunkTokens * charsPerToken * 0.9)));
    while (length > 1 && options.count(text.slice(at, at + length)) > options.chunkTokens) length = Math.max(1, Math.floor(length * 0.8));
    // Never split a surrogate pair.
    if (at + length < end && /[\uD800-\uDBFF]/.test(text[at + length - 1])) length = length > 1 ? length - 1 : length + 1;
    const pieceEnd = at + length;
    spans.push({ start: at, end: pieceEnd, tokens: options.count(text.slice(at, pieceEnd)), before: first ? before : Break.Char });
    first = false;
    at = pieceEnd;
  }
}
