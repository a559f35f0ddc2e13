import OpenAI, { type APIError } from 'openai';
import { countTokens, tokenize } from './core/token-count';
import { startMockLlmServer, type RunningMockLlm } from './mock-llm.testing';

describe('mock-llm: OpenAI wire, driven by the openai SDK', () => {
  let mock: RunningMockLlm;
  let client: OpenAI;

  beforeAll(async () => {
    mock = await startMockLlmServer();
    client = new OpenAI({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, maxRetries: 0 });
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.state.requests.clear());

  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'What is the capital of France?' },
  ];
  const expectedReply = 'Mock reply: What is the capital of France?';
  const promptTokens = countTokens('You are terse.') + countTokens('What is the capital of France?');

  it('answers a plain chat completion with a deterministic reply and usage', async () => {
    const { data: completion, response, request_id } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages })
      .withResponse();
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices[0].message).toMatchObject({ role: 'assistant', content: expectedReply });
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({
      prompt_tokens: promptTokens,
      completion_tokens: countTokens(expectedReply),
      total_tokens: promptTokens + countTokens(expectedReply),
    });
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(request_id).toBe(response.headers.get('x-request-id'));

    const again = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(again.choices[0].message.content).toBe(expectedReply);
    const other = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    expect(other.choices[0].message.content).toBe('Mock reply: Hi');
  });

  it('takes the reply from x-mock-reply, or from the configured fixed reply', async () => {
    const overridden = await client.chat.completions.create(
      { model: 'gpt-4o', messages },
      { headers: { 'x-mock-reply': 'Header says hi.' } },
    );
    expect(overridden.choices[0].message.content).toBe('Header says hi.');

    const fixed = await startMockLlmServer({ reply: 'Configured answer.' });
    try {
      const fixedClient = new OpenAI({ apiKey: 'sk-test', baseURL: `${fixed.url}/v1`, maxRetries: 0 });
      const completion = await fixedClient.chat.completions.create({ model: 'gpt-4o', messages });
      expect(completion.choices[0].message.content).toBe('Configured answer.');
      expect(completion.usage?.completion_tokens).toBe(3);
    } finally {
      await fixed.close();
    }
  });

  it('streams one delta per token, then usage in a final chunk with empty choices', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      const content = chunk.choices[0]?.delta.content;
      if (content) deltas.push(content);
    }
    expect(deltas).toEqual(tokenize(expectedReply));
    expect(chunks.at(-2)?.choices[0].finish_reason).toBe('stop');
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: promptTokens, completion_tokens: deltas.length });

    const [entry] = mock.state.requests.list();
    expect(entry).toMatchObject({ stream: true, status: 200, tokens_sent: deltas.length, client_disconnected: false });
  });

  it('omits usage from streams unless include_usage is set', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    for await (const chunk of stream) expect(chunk.usage ?? null).toBeNull();
  });

  it('works with the SDK stream helper and its final completion', async () => {
    const runner = client.chat.completions.stream({ model: 'gpt-4o', messages });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0].message.content).toBe(expectedReply);
    expect(final.choices[0].finish_reason).toBe('stop');
  });

  it('truncates to max_tokens / max_completion_tokens with finish_reason "length"', async () => {
    const plain = await client.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 3 });
    expect(plain.choices[0].message.content).toBe(tokenize(expectedReply).slice(0, 3).join(''));
    expect(plain.choices[0].finish_reason).toBe('length');
    expect(plain.usage?.completion_tokens).toBe(3);

    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages,
      max_completion_tokens: 2,
      stream: true,
    });
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBe(2);
    expect(chunks.at(-1)?.choices[0].finish_reason).toBe('length');
  });

  it('returns a tool call when tools are given and the user says "call tool"', async () => {
    const tools: OpenAI.Chat.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } },
      { type: 'function', function: { name: 'search', parameters: { type: 'object', properties: {} } } },
    ];
    const plain = await client.chat.completions.create({
      model: 'gpt-4o',
      tools,
      messages: [{ role: 'user', content: 'Please call tool search' }],
    });
    expect(plain.choices[0].finish_reason).toBe('tool_calls');
    const call = plain.choices[0].message.tool_calls?.[0];
    expect(call).toMatchObject({ type: 'function', function: { name: 'search', arguments: '{}' } });

    const streamed = await client.chat.completions
      .stream({ model: 'gpt-4o', tools, messages: [{ role: 'user', content: 'call tool' }] })
      .finalChatCompletion();
    expect(streamed.choices[0].message.tool_calls?.[0]).toMatchObject({ function: { name: 'get_weather' } });

    const noTrigger = await client.chat.completions.create({ model: 'gpt-4o', tools, messages });
    expect(noTrigger.choices[0].message.content).toBe(expectedReply);
  });

  it('rejects malformed requests with a 400 in OpenAI error shape', async () => {
    const error = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [] })
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as APIError).error).toMatchObject({
      type: 'invalid_request_error',
      param: 'messages',
      code: null,
      message: expect.stringContaining('messages'),
    });
    expect((error as APIError).requestID).toMatch(/^req_/);

    const raw = await fetch(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model": ',
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ error: expect.objectContaining({ type: 'invalid_request_error' }) });
  });

  describe('embeddings', () => {
    const norm = (vector: number[]) => Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0));

    it('returns deterministic unit vectors, 1536 dims by default, with usage', async () => {
      const input = ['alpha beta', 'gamma'];
      const first = await client.embeddings.create({ model: 'text-embedding-3-small', input });
      expect(first.object).toBe('list');
      expect(first.data.map((d) => d.index)).toEqual([0, 1]);
      for (const item of first.data) {
        expect(item.embedding).toHaveLength(1536);
        expect(norm(item.embedding)).toBeCloseTo(1, 4);
      }
      expect(first.data[0].embedding).not.toEqual(first.data[1].embedding);
      expect(first.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });

      const second = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'alpha beta' });
      expect(second.data[0].embedding).toEqual(first.data[0].embedding);
    });

    it('honours dimensions, and float and base64 encodings agree', async () => {
      const asFloat = await client.embeddings.create({
        model: 'text-embedding-3-large',
        input: 'hello',
        dimensions: 256,
        encoding_format: 'float',
      });
      const viaBase64 = await client.embeddings.create({ model: 'text-embedding-3-large', input: 'hello', dimensions: 256 });
      expect(asFloat.data[0].embedding).toHaveLength(256);
      expect(viaBase64.data[0].embedding).toEqual(asFloat.data[0].embedding);
    });
  });

  it('lists models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) {
      expect(model.object).toBe('model');
      ids.push(model.id);
    }
    expect(ids).toEqual(expect.arrayContaining(['gpt-4o-mini', 'text-embedding-3-small']));
  });
});
