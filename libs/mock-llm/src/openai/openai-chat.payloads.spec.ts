import { openAiChatStream } from './openai-chat.payloads';

const meta = { id: 'chatcmpl-1', created: 1700000000, model: 'gpt-"quoted"' };

/** Parses `data:` events; `[DONE]` comes back as the string. */
function events(text: string): unknown[] {
  return text
    .split('\n\n')
    .filter((block) => block.length > 0)
    .map((block) => {
      expect(block.startsWith('data: ')).toBe(true);
      const data = block.slice('data: '.length);
      return data === '[DONE]' ? data : JSON.parse(data);
    });
}

describe('openAiChatStream', () => {
  it('sends a role chunk, one chunk per token, a finish chunk and [DONE]', () => {
    const stream = openAiChatStream(meta, { tokens: ['Hi', ' "there"'] }, 'stop', false, 4, 2);
    const all = events(stream.head + stream.frames.join('') + stream.tail);
    expect(all).toEqual([
      expect.objectContaining({ choices: [expect.objectContaining({ delta: { role: 'assistant', content: '', refusal: null } })] }),
      expect.objectContaining({ choices: [expect.objectContaining({ delta: { content: 'Hi' }, finish_reason: null })] }),
      expect.objectContaining({ choices: [expect.objectContaining({ delta: { content: ' "there"' } })] }),
      expect.objectContaining({ choices: [expect.objectContaining({ delta: {}, finish_reason: 'stop' })] }),
      '[DONE]',
    ]);
    expect(all[0]).toMatchObject({ id: 'chatcmpl-1', object: 'chat.completion.chunk', model: 'gpt-"quoted"' });
    expect(all[0]).not.toHaveProperty('usage');
    expect(stream.frames).toHaveLength(2);
  });

  it('with include_usage, adds usage:null to every chunk and a final usage chunk with no choices', () => {
    const stream = openAiChatStream(meta, { tokens: ['a'] }, 'length', true, 4, 1);
    const all = events(stream.head + stream.frames.join('') + stream.tail);
    expect(all.slice(0, 3).every((chunk) => (chunk as { usage: unknown }).usage === null)).toBe(true);
    expect(all[3]).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 },
    });
    expect(all[4]).toBe('[DONE]');
  });

  it('streams a tool call as one tool_calls delta', () => {
    const stream = openAiChatStream(meta, { toolCall: { id: 'call_1', name: 'f', arguments: '{}' } }, 'tool_calls', false, 1, 2);
    const [frame] = events(stream.frames[0]);
    expect(frame).toMatchObject({
      choices: [
        {
          delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        },
      ],
    });
    expect(events(stream.tail)[0]).toMatchObject({ choices: [{ finish_reason: 'tool_calls' }] });
  });
});
