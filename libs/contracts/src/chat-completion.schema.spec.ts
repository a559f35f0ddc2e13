import { chatCompletionRequestSchema, maxTokensOf } from './chat-completion.schema';

const ok = { model: 'default', messages: [{ role: 'user', content: 'hi' }] };

function problems(body: unknown): string[] {
  const result = chatCompletionRequestSchema.safeParse(body);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('chatCompletionRequestSchema', () => {
  it('accepts a minimal OpenAI request and strips unknown top-level fields (the gateway refuses them first)', () => {
    const parsed = chatCompletionRequestSchema.parse({ ...ok, frobnicate: true });
    expect(parsed).toEqual(ok);
  });

  it('accepts text parts, tools, tool calls and tool results', () => {
    expect(
      problems({
        model: 'm',
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'w', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
        ],
        tools: [{ type: 'function', function: { name: 'w', parameters: { type: 'object' } } }],
        tool_choice: 'auto',
      }),
    ).toEqual([]);
  });

  it('keeps response_format (text, json_object, json_schema) and refuses an unknown type or a stray field', () => {
    const schema = { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object', properties: { a: { type: 'string' } } }, strict: true } };
    for (const format of [{ type: 'text' }, { type: 'json_object' }, schema]) {
      expect(chatCompletionRequestSchema.parse({ ...ok, response_format: format }).response_format).toEqual(format);
    }
    expect(problems({ ...ok, response_format: { type: 'xml' } })[0]).toMatch(/^response_format.*text, json_object, json_schema/);
    expect(problems({ ...ok, response_format: { type: 'json_object', schema: {} } })[0]).toMatch(/^response_format/);
    expect(problems({ ...ok, response_format: { type: 'json_schema', json_schema: { name: 'has space' } } })[0]).toMatch(/^response_format.json_schema.name/);
  });

  it('takes conduit.validate_json with a JSON response_format, and refuses it without one or with stream', () => {
    const json = { ...ok, response_format: { type: 'json_object' }, conduit: { validate_json: true } };
    expect(chatCompletionRequestSchema.parse(json).conduit?.validate_json).toBe(true);
    expect(problems({ ...json, response_format: { type: 'text' } })[0]).toMatch(/^conduit.validate_json: .*needs response_format/);
    expect(problems({ ...ok, conduit: { validate_json: true } })[0]).toMatch(/^conduit.validate_json/);
    const streamed = chatCompletionRequestSchema.safeParse({ ...json, stream: true });
    expect(streamed.success).toBe(false);
    expect(streamed.error?.issues[0]).toMatchObject({ path: ['conduit', 'validate_json'], params: { code: 'unsupported_parameter' } });
    expect(chatCompletionRequestSchema.parse({ ...json, stream: true, conduit: { validate_json: false } }).stream).toBe(true);
  });

  it('rejects unknown roles with a message naming the allowed ones', () => {
    expect(problems({ model: 'm', messages: [{ role: 'wizard', content: 'x' }] })[0]).toMatch(/role must be one of/);
  });

  it('rejects empty message lists and empty user content', () => {
    expect(problems({ model: 'm', messages: [] })[0]).toMatch(/at least one message/);
    expect(problems({ model: 'm', messages: [{ role: 'user', content: '  ' }] })[0]).toMatch(/must not be empty/);
  });

  it('rejects wrong types', () => {
    expect(problems({ ...ok, temperature: 'hot' })[0]).toMatch(/^temperature/);
    expect(problems({ ...ok, max_tokens: 0 })[0]).toMatch(/^max_tokens/);
    expect(problems({ ...ok, stream: 'yes' })[0]).toMatch(/^stream/);
    expect(problems({ ...ok, conduit: { session_id: 'nope' } })[0]).toMatch(/^conduit.session_id/);
  });

  it('prefers max_completion_tokens over max_tokens', () => {
    expect(maxTokensOf({ max_tokens: 10, max_completion_tokens: 20 })).toBe(20);
    expect(maxTokensOf({ max_tokens: 10 })).toBe(10);
    expect(maxTokensOf({})).toBeUndefined();
  });
});
