import type OpenAI from 'openai';
import type { ChatRequest } from '../llm.types';
import { fromOpenAiCompletion, toOpenAiParams } from './openai.mapping';
import { OpenAiStreamTranslator } from './openai-stream.translator';

describe('toOpenAiParams', () => {
  const request: ChatRequest = {
    model: 'gpt-4.1',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather?', name: 'ann' },
      { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'w', arguments: '{}' } }] },
      { role: 'tool', content: 'sunny', tool_call_id: 'call_1' },
    ],
    max_tokens: 100,
    temperature: 0.3,
    top_p: 0.9,
    stop: ['\n\n'],
    tools: [{ type: 'function', function: { name: 'w', parameters: { type: 'object' } } }],
    tool_choice: 'auto',
    user: 'u1',
  };

  it('maps messages, tools and sampling parameters', () => {
    expect(toOpenAiParams(request, 'max_tokens')).toEqual({
      model: 'gpt-4.1',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather?', name: 'ann' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'w', arguments: '{}' } }] },
        { role: 'tool', content: 'sunny', tool_call_id: 'call_1' },
      ],
      max_tokens: 100,
      temperature: 0.3,
      top_p: 0.9,
      stop: ['\n\n'],
      tools: [{ type: 'function', function: { name: 'w', parameters: { type: 'object' } } }],
      tool_choice: 'auto',
      user: 'u1',
    });
  });

  it('passes response_format through as is', () => {
    const format = { type: 'json_schema' as const, json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } };
    expect(toOpenAiParams({ ...request, response_format: format }, 'max_tokens').response_format).toEqual(format);
    expect(toOpenAiParams({ ...request, response_format: { type: 'json_object' } }, 'max_tokens').response_format).toEqual({ type: 'json_object' });
    expect(toOpenAiParams(request, 'max_tokens')).not.toHaveProperty('response_format');
  });

  it('can send the limit as max_completion_tokens (OpenAI’s own API)', () => {
    const params = toOpenAiParams(request, 'max_completion_tokens');
    expect(params.max_completion_tokens).toBe(100);
    expect(params.max_tokens).toBeUndefined();
  });
});

describe('fromOpenAiCompletion', () => {
  it('maps content, tool calls, finish reason and usage with cached tokens', () => {
    const completion = {
      id: 'chatcmpl-1',
      model: 'gpt-4.1-2025-04-14',
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'w', arguments: '{"x":1}' } }] },
        },
      ],
      usage: { prompt_tokens: 50, completion_tokens: 7, total_tokens: 57, prompt_tokens_details: { cached_tokens: 32 } },
    } as unknown as OpenAI.ChatCompletion;
    expect(fromOpenAiCompletion(completion)).toEqual({
      content: '',
      tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'w', arguments: '{"x":1}' } }],
      finish_reason: 'tool_calls',
      usage: { input_tokens: 50, output_tokens: 7, cached_tokens: 32 },
      upstream_id: 'chatcmpl-1',
      model: 'gpt-4.1-2025-04-14',
    });
  });
});

describe('OpenAiStreamTranslator', () => {
  const chunk = (choices: unknown[], usage: unknown = null) =>
    ({ id: 'chatcmpl-9', model: 'gpt-4.1', object: 'chat.completion.chunk', created: 0, choices, usage }) as unknown as OpenAI.ChatCompletionChunk;

  it('emits text and tool call deltas; done carries the usage chunk', () => {
    const t = new OpenAiStreamTranslator();
    const out = [
      chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
      chunk([{ index: 0, delta: { content: 'Hi' }, finish_reason: null }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'w', arguments: '' } }] }, finish_reason: null }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{}' } }] }, finish_reason: null }]),
      chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]),
    ].flatMap((c) => t.push(c));
    expect(out).toEqual([
      { type: 'text', text: 'Hi' },
      { type: 'tool_call', index: 0, id: 'call_1', name: 'w', arguments_delta: '' },
      { type: 'tool_call', index: 0, arguments_delta: '{}' },
    ]);
    t.push(chunk([], { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 }));
    expect(t.finish()).toEqual({
      type: 'done',
      finish_reason: 'tool_calls',
      usage: { input_tokens: 3, output_tokens: 4, cached_tokens: 0 },
      upstream_id: 'chatcmpl-9',
      model: 'gpt-4.1',
    });
  });

  it('reports an incomplete stream (no finish reason) as undefined', () => {
    const t = new OpenAiStreamTranslator();
    t.push(chunk([{ index: 0, delta: { content: 'Hi' }, finish_reason: null }]));
    expect(t.finish()).toBeUndefined();
  });
});

describe('OpenAI compatibility parameters, images and n choices', () => {
  it('carries every OpenAI parameter as is, and user images as content parts after the text', () => {
    const params = toOpenAiParams(
      {
        model: 'gpt-4.1',
        messages: [{ role: 'user', content: 'What is this?', images: [{ url: 'data:image/png;base64,AAAA', detail: 'low' }, { url: 'https://example.com/a.png' }] }],
        seed: 1,
        logprobs: true,
        top_logprobs: 3,
        presence_penalty: 0.1,
        frequency_penalty: 0.2,
        logit_bias: { '42': -5 },
        n: 2,
        metadata: { team: 'a' },
        reasoning_effort: 'minimal',
        parallel_tool_calls: false,
        tools: [{ type: 'function', function: { name: 't' } }],
      },
      'max_completion_tokens',
    );
    expect(params).toMatchObject({
      seed: 1,
      logprobs: true,
      top_logprobs: 3,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      logit_bias: { '42': -5 },
      n: 2,
      metadata: { team: 'a' },
      reasoning_effort: 'minimal',
      parallel_tool_calls: false,
    });
    expect(params.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
        ],
      },
    ]);
  });

  it('reads every choice of an n > 1 completion, in index order, with their logprobs', () => {
    const logprobs = { content: [{ token: 'b', logprob: -0.1, bytes: [98], top_logprobs: [] }], refusal: null };
    const completion = fromOpenAiCompletion({
      id: 'c1',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4.1',
      choices: [
        { index: 1, message: { role: 'assistant', content: 'b', refusal: null }, finish_reason: 'length', logprobs: null },
        { index: 0, message: { role: 'assistant', content: 'a', refusal: null }, finish_reason: 'stop', logprobs },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    } as OpenAI.ChatCompletion);
    expect(completion).toMatchObject({ content: 'a', finish_reason: 'stop', logprobs, more_choices: [{ content: 'b', finish_reason: 'length' }] });
    expect(completion.more_choices?.[0]).not.toHaveProperty('logprobs');
    expect(completion.usage.output_tokens).toBe(4);
  });
});
