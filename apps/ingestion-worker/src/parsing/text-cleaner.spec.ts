import fc from 'fast-check';
import { cleanText } from './text-cleaner';

describe('cleanText', () => {
  it('normalises line ends, spaces and blank lines', () => {
    expect(cleanText('\r\n\r\n  Title\r\n\r\n\r\n\r\nBody \t text   here.  \rNext\u00a0line\n\n\n')).toBe('  Title\n\nBody text here.\nNext line');
  });

  it('keeps indentation unless asked to trim line starts', () => {
    const code = 'List:\n    indented  code\n  - item';
    expect(cleanText(code)).toBe('List:\n    indented code\n  - item');
    expect(cleanText(code, { trimLineStarts: true })).toBe('List:\nindented code\n- item');
  });

  it('removes control and zero-width characters, turns page breaks into line breaks', () => {
    expect(cleanText('a\u0000b\u200bc\ufeffd\u00ade\u0007f\fg\u2028h')).toBe('abcdef\ng\nh');
  });

  it('composes Unicode (NFC) so offsets do not depend on the producer', () => {
    expect(cleanText('Cafe\u0301')).toBe('Caf\u00e9');
  });

  it('joins words hyphenated across lines only when asked', () => {
    expect(cleanText('an exam-\nple of well-\nKnown', { joinHyphenated: true })).toBe('an example of well-\nKnown');
    expect(cleanText('an exam-\nple')).toBe('an exam-\nple');
  });

  it('yields an empty string for whitespace-only input', () => {
    expect(cleanText(' \n\t\r\n \u200b ')).toBe('');
  });

  it('finding 1 (issue 12): cleans long runs of spaces, punctuation and blank lines in time linear in their length', () => {
    // Before: `/ +$/gm` and `/\s+$/` rescanned a run that did not end the line at each of its positions.
    const indented = `Title\n${' '.repeat(300_000)}x\n${'\n \n'.repeat(100_000)}end${' '.repeat(100_000)}`;
    expect(cleanText(indented)).toBe(`Title\n${' '.repeat(300_000)}x\n\nend`);
  });

  it('trims line and text ends exactly as the unanchored patterns did', () => {
    const sample = fc.string({ unit: fc.constantFrom(' ', '\n', 'a', '\t', '\u00a0', '.'), maxLength: 40 });
    fc.assert(
      fc.property(sample, (text) => {
        expect(text.replace(/(?<! ) +$/gm, '')).toBe(text.replace(/ +$/gm, ''));
        expect(text.replace(/^\n+/, '').trimEnd()).toBe(text.replace(/^\n+|\s+$/g, ''));
      }),
      { seed: 3, numRuns: 2_000 },
    );
  });
});
