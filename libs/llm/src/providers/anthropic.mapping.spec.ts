import type Anthropic from '@anthropic-ai/sdk';
import { LlmError } from '../errors/llm.exception';
import type { ChatRequest } from '../llm.types';
import { anthropicUnsupportedParameter, fromAnthropicMessage, toAnthropicParams } from './anthropic.mapping';
import { STRUCTURED_OUTPUT_TOOL } from './anthropic-structured-output';
import { AnthropicStreamTranslator } from './anthropic-stream.translator';

const ctx = { provider: 'anthropic', model: 'claude-sonnet-4-6' };
const call = { id: 'toolu_1', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };

describe('toAnthropicParams', () => {
  it('moves system messages to `system` and maps tools, tool calls and tool results', () => {
    const request: ChatRequest = {
      model: 'claude-sonnet-4-6',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: '', tool_calls: [call] },
        { role: 'tool', content: '18°C', tool_call_id: 'toolu_1' },
        { role: 'user', content: 'And tomorrow?' },
        { role: 'system', content: 'Use Celsius.' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      tool_choice: 'required',
      stop: ['END'],
      user: 'user-42',
      temperature: 0.2,
    };
    const params = toAnthropicParams(request, { defaultMaxTokens: 1024 }, ctx);
    expect(params).toEqual({
      model: 'claude-sonnet-4-6',
      max_tokens: 1024,
      system: 'Be brief.\n\nUse Celsius.',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
      ],
      stop_sequences: ['END'],
      tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      tool_choice: { type: 'any' },
      metadata: { user_id: 'user-42' },
    });
  });

  it('maps named and none tool choices, keeps the requested max_tokens', () => {
    const base: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 7, tools: [{ type: 'function', function: { name: 'f' } }] };
    expect(toAnthropicParams({ ...base, tool_choice: { type: 'function', function: { name: 'f' } } }, { defaultMaxTokens: 1 }, ctx)).toMatchObject({
      max_tokens: 7,
      tool_choice: { type: 'tool', name: 'f' },
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
    });
    expect(toAnthropicParams({ ...base, tool_choice: 'none' }, { defaultMaxTokens: 1 }, ctx).tool_choice).toEqual({ type: 'none' });
  });

  describe('response_format (a forced answer tool)', () => {
    const base: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
    const schema = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    const params = (request: Partial<ChatRequest>) => toAnthropicParams({ ...base, ...request }, { defaultMaxTokens: 1 }, ctx);

    it('json_schema: one tool whose input schema is the schema (without $schema), forced, strict when asked', () => {
      const out = params({ response_format: { type: 'json_schema', json_schema: { name: 'city', description: 'A city', schema, strict: true } } });
      const { $schema: _dialect, ...inputSchema } = schema;
      expect(out.tools).toEqual([{ name: STRUCTURED_OUTPUT_TOOL, description: 'A city', input_schema: inputSchema, strict: true }]);
      expect(out.tool_choice).toEqual({ type: 'tool', name: STRUCTURED_OUTPUT_TOOL, disable_parallel_tool_use: true });
      expect(out).not.toHaveProperty('output_config');
      expect(params({ response_format: { type: 'json_schema', json_schema: { name: 'city', schema } } }).tools?.[0]).not.toHaveProperty('strict');
    });

    it('json_object: the tool takes any object; text: no tool at all', () => {
      const out = params({ response_format: { type: 'json_object' } });
      expect(out.tools).toEqual([expect.objectContaining({ name: STRUCTURED_OUTPUT_TOOL, input_schema: { type: 'object' } })]);
      expect(out.tool_choice).toMatchObject({ type: 'tool', name: STRUCTURED_OUTPUT_TOOL });
      const text = params({ response_format: { type: 'text' } });
      expect(text).not.toHaveProperty('tools');
      expect(text).not.toHaveProperty('tool_choice');
    });

    it('refuses a JSON response_format together with the request’s own tools (unsupported_parameter)', () => {
      const tools = [{ type: 'function' as const, function: { name: 'f' } }];
      let caught: unknown;
      try {
        params({ tools, response_format: { type: 'json_object' } });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(LlmError);
      expect(caught).toMatchObject({ kind: 'invalid_request', code: 'unsupported_parameter', retryable: false });
      expect((caught as LlmError).message).toMatch(/response_format json_object cannot be combined with tools/);
      expect(params({ tools, response_format: { type: 'text' } }).tools).toHaveLength(1);
    });
  });

  it('rejects tool call arguments that are not JSON as an invalid request', () => {
    const request: ChatRequest = {
      model: 'm',
      messages: [{ role: 'assistant', content: '', tool_calls: [{ ...call, function: { name: 'f', arguments: '{oops' } }] }],
    };
    expect(() => toAnthropicParams(request, { defaultMaxTokens: 1 }, ctx)).toThrow(LlmError);
  });
});

