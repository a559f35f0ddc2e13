import { anthropicMessageStream } from './anthropic-messages.payloads';

function events(text: string): { event: string; data: { type: string } & Record<string, unknown> }[] {
  return text
    .split('\n\n')
    .filter((block) => block.length > 0)
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      expect(eventLine.startsWith('event: ')).toBe(true);
      expect(dataLine.startsWith('data: ')).toBe(true);
      return { event: eventLine.slice(7), data: JSON.parse(dataLine.slice(6)) };
    });
}

describe('anthropicMessageStream', () => {
  const meta = { id: 'msg_1', model: 'claude-x' };

  it('emits the real event sequence, with event names matching data types', () => {
    const stream = anthropicMessageStream(meta, { tokens: ['Hi', '!'] }, 'end_turn', 7, 2);
    const all = events(stream.head + stream.frames.join('') + stream.tail);
    expect(all.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    for (const e of all) expect(e.data.type).toBe(e.event);
    expect(all[0].data).toMatchObject({ message: { id: 'msg_1', model: 'claude-x', content: [], usage: { input_tokens: 7 } } });
    expect(all[3].data).toMatchObject({ index: 0, delta: { type: 'text_delta', text: 'Hi' } });
    expect(all[6].data).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } });
  });

  it('streams tool use as an input_json_delta', () => {
    const stream = anthropicMessageStream(meta, { toolUse: { id: 'toolu_1', name: 'f', input: { a: 1 } } }, 'tool_use', 1, 2);
    const all = events(stream.head + stream.frames.join('') + stream.tail);
    expect(all[1].data).toMatchObject({ content_block: { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} } });
    expect(all[3].data).toMatchObject({ delta: { type: 'input_json_delta', partial_json: '{"a":1}' } });
    expect(all[5].data).toMatchObject({ delta: { stop_reason: 'tool_use' } });
  });
});
