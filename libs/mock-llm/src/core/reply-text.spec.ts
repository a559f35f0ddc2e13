import { buildReplyText, pickToolCall } from './reply-text';

describe('buildReplyText', () => {
  it('echoes the prompt words after a fixed prefix', () => {
    expect(buildReplyText('  What is   the capital of France? ', 12)).toBe('Mock reply: What is the capital of France?');
  });

  it('is repeatable and differs between prompts', () => {
    expect(buildReplyText('first prompt', 12)).toBe(buildReplyText('first prompt', 12));
    expect(buildReplyText('first prompt', 12)).not.toBe(buildReplyText('second prompt', 12));
  });

  it('echoes at most maxWords words', () => {
    expect(buildReplyText('one two three four', 2)).toBe('Mock reply: one two');
  });

  it('falls back to a fixed sentence when there is nothing to echo', () => {
    expect(buildReplyText('   ', 12)).toBe('Mock reply.');
    expect(buildReplyText('words', 0)).toBe('Mock reply.');
  });
});

describe('pickToolCall', () => {
  const tools = ['get_weather', 'search'];

  it('returns undefined without the trigger phrase or without tools', () => {
    expect(pickToolCall('what is the weather?', tools)).toBeUndefined();
    expect(pickToolCall('please call tool', [])).toBeUndefined();
  });

  it('picks the first tool for a bare "call tool"', () => {
    expect(pickToolCall('Please CALL TOOL now', tools)).toBe('get_weather');
  });

  it('picks the named tool when it exists, else the first', () => {
    expect(pickToolCall('call tool search', tools)).toBe('search');
    expect(pickToolCall('call tool unknown_tool', tools)).toBe('get_weather');
  });
});
