import fc from 'fast-check';
import { articleText, randomLetters } from '@conduit/testing';
import { legacyChunkText } from '../testing/legacy-chunker.fixture';
import { chunkText, ChunkerOptions, TextChunk, TooManyChunksError } from './recursive-chunker';
import { cl100kTokens, TokenCounter } from './tokenizer';

/** One token per whitespace-separated word: makes sizes easy to reason about. */
const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

function sentence(n: number, length = 10): string {
  return `${Array.from({ length: length - 1 }, (_, w) => `${w === 0 ? 'Word' : 'word'}${n}x${w}`).join(' ')} end${n}.`;
}

function expectTiling(text: string, chunks: TextChunk[]): void {
  chunks.forEach((chunk, index) => {
    expect(chunk.index).toBe(index);
    expect(text.slice(chunk.start, chunk.end)).toBe(chunk.text);
    expect(chunk.text).toBe(chunk.text.trim());
    if (index > 0) {
      expect(chunk.start).toBeGreaterThan(chunks[index - 1].start);
      expect(chunk.end).toBeGreaterThan(chunks[index - 1].end);
      expect(chunk.start).toBeLessThanOrEqual(chunks[index - 1].end + 2);
    }
  });
  // Every non-whitespace character is in some chunk.
  const covered = new Uint8Array(text.length);
  for (const chunk of chunks) covered.fill(1, chunk.start, chunk.end);
  let uncovered = -1;
  for (let at = 0; at < text.length && uncovered === -1; at += 1) if (covered[at] === 0 && !/\s/.test(text[at])) uncovered = at;
  expect(uncovered).toBe(-1);
}