describe('fromAnthropicMessage', () => {
  it('maps text, tool_use, stop_reason and usage (cache reads are cached input tokens)', () => {
    const message = {
      id: 'msg_1',
      model: 'claude-sonnet-4-5-20250929',
      content: [
        { type: 'text', text: 'Let me check.', citations: null },
        { type: 'tool_use', id: 'toolu_9', name: 'get_weather', input: { city: 'Paris' }, caller: { type: 'direct' } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 },
    } as unknown as Anthropic.Message;
    expect(fromAnthropicMessage(message)).toEqual({
      content: 'Let me check.',
      tool_calls: [{ id: 'toolu_9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      finish_reason: 'tool_calls',
      usage: { input_tokens: 130, output_tokens: 5, cached_tokens: 100, cache_write_tokens: 20 },
      upstream_id: 'msg_1',
      model: 'claude-sonnet-4-5-20250929',
    });
  });

  it('with structured output, the answer tool input is the content (JSON) and the stop is `stop`', () => {
    const usage = { input_tokens: 3, output_tokens: 4, cache_read_input_tokens: null, cache_creation_input_tokens: null };
    const message = {
      id: 'msg_3',
      model: 'claude-x',
      content: [{ type: 'tool_use', id: 'toolu_3', name: STRUCTURED_OUTPUT_TOOL, input: { city: 'Paris', tags: [] } }],
      stop_reason: 'tool_use',
      usage,
    } as unknown as Anthropic.Message;
    const completion = fromAnthropicMessage(message, { structuredOutput: true });
    expect(completion).toMatchObject({ content: '{"city":"Paris","tags":[]}', finish_reason: 'stop' });
    expect(completion).not.toHaveProperty('tool_calls');
    // Without structured output the same block is an ordinary tool call.
    expect(fromAnthropicMessage(message)).toMatchObject({ content: '', finish_reason: 'tool_calls', tool_calls: [{ function: { name: STRUCTURED_OUTPUT_TOOL } }] });
    // A model that answered text instead keeps its text (the caller's validation sees it is not JSON).
    const prose = { ...message, content: [{ type: 'text', text: 'Paris.', citations: null }], stop_reason: 'end_turn' } as unknown as Anthropic.Message;
    expect(fromAnthropicMessage(prose, { structuredOutput: true })).toMatchObject({ content: 'Paris.', finish_reason: 'stop' });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['refusal', 'content_filter'],
  ])('stop_reason %s → %s', (stop_reason, finish) => {
    const message = { id: 'm', model: 'x', content: [], stop_reason, usage: { input_tokens: 1, output_tokens: 1, cache_read_input_tokens: null, cache_creation_input_tokens: null } };
    expect(fromAnthropicMessage(message as unknown as Anthropic.Message).finish_reason).toBe(finish);
  });
});

describe('AnthropicStreamTranslator', () => {
  it('emits text and tool call deltas, then done with the final usage after message_stop', () => {
    const t = new AnthropicStreamTranslator();
    const events = [
      { type: 'message_start', message: { id: 'msg_2', model: 'claude-x', usage: { input_tokens: 12, output_tokens: 1, cache_read_input_tokens: 4, cache_creation_input_tokens: 0 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"a":' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '1}' } },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { input_tokens: null, output_tokens: 9, cache_read_input_tokens: null, cache_creation_input_tokens: null } },
    ];
    const out = events.flatMap((e) => t.push(e as unknown as Anthropic.RawMessageStreamEvent));
    expect(out).toEqual([
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo' },
      { type: 'tool_call', index: 0, id: 'toolu_1', name: 'f', arguments_delta: '' },
      { type: 'tool_call', index: 0, arguments_delta: '{"a":' },
      { type: 'tool_call', index: 0, arguments_delta: '1}' },
    ]);
    expect(t.finish()).toBeUndefined();
    t.push({ type: 'message_stop' } as Anthropic.RawMessageStreamEvent);
    expect(t.finish()).toEqual({
      type: 'done',
      finish_reason: 'tool_calls',
      usage: { input_tokens: 16, output_tokens: 9, cached_tokens: 4 },
      upstream_id: 'msg_2',
      model: 'claude-x',
    });
  });
});

describe('AnthropicStreamTranslator with structured output', () => {
  it('turns the answer tool’s input_json_deltas into text deltas and ends with `stop`', () => {
    const t = new AnthropicStreamTranslator({ structuredOutput: true });
    const events = [
      { type: 'message_start', message: { id: 'msg_4', model: 'claude-x', usage: { input_tokens: 5, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_4', name: STRUCTURED_OUTPUT_TOOL, input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"city":' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { input_tokens: null, output_tokens: 7, cache_read_input_tokens: null, cache_creation_input_tokens: null } },
      { type: 'message_stop' },
    ];
    const out = events.flatMap((e) => t.push(e as unknown as Anthropic.RawMessageStreamEvent));
    expect(out).toEqual([
      { type: 'text', text: '{"city":' },
      { type: 'text', text: '"Paris"}' },
    ]);
    expect(t.finish()).toMatchObject({ type: 'done', finish_reason: 'stop', usage: { output_tokens: 7 } });
  });

  it('leaves a tool of that name a tool call when the request did not ask for JSON', () => {
    const t = new AnthropicStreamTranslator();
    const out = t.push({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_5', name: STRUCTURED_OUTPUT_TOOL, input: {} } } as unknown as Anthropic.RawMessageStreamEvent);
    expect(out).toEqual([{ type: 'tool_call', index: 0, id: 'toolu_5', name: STRUCTURED_OUTPUT_TOOL, arguments_delta: '' }]);
  });
});

describe('toAnthropicParams: prompt-cache breakpoints', () => {
  const longText = (tokens: number) => 'x'.repeat(tokens * 4);
  const request = (model: string, system: string, messages: ChatRequest['messages'] = [{ role: 'user', content: 'hi' }]): ChatRequest => ({
    model,
    messages: [{ role: 'system', content: system }, ...messages],
  });
  const marked = (params: ReturnType<typeof toAnthropicParams>) => JSON.stringify(params).split('"cache_control"').length - 1;

  it('marks a system prompt past the Sonnet-class minimum (1024 tokens) and leaves a short one a plain string', () => {
    const long = toAnthropicParams(request('claude-sonnet-4-6', longText(1_100)), { defaultMaxTokens: 8 }, ctx);
    expect(long.system).toEqual([{ type: 'text', text: longText(1_100), cache_control: { type: 'ephemeral' } }]);
    const short = toAnthropicParams(request('claude-sonnet-4-6', longText(900)), { defaultMaxTokens: 8 }, ctx);
    expect(short.system).toBe(longText(900));
    expect(marked(short)).toBe(0);
  });

  it('uses the Haiku-class minimum (2048 tokens) for haiku models', () => {
    expect(marked(toAnthropicParams(request('claude-haiku-4-5', longText(1_500)), { defaultMaxTokens: 8 }, ctx))).toBe(0);
    expect(marked(toAnthropicParams(request('claude-haiku-4-5', longText(2_100)), { defaultMaxTokens: 8 }, ctx))).toBe(1);
  });

  it('marks the last tool when the tool definitions alone pass the minimum, and a long leading document followed by more turns', () => {
    const params = toAnthropicParams(
      {
        ...request('claude-sonnet-4-6', 'Be brief.', [
          { role: 'user', content: longText(1_200) },
          { role: 'assistant', content: 'Read it.' },
          { role: 'user', content: 'Summarise.' },
        ]),
        tools: [
          { type: 'function', function: { name: 'a', description: 'short' } },
          { type: 'function', function: { name: 'b', description: longText(1_100) } },
        ],
      },
      { defaultMaxTokens: 8 },
      ctx,
    );
    expect(params.tools?.[0]).not.toHaveProperty('cache_control');
    expect(params.tools?.[1]).toMatchObject({ name: 'b', cache_control: { type: 'ephemeral' } });
    // The system prompt follows tools already past the minimum: its prefix is cacheable too.
    expect(params.system).toEqual([{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }]);
    expect(params.messages[0]).toEqual({ role: 'user', content: [{ type: 'text', text: longText(1_200), cache_control: { type: 'ephemeral' } }] });
    // The conversation's last block too: the next turn reads everything so far from the cache.
    expect(params.messages[2]).toEqual({ role: 'user', content: [{ type: 'text', text: 'Summarise.', cache_control: { type: 'ephemeral' } }] });
    expect(marked(params)).toBe(4);
  });

  it('adds nothing when prompt caching is off, nor to a long final user turn (it does not repeat yet)', () => {
    expect(marked(toAnthropicParams(request('claude-sonnet-4-6', longText(3_000)), { defaultMaxTokens: 8, promptCaching: false }, ctx))).toBe(0);
    const single = toAnthropicParams({ model: 'claude-sonnet-4-6', messages: [{ role: 'user', content: longText(3_000) }] }, { defaultMaxTokens: 8 }, ctx);
    expect(marked(single)).toBe(0);
  });

  it('parses cache writes into cache_write_tokens', () => {
    const message = { id: 'm', model: 'claude-x', content: [], stop_reason: 'end_turn', usage: { input_tokens: 10, output_tokens: 2, cache_read_input_tokens: 0, cache_creation_input_tokens: 1_500 } };
    expect(fromAnthropicMessage(message as unknown as Anthropic.Message).usage).toEqual({ input_tokens: 1_510, output_tokens: 2, cached_tokens: 0, cache_write_tokens: 1_500 });
  });
});

describe('Anthropic: images and OpenAI parameters', () => {
  const base: ChatRequest = { model: 'claude-sonnet-4-6', messages: [{ role: 'user', content: 'hi' }] };

  it('sends user images as image blocks before the text: data URLs as base64 sources, other URLs as URL sources', () => {
    const params = toAnthropicParams(
      { ...base, messages: [{ role: 'user', content: 'What is this?', images: [{ url: 'data:image/webp;base64,UklG' }, { url: 'https://example.com/a.png', detail: 'high' }] }] },
      { defaultMaxTokens: 100, promptCaching: false },
      ctx,
    );
    expect(params.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'UklG' } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
          { type: 'text', text: 'What is this?' },
        ],
      },
    ]);
  });

  it('refuses an inline image type the Messages API does not take', () => {
    expect(() =>
      toAnthropicParams({ ...base, messages: [{ role: 'user', content: '', images: [{ url: 'data:image/bmp;base64,Qk0=' }] }] }, { defaultMaxTokens: 100 }, ctx),
    ).toThrow(LlmError);
  });

  it.each([
    ['seed', { seed: 1 }],
    ['logprobs', { logprobs: true }],
    ['top_logprobs', { top_logprobs: 2 }],
    ['presence_penalty', { presence_penalty: 0 }],
    ['frequency_penalty', { frequency_penalty: 1 }],
    ['logit_bias', { logit_bias: { '1': 1 } }],
    ['n', { n: 2 }],
    ['metadata.team', { metadata: { user_id: 'u', team: 'x' } }],
    ['reasoning_effort', { reasoning_effort: 'minimal' as const }],
  ])('names %s as a field it cannot carry', (field, extra) => {
    expect(anthropicUnsupportedParameter({ ...base, ...extra })).toBe(field);
  });

  it('carries n: 1, logprobs: false, metadata.user_id, reasoning_effort and parallel_tool_calls: false', () => {
    const request: ChatRequest = {
      ...base,
      n: 1,
      logprobs: false,
      metadata: { user_id: 'u-1' },
      reasoning_effort: 'xhigh',
      parallel_tool_calls: false,
      tools: [{ type: 'function', function: { name: 't' } }],
      tool_choice: 'required',
    };
    expect(anthropicUnsupportedParameter(request)).toBeUndefined();
    const params = toAnthropicParams(request, { defaultMaxTokens: 100, promptCaching: false }, ctx);
    expect(params.metadata).toEqual({ user_id: 'u-1' });
    expect(params.output_config).toEqual({ effort: 'xhigh' });
    expect(params.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
  });
});
