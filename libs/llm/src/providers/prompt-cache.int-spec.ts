import type { ChatRequest } from '../llm.types';
import { startMockLlmServer, type RunningMockLlm } from '../testing/mock-upstream.testing';
import { AnthropicProvider } from './anthropic.provider';
import { OpenAiProvider } from './openai.provider';

/** ~1,500 words: past the 1024-token minimum both by Conduit's estimate and the mock's count. */
const LONG_SYSTEM = Array.from({ length: 1_500 }, (_, i) => `rule${i % 97}`).join(' ');

describe('provider prompt caching against the mock upstream (real SDKs)', () => {
  let mock: RunningMockLlm;

  beforeAll(async () => {
    mock = await startMockLlmServer();
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.state.requests.clear());

  const ask = (model: string, system: string, question: string): ChatRequest => ({
    model,
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: question },
    ],
    max_tokens: 32,
  });

  it('Anthropic: a long system prompt carries cache_control; the repeat is read from the cache at its size', async () => {
    const provider = new AnthropicProvider({ apiKey: 'sk-ant-test', baseURL: mock.url });
    const system = `Anthropic long ${LONG_SYSTEM}`;
    const first = await provider.complete(ask('claude-sonnet-4-6', system, 'First question?'), { timeoutMs: 5_000 });
    const second = await provider.complete(ask('claude-sonnet-4-6', system, 'Second question?'), { timeoutMs: 5_000 });

    const [one, two] = mock.state.requests.list();
    expect(one.cache_control_blocks).toBe(1);
    expect(one.cache_write_tokens).toBeGreaterThan(1_024);
    expect(first.usage).toMatchObject({ cached_tokens: 0, cache_write_tokens: one.cache_write_tokens, input_tokens: one.prompt_tokens });
    expect(two.cache_read_tokens).toBe(one.cache_write_tokens);
    expect(second.usage).toMatchObject({ cached_tokens: two.cache_read_tokens, input_tokens: two.prompt_tokens });
    expect(second.usage.cache_write_tokens).toBeUndefined();
  });

  it('Anthropic: a short system prompt carries no cache_control and nothing is cached', async () => {
    const provider = new AnthropicProvider({ apiKey: 'sk-ant-test', baseURL: mock.url });
    await provider.complete(ask('claude-sonnet-4-6', 'Be brief.', 'One?'), { timeoutMs: 5_000 });
    const repeat = await provider.complete(ask('claude-sonnet-4-6', 'Be brief.', 'Two?'), { timeoutMs: 5_000 });
    for (const entry of mock.state.requests.list()) expect(entry.cache_control_blocks).toBe(0);
    expect(repeat.usage.cached_tokens).toBe(0);
  });

  it('Anthropic streaming: the done event carries the cache read', async () => {
    const provider = new AnthropicProvider({ apiKey: 'sk-ant-test', baseURL: mock.url });
    const system = `Anthropic stream ${LONG_SYSTEM}`;
    await provider.complete(ask('claude-sonnet-4-6', system, 'Warm up'), { timeoutMs: 5_000 });
    let cached = -1;
    for await (const event of provider.stream(ask('claude-sonnet-4-6', system, 'Now stream'), { timeoutMs: 5_000 })) {
      if (event.type === 'done') cached = event.usage.cached_tokens;
    }
    const [, streamed] = mock.state.requests.list();
    expect(cached).toBe(streamed.cache_read_tokens);
    expect(cached).toBeGreaterThan(1_024);
  });

  it('Anthropic conversation: each turn reads the whole previous conversation from the cache, not only the system prompt', async () => {
    const provider = new AnthropicProvider({ apiKey: 'sk-ant-test', baseURL: mock.url });
    const system = `Anthropic conversation ${LONG_SYSTEM}`;
    const history: ChatRequest['messages'] = [{ role: 'system', content: system }];
    for (let turn = 0; turn < 3; turn++) {
      history.push({ role: 'user', content: `Question ${turn} about something specific` });
      const answer = await provider.complete({ model: 'claude-sonnet-4-6', messages: history, max_tokens: 32 }, { timeoutMs: 5_000 });
      history.push({ role: 'assistant', content: answer.content });
    }
    const [first, second, third] = mock.state.requests.list();
    expect(first.cache_read_tokens).toBe(0);
    expect(second.cache_read_tokens).toBe(first.cache_write_tokens);
    // Turn 3 reads turn 2's whole prompt (system + turn 1 + turn 2's question), more than the system prompt.
    expect(third.cache_read_tokens).toBe(second.cache_read_tokens + second.cache_write_tokens);
    expect(third.cache_read_tokens).toBeGreaterThan(first.cache_write_tokens);
    expect(third.cache_control_blocks).toBe(2);
  });

  it('OpenAI wire: a repeated long prefix is reported as prompt_tokens_details.cached_tokens', async () => {
    const provider = new OpenAiProvider({ apiKey: 'sk-test', baseURL: `${mock.url}/v1` });
    const system = `OpenAI long ${LONG_SYSTEM}`;
    const first = await provider.complete(ask('gpt-4o-mini', system, 'First?'), { timeoutMs: 5_000 });
    const second = await provider.complete(ask('gpt-4o-mini', system, 'Second?'), { timeoutMs: 5_000 });
    expect(first.usage.cached_tokens).toBe(0);
    const [, two] = mock.state.requests.list();
    expect(second.usage.cached_tokens).toBe(two.cache_read_tokens);
    expect(second.usage.cached_tokens).toBeGreaterThan(1_024);
    expect(second.usage.cached_tokens).toBeLessThan(second.usage.input_tokens);
  });
});