describe('chunkText', () => {
  const base: ChunkerOptions = { chunkTokens: 50, overlapTokens: 0, count: words };

  it('returns nothing for empty text and one chunk for short text', () => {
    expect(chunkText('', base)).toEqual([]);
    expect(chunkText('Just one short sentence.', base)).toEqual([
      { index: 0, text: 'Just one short sentence.', start: 0, end: 24, tokens: 4 },
    ]);
  });

  it('keeps every chunk within the token budget and covers the whole text', () => {
    const text = Array.from({ length: 40 }, (_, p) => `${sentence(p * 3)} ${sentence(p * 3 + 1, 7)} ${sentence(p * 3 + 2, 13)}`).join('\n\n');
    const chunks = chunkText(text, base);
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) {
      expect(chunk.tokens).toBe(words(chunk.text));
      expect(chunk.tokens).toBeLessThanOrEqual(50);
      // Filled at least half way, except possibly the last chunk.
      if (chunk.index < chunks.length - 1) expect(chunk.tokens).toBeGreaterThanOrEqual(25);
    }
    expectTiling(text, chunks);
  });

  it('ends chunks at paragraph breaks rather than mid-paragraph when one fits', () => {
    // Paragraphs of 30 words: two never fit in 50, so every chunk is exactly one paragraph.
    const paragraphs = Array.from({ length: 6 }, (_, p) => `${sentence(p * 3)} ${sentence(p * 3 + 1)} ${sentence(p * 3 + 2)}`);
    const chunks = chunkText(paragraphs.join('\n\n'), base);
    expect(chunks.map((c) => c.text)).toEqual(paragraphs);
  });

  it('prefers headings over paragraphs as chunk ends, and carries no overlap into a new section', () => {
    const section = (title: string, n: number) => `# ${title}\n\n${sentence(n, 12)}\n\n${sentence(n + 1, 12)}`;
    const text = [section('Alpha', 0), section('Beta', 10), section('Gamma', 20)].join('\n\n');
    const chunks = chunkText(text, { ...base, overlapTokens: 10, markdown: true });
    expect(chunks.map((c) => c.text.split('\n')[0])).toEqual(['# Alpha', '# Beta', '# Gamma']);
    expectTiling(text, chunks);
  });

  it('treats "#" lines as ordinary lines in plain text', () => {
    const text = `${sentence(1, 26)}\n# Heading ${sentence(2, 10)}\n${sentence(3, 20)}`;
    const asMarkdown = chunkText(text, { ...base, markdown: true });
    const asPlain = chunkText(text, { ...base, markdown: false });
    expect(asMarkdown[1].text).toMatch(/^# Heading/);
    expect(asPlain[0].text).toContain('# Heading');
  });

  it('repeats whole trailing sentences, up to the overlap budget, at the start of the next chunk', () => {
    const text = Array.from({ length: 30 }, (_, n) => sentence(n, 8)).join(' ');
    const chunks = chunkText(text, { ...base, chunkTokens: 40, overlapTokens: 16 });
    expect(chunks.length).toBeGreaterThan(5);
    for (let n = 1; n < chunks.length; n += 1) {
      const previous = chunks[n - 1];
      const current = chunks[n];
      expect(current.start).toBeLessThan(previous.end);
      const shared = text.slice(current.start, previous.end);
      expect(words(shared)).toBe(16); // two whole 8-word sentences
      expect(shared).toMatch(/^Word\d+x0 .* end\d+\.$/);
    }
    expectTiling(text, chunks);
  });

  it('overlaps at words when the text has no sentences', () => {
    const text = Array.from({ length: 200 }, (_, w) => `w${w}`).join(' ');
    const chunks = chunkText(text, { ...base, chunkTokens: 40, overlapTokens: 10 });
    for (let n = 1; n < chunks.length; n += 1) expect(words(text.slice(chunks[n].start, chunks[n - 1].end))).toBe(10);
    expectTiling(text, chunks);
  });

  it('cuts an over-long sentence at words and an over-long word by size', () => {
    const longSentence = Array.from({ length: 130 }, (_, w) => `w${w}`).join(' ');
    const blob = 'A'.repeat(5_000);
    const text = `${longSentence}.\n\n${blob}\n\nTail sentence.`;
    const options = { chunkTokens: 64, overlapTokens: 8, count: cl100kTokens };
    const chunks = chunkText(text, options);
    for (const chunk of chunks) expect(chunk.tokens).toBeLessThanOrEqual(64);
    expect(chunks.map((c) => c.text).join('')).toContain('A'.repeat(100));
    expect(chunks[chunks.length - 1].text).toMatch(/Tail sentence\.$/);
    expectTiling(text, chunks);
  });

  it('counts real tokens (cl100k) and is deterministic', () => {
    const text = Array.from({ length: 200 }, (_, n) => `Paragraph ${n} talks about retrieval-augmented generation, vector search and chunking. It has a second sentence!`).join('\n\n');
    const options = { chunkTokens: 128, overlapTokens: 24, count: cl100kTokens };
    const first = chunkText(text, options);
    for (const chunk of first) {
      expect(chunk.tokens).toBe(cl100kTokens(chunk.text));
      expect(chunk.tokens).toBeLessThanOrEqual(128);
    }
    expect(chunkText(text, options)).toEqual(first);
    expectTiling(text, first);
  });

  it('keeps offsets exact with multi-byte characters', () => {
    const text = Array.from({ length: 50 }, (_, n) => `Größe ${n} 😀 naïve café — ok. Über 東京 ${n}!`).join(' ');
    const chunks = chunkText(text, { chunkTokens: 40, overlapTokens: 8, count: cl100kTokens });
    expectTiling(text, chunks);
  });

  it('refuses nonsensical sizes', () => {
    expect(() => chunkText('x', { ...base, chunkTokens: 4 })).toThrow(RangeError);
    expect(() => chunkText('x', { ...base, overlapTokens: 25 })).toThrow(RangeError);
    expect(() => chunkText('x', { ...base, overlapTokens: -1 })).toThrow(RangeError);
  });

  it('finding 1 (issue 12): chunks a 256 KB file that is one word, every chunk within the budget', () => {
    // Before: tokens were counted on the whole word and on ever-shrinking slices of it with a
    // quadratic merge per word: 124 s for this input, with the worker's event loop blocked.
    const text = 'a'.repeat(262_144);
    const chunks = chunkText(text, { chunkTokens: 512, overlapTokens: 64, count: cl100kTokens });
    expect(chunks.length).toBeGreaterThan(60);
    for (const chunk of chunks) {
      expect(chunk.tokens).toBe(cl100kTokens(chunk.text));
      expect(chunk.tokens).toBeLessThanOrEqual(512);
      if (chunk.index < chunks.length - 1) expect(chunk.tokens).toBeGreaterThan(256);
    }
    expect(chunks.map((c) => c.text).join('')).toBe(text);
    expectTiling(text, chunks);
  });

  it('counts each character fewer than three times, whatever the shape of the text', () => {
    const shapes: Record<string, string> = {
      'one word': 'a'.repeat(200_000),
      'one word of random letters': randomLetters(200_000, 5).toString('latin1'),
      'one line of words without sentences': Array.from({ length: 40_000 }, (_, n) => `w${n % 97}`).join(' '),
      'indentation without text': `x\n${' '.repeat(200_000)}y.`,
      'punctuation runs': `${'.'.repeat(100_000)} And ${'!?'.repeat(50_000)}`,
      'ordinary prose': articleText(300, 4),
    };
    for (const [shape, text] of Object.entries(shapes)) {
      let counted = 0;
      const count: TokenCounter = Object.assign((slice: string) => ((counted += slice.length), cl100kTokens(slice)), { maxTokenChars: cl100kTokens.maxTokenChars });
      const chunks = chunkText(text, { chunkTokens: 512, overlapTokens: 64, count });
      if (shape === 'indentation without text') expect(chunks.map((c) => c.text)).toEqual(['x', 'y.']);
      else expectTiling(text, chunks);
      for (const chunk of chunks) expect(chunk.tokens).toBeLessThanOrEqual(512);
      expect({ shape, withinBound: counted / text.length < 3 }).toEqual({ shape, withinBound: true });
    }
  });

  it('produces exactly what the previous chunker produced on ordinary text', () => {
    const sentenceArb = fc
      .tuple(fc.array(fc.constantFrom('vector', 'Search', 'chunk', 'token', 'naïve', '東京', '😀', 'e.g.', '(see', 'note)', '42', '"quoted"'), { minLength: 1, maxLength: 30 }), fc.constantFrom('.', '!', '?', '…', '."', ''))
      .map(([words, end]) => `${words.join(' ')}${end}`);
    const block = fc.oneof(
      fc.array(sentenceArb, { minLength: 1, maxLength: 12 }).map((sentences) => sentences.join(' ')),
      fc.constantFrom('# Heading', '## Sub heading', '- item one', '  indented code();', 'https://example.com/a/very/long/path?with=query&and=more'.repeat(3)),
    );
    const document = fc.array(fc.tuple(block, fc.constantFrom('\n', '\n\n', ' ')), { maxLength: 40 }).map((parts) => parts.map(([b, sep]) => b + sep).join('').trim());
    fc.assert(
      fc.property(document, fc.constantFrom(16, 40, 128), fc.boolean(), (text, chunkTokens, markdown) => {
        const options = { chunkTokens, overlapTokens: Math.floor(chunkTokens / 5), count: cl100kTokens, markdown };
        expect(chunkText(text, options)).toEqual(legacyChunkText(text, options));
      }),
      { seed: 42, numRuns: 300 },
    );
    for (const seed of [1, 2, 3]) {
      const text = articleText(120, seed);
      const options = { chunkTokens: 64, overlapTokens: 8, count: cl100kTokens };
      expect(chunkText(text, options)).toEqual(legacyChunkText(text, options));
    }
  });

  it('refuses a text past the chunk ceiling', () => {
    const text = Array.from({ length: 40 }, (_, n) => sentence(n)).join(' ');
    expect(() => chunkText(text, { ...base, chunkTokens: 10, overlapTokens: 0, maxChunks: 5 })).toThrow(TooManyChunksError);
    expect(chunkText(text, { ...base, chunkTokens: 10, overlapTokens: 0, maxChunks: 40 })).toHaveLength(40);
  });
});
