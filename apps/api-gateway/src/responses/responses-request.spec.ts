import { ConduitException } from '@conduit/runtime';
import { parseResponsesRequest, toChatRequest } from './responses-request';

function refusal(raw: unknown): { code: string; param: unknown } {
  try {
    parseResponsesRequest(raw);
  } catch (error) {
    if (error instanceof ConduitException) return { code: error.code, param: error.details?.param };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('Responses request → chat request', () => {
  it('turns text input and instructions into a system and a user message, carrying the sampling settings', () => {
    const chat = toChatRequest(
      parseResponsesRequest({ model: 'default', input: 'Hello', instructions: 'Be brief', temperature: 0.2, top_p: 0.9, max_output_tokens: 50, user: 'u1', metadata: { team: 'a' } }),
    );
    expect(chat.messages).toEqual([
      { role: 'system', content: 'Be brief' },
      { role: 'user', content: 'Hello' },
    ]);
    expect(chat).toMatchObject({ model: 'default', temperature: 0.2, top_p: 0.9, max_completion_tokens: 50, user: 'u1', conduit: { metadata: { team: 'a' } } });
    expect(chat.stream).toBeUndefined();
  });

  it('maps message items (string or text parts), function calls and their outputs, and asks streams for usage', () => {
    const chat = toChatRequest(
      parseResponsesRequest({
        model: 'default',
        stream: true,
        input: [
          { role: 'developer', content: 'Rules' },
          { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather ' }, { type: 'input_text', text: 'in Oslo?' }] },
          { type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' },
          { type: 'function_call', call_id: 'call_2', name: 'time', arguments: '{}' },
          { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
          { type: 'function_call_output', call_id: 'call_2', output: '12:00' },
        ],
        tools: [{ type: 'function', name: 'weather', description: 'Weather of a city', parameters: { type: 'object' }, strict: true }],
        tool_choice: { type: 'function', name: 'weather' },
      }),
    );
    expect(chat.messages).toEqual([
      { role: 'developer', content: 'Rules' },
      { role: 'user', content: 'Weather in Oslo?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
          { id: 'call_2', type: 'function', function: { name: 'time', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      { role: 'tool', tool_call_id: 'call_2', content: '12:00' },
    ]);
    expect(chat.tools).toEqual([{ type: 'function', function: { name: 'weather', description: 'Weather of a city', parameters: { type: 'object' } } }]);
    expect(chat.tool_choice).toEqual({ type: 'function', function: { name: 'weather' } });
    expect(chat).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("puts the previous response's function call before an output that does not repeat it", () => {
    const chat = toChatRequest(parseResponsesRequest({ model: 'default', previous_response_id: 'resp_x', input: [{ type: 'function_call_output', call_id: 'call_9', output: '42' }] }), [
      { id: 'call_9', type: 'function', function: { name: 'answer', arguments: '{}' } },
      { id: 'call_other', type: 'function', function: { name: 'unused', arguments: '{}' } },
    ]);
    expect(chat.messages).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'answer', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_9', content: '42' },
    ]);
  });

  it('maps text.format json_schema to response_format', () => {
    const chat = toChatRequest(parseResponsesRequest({ model: 'default', input: 'x', text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } } }));
    expect(chat.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } });
  });

  it.each([
    [{ model: 'default', input: 'x', background: true }, 'background'],
    [{ model: 'default', input: 'x', reasoning: { effort: 'high' } }, 'reasoning'],
    [{ model: 'default', input: 'x', include: ['reasoning.encrypted_content'] }, 'include'],
    [{ model: 'default', input: 'x', no_such_field: 1 }, 'no_such_field'],
    [{ model: 'default', input: 'x', tools: [{ type: 'web_search' }] }, 'tools.0.type'],
    [{ model: 'default', input: 'x', tool_choice: { type: 'file_search' } }, 'tool_choice'],
    [{ model: 'default', input: [{ type: 'reasoning', summary: [] }] }, 'input.0.type'],
    [{ model: 'default', input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] }] }, 'input.0.content.0.type'],
    [{ model: 'default', input: 'x', parallel_tool_calls: false }, 'parallel_tool_calls'],
  ])('refuses %j with unsupported_parameter naming %s', (raw, param) => {
    expect(refusal(raw)).toEqual({ code: 'unsupported_parameter', param });
  });

  it('accepts the defaults of fields it does not support, and nulls', () => {
    expect(() => parseResponsesRequest({ model: 'default', input: 'x', background: false, parallel_tool_calls: true, truncation: 'disabled', include: [], reasoning: null, service_tier: 'auto' })).not.toThrow();
  });

  it('refuses malformed input with invalid_request', () => {
    expect(refusal({ model: 'default', input: [] })).toMatchObject({ code: 'invalid_request', param: 'input' });
    expect(refusal({ model: 'default', input: [{ type: 'function_call_output', output: 'x' }] })).toMatchObject({ code: 'invalid_request' });
  });
});
