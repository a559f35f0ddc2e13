import type { ChatRequest, LlmProvider } from '../llm.types';
import { collect, startMockLlmServer, textOf, type RunningMockLlm } from '../testing/mock-upstream.testing';
import { AnthropicProvider } from './anthropic.provider';
import { OpenAiProvider } from './openai.provider';

describe('providers against the mock upstream (real SDKs over HTTP)', () => {
  let mock: RunningMockLlm;
  const providers: Record<string, () => LlmProvider> = {
    anthropic: () => new AnthropicProvider({ apiKey: 'sk-ant-test', baseURL: mock.url }),
    openai: () => new OpenAiProvider({ apiKey: 'sk-test', baseURL: `${mock.url}/v1` }),
  };
  const models: Record<string, string> = { anthropic: 'claude-haiku-4-5', openai: 'gpt-4o-mini' };
  const request = (name: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
    model: models[name],
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Tell me about circuit breakers' },
    ],
    max_tokens: 64,
    ...extra,
  });

  beforeAll(async () => {
    mock = await startMockLlmServer();
  });
  afterAll(() => mock.close());
  beforeEach(() => {
    mock.state.faults.clear();
    mock.state.requests.clear();
  });

  describe.each(['anthropic', 'openai'])('%s', (name) => {
    it('completes with content, finish reason and usage', async () => {
      const completion = await providers[name]().complete(request(name), { timeoutMs: 2_000 });
      expect(completion.content).toBe('Mock reply: Tell me about circuit breakers');
      expect(completion.finish_reason).toBe('stop');
      expect(completion.usage.input_tokens).toBeGreaterThan(5);
      expect(completion.upstream_id).toBeTruthy();
      const [entry] = mock.state.requests.list();
      expect(entry).toMatchObject({ wire: name, model: models[name], stream: false, status: 200 });
      expect(completion.usage).toEqual({ input_tokens: entry.prompt_tokens, output_tokens: entry.completion_tokens, cached_tokens: 0 });
    });

    it('streams text deltas and a done event with usage', async () => {
      const events = await collect(providers[name]().stream(request(name), { timeoutMs: 2_000 }));
      expect(textOf(events)).toBe('Mock reply: Tell me about circuit breakers');
      const done = events[events.length - 1];
      expect(done).toMatchObject({ type: 'done', finish_reason: 'stop' });
      if (done.type !== 'done') throw new Error('no done event');
      const [entry] = mock.state.requests.list();
      expect(entry).toMatchObject({ stream: true, client_disconnected: false });
      expect(done.usage).toEqual({ input_tokens: entry.prompt_tokens, output_tokens: entry.completion_tokens, cached_tokens: 0 });
      expect(events.filter((e) => e.type === 'text')).toHaveLength(entry.completion_tokens);
    });

    it('answers a json_schema response_format with JSON content and `stop`, plain and streamed', async () => {
      const schema = { type: 'object', properties: { city: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } }, required: ['city', 'tags'] };
      const json = request(name, { response_format: { type: 'json_schema', json_schema: { name: 'city', schema, strict: true } } });
      const completion = await providers[name]().complete(json, { timeoutMs: 2_000 });
      expect(JSON.parse(completion.content)).toEqual({ city: 'mock', tags: [] });
      expect(completion).toMatchObject({ finish_reason: 'stop' });
      expect(completion.tool_calls).toBeUndefined();
      const events = await collect(providers[name]().stream(json, { timeoutMs: 2_000 }));
      expect(JSON.parse(textOf(events))).toEqual({ city: 'mock', tags: [] });
      expect(events.filter((e) => e.type === 'tool_call')).toEqual([]);
      expect(events[events.length - 1]).toMatchObject({ type: 'done', finish_reason: 'stop' });
      expect(mock.state.requests.list().map((r) => r.output_format)).toEqual(
        name === 'anthropic' ? ['tool:conduit_structured_output', 'tool:conduit_structured_output'] : ['json_schema', 'json_schema'],
      );
    });

    it('maps a length cut-off', async () => {
      const completion = await providers[name]().complete(request(name, { max_tokens: 2 }), {});
      expect(completion.finish_reason).toBe('length');
    });

    it('returns tool calls, plain and streamed', async () => {
      const withTools = request(name, {
        messages: [{ role: 'user', content: 'please call tool lookup' }],
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }],
      });
      const completion = await providers[name]().complete(withTools, {});
      expect(completion.finish_reason).toBe('tool_calls');
      expect(completion.tool_calls).toEqual([{ id: expect.any(String), type: 'function', function: { name: 'lookup', arguments: '{}' } }]);

      const events = await collect(providers[name]().stream(withTools, {}));
      const calls = events.filter((e) => e.type === 'tool_call');
      expect(calls[0]).toMatchObject({ type: 'tool_call', index: 0, name: 'lookup' });
      expect(calls.map((e) => (e.type === 'tool_call' ? e.arguments_delta : '')).join('')).toBe('{}');
      expect(events[events.length - 1]).toMatchObject({ type: 'done', finish_reason: 'tool_calls' });
    });

    it('sends a tool result back in the wire’s own shape', async () => {
      const completion = await providers[name]().complete(
        request(name, {
          messages: [
            { role: 'user', content: 'call tool lookup' },
            { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
            { role: 'tool', content: 'result text', tool_call_id: 'call_1' },
          ],
          tools: [{ type: 'function', function: { name: 'lookup' } }],
        }),
        {},
      );
      expect(completion.finish_reason).toBe('stop');
    });

    it('classifies an upstream 429 with its retry-after', async () => {
      mock.state.faults.add({ match: { wire: name as 'anthropic' | 'openai' }, fault: { status: 429, retry_after: 0.2 }, times: 1 });
      await expect(providers[name]().complete(request(name), {})).rejects.toMatchObject({
        kind: 'rate_limited',
        status: 429,
        retryAfterMs: 200,
        provider: name,
        retryable: true,
      });
    });

    it('times out an attempt that gets no answer, and hangs up', async () => {
      mock.state.faults.add({ match: { wire: name as 'anthropic' | 'openai' }, fault: { type: 'timeout' }, times: 1 });
      const started = Date.now();
      await expect(providers[name]().complete(request(name), { timeoutMs: 150 })).rejects.toMatchObject({ kind: 'timeout', retryable: true });
      expect(Date.now() - started).toBeLessThan(3_000);
    });
  });
});
