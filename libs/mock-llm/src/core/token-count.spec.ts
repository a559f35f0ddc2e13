import { countTokens, tokenize, truncateToTokens } from './token-count';

describe('countTokens / tokenize', () => {
  it.each([
    ['', 0],
    ['hello', 1],
    ['Hello, world!', 4],
    ['  leading spaces', 2],
    ['trailing space ', 3],
    ['   ', 1],
    ['snake_case and digits 123', 4],
    ['a.b', 3],
    ['naïve café', 2],
    ['line\nbreak\ttab', 3],
  ])('counts %j as %i tokens', (text, expected) => {
    expect(countTokens(text)).toBe(expected);
  });

  it('splits into whitespace-led words and single punctuation marks', () => {
    expect(tokenize('Mock reply: Hello, world!')).toEqual(['Mock', ' reply', ':', ' Hello', ',', ' world', '!']);
  });

  it.each(['', 'plain', 'Hello, world!', '  a  b  ', 'x\n\ny', '¿Qué tal? 你好 世界', '{"json": [1, 2]}'])(
    'tokenize(%j) rebuilds the text and agrees with countTokens',
    (text) => {
      const tokens = tokenize(text);
      expect(tokens.join('')).toBe(text);
      expect(tokens).toHaveLength(countTokens(text));
    },
  );
});

describe('truncateToTokens', () => {
  it('keeps the text when it fits', () => {
    expect(truncateToTokens('one two three', 3)).toEqual({
      tokens: ['one', ' two', ' three'],
      text: 'one two three',
      truncated: false,
    });
    expect(truncateToTokens('one two three', undefined).truncated).toBe(false);
  });

  it('cuts to the first maxTokens tokens and flags it', () => {
    expect(truncateToTokens('one two three', 2)).toEqual({ tokens: ['one', ' two'], text: 'one two', truncated: true });
  });
});
