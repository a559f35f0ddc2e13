import { contentText, contentTokens, lastUserText } from './message-text';

describe('message text helpers', () => {
  const parts = [
    { type: 'text', text: 'Hello' },
    { type: 'image_url' },
    { type: 'text', text: 'world' },
  ];

  it('reads strings and text parts, skipping other parts', () => {
    expect(contentText('plain')).toBe('plain');
    expect(contentText(parts)).toBe('Hello world');
    expect(contentText(null)).toBe('');
  });

  it('counts the tokens of text parts only', () => {
    expect(contentTokens(parts)).toBe(2);
    expect(contentTokens('a, b')).toBe(3);
    expect(contentTokens(undefined)).toBe(0);
  });

  it('finds the last user message', () => {
    const messages = [
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'answer' },
      { role: 'user', content: parts },
      { role: 'tool', content: 'result' },
    ];
    expect(lastUserText(messages)).toBe('Hello world');
    expect(lastUserText([{ role: 'system', content: 'x' }])).toBe('');
  });
});
