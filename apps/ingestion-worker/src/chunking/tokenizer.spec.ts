import fc from 'fast-check';
import { countTokens as referenceCount } from 'gpt-tokenizer/cjs/encoding/cl100k_base';
import { randomLetters } from '@conduit/testing';
import { cl100kTokens } from './tokenizer';

const NO_SPECIAL_TOKENS = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };
const reference = (text: string) => (text === '' ? 0 : referenceCount(text, NO_SPECIAL_TOKENS));

/** Text made of the things tokenizers treat specially: words, digits, punctuation runs, whitespace runs, contractions, non-Latin scripts, emoji. */
const fragment = fc.oneof(
  fc.constantFrom('the', ' of', 'Retrieval', "'s", "'LL", ' 123', '4567', '...', '!!', '—', ' ', '  ', '\n', '\n\n', '\t', ' \n ', 'café', 'naïve', '東京', '😀', '<|endoftext|>', 'aaaa', 'http://x.y/z?q=1'),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.string({ unit: fc.constantFrom('a', 'b', 'x', 'A'), minLength: 20, maxLength: 300 }),
  fc.string({ unit: fc.constantFrom(' ', '\n', '\t'), minLength: 1, maxLength: 200 }),
  fc.string({ unit: fc.constantFrom('.', '-', '=', '*', '!'), minLength: 1, maxLength: 200 }),
);
const text = fc.array(fragment, { maxLength: 30 }).map((parts) => parts.join(''));

describe('cl100kTokens', () => {
  it('counts exactly what gpt-tokenizer counts, on any text', () => {
    fc.assert(
      fc.property(text, (sample) => {
        expect(cl100kTokens(sample)).toBe(reference(sample));
      }),
      { seed: 12, numRuns: 500 },
    );
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (sample) => expect(cl100kTokens(sample)).toBe(reference(sample))), { seed: 7, numRuns: 500 });
  });

  it('counts long runs that are one pre-token exactly (where the reference merge is quadratic)', () => {
    const letters = randomLetters(6_000, 3).toString('latin1');
    for (const sample of ['a'.repeat(5_000), letters, ' '.repeat(3_000), `\n${' '.repeat(2_999)}x`, '='.repeat(4_000), 'é'.repeat(2_000), '😀'.repeat(1_000)]) {
      expect(cl100kTokens(sample)).toBe(reference(sample));
    }
  });

  it('bounds the characters of one token', () => {
    expect(cl100kTokens.maxTokenChars).toBe(128);
    expect(cl100kTokens(' '.repeat(128))).toBe(1);
    expect(cl100kTokens('')).toBe(0);
  });
});
