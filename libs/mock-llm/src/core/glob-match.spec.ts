import { globToRegExp } from './glob-match';

describe('globToRegExp', () => {
  it('matches * as any run and ? as one character, anchored', () => {
    const claude = globToRegExp('claude-*');
    expect(claude.test('claude-sonnet-4-6')).toBe(true);
    expect(claude.test('claude-')).toBe(true);
    expect(claude.test('my-claude-x')).toBe(false);
    expect(globToRegExp('gpt-4?').test('gpt-4o')).toBe(true);
    expect(globToRegExp('gpt-4?').test('gpt-4o-mini')).toBe(false);
  });

  it('treats regex metacharacters literally', () => {
    expect(globToRegExp('a.b+(c)').test('a.b+(c)')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('/v1/*').test('/v1/chat/completions')).toBe(true);
  });
});
