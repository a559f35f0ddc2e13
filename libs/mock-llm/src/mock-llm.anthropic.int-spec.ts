import Anthropic, { type APIError } from '@anthropic-ai/sdk';
import { countTokens, tokenize } from './core/token-count';
import { startMockLlmServer, type RunningMockLlm } from './mock-llm.testing';

describe('mock-llm: Anthropic wire, driven by @anthropic-ai/sdk', () => {
  let mock: RunningMockLlm;
  let client: Anthropic;

  beforeAll(async () => {
    mock = await startMockLlmServer();
    client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: mock.url, maxRetries: 0 });
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.state.requests.clear());

  const system = 'You are terse.';
  const messages: Anthropic.MessageParam[] = [
    { role: 'user', content: 'Earlier question' },
    { role: 'assistant', content: 'Earlier answer' },
    { role: 'user', content: [{ type: 'text', text: 'Name three primary colours, please.' }] },
  ];
  const expectedReply = 'Mock reply: Name three primary colours, please.';
  const inputTokens =
    countTokens(system) +
    countTokens('Earlier question') +
    countTokens('Earlier answer') +
    countTokens('Name three primary colours, please.');

  it('answers a plain message with usage counting the system prompt', async () => {
    const { data: message, response, request_id } = await client.messages
      .create({ model: 'claude-sonnet-4-6', max_tokens: 256, system, messages })
      .withResponse();
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-6',
      content: [{ type: 'text', text: expectedReply }],
      stop_reason: 'end_turn',
      usage: { input_tokens: inputTokens, output_tokens: countTokens(expectedReply) },
    });
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    expect(request_id).toBe(response.headers.get('request-id'));

    const withoutSystem = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 256, messages });
    expect(withoutSystem.usage.input_tokens).toBe(inputTokens - countTokens(system));
  });

  it('streams the real event sequence, one text_delta per token', async () => {
    const stream = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 256,
      system,
      messages,
      stream: true,
    });
    const types: string[] = [];
    const deltas: string[] = [];
    let outputTokens = -1;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') deltas.push(event.delta.text);
      if (event.type === 'message_delta') {
        expect(event.delta.stop_reason).toBe('end_turn');
        outputTokens = event.usage.output_tokens;
      }
      if (event.type === 'message_start') expect(event.message.usage.input_tokens).toBe(inputTokens);
    }
    const textDeltas = tokenize(expectedReply).length;
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      ...Array<string>(textDeltas).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(deltas.join('')).toBe(expectedReply);
    expect(outputTokens).toBe(textDeltas);
    expect(mock.state.requests.list()[0]).toMatchObject({ wire: 'anthropic', stream: true, tokens_sent: textDeltas });
  });

  it('works with the SDK MessageStream helper', async () => {
    const stream = client.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 256, messages });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    expect(text).toBe(expectedReply);
    expect(final.content).toEqual([expect.objectContaining({ type: 'text', text: expectedReply })]);
    expect(final.usage.output_tokens).toBe(countTokens(expectedReply));
  });

  it('stops at max_tokens with stop_reason "max_tokens"', async () => {
    const plain = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 4, messages });
    expect(plain.stop_reason).toBe('max_tokens');
    expect(plain.usage.output_tokens).toBe(4);
    expect(plain.content[0]).toMatchObject({ text: tokenize(expectedReply).slice(0, 4).join('') });

    const streamed = await client.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 2, messages }).finalMessage();
    expect(streamed.stop_reason).toBe('max_tokens');
    expect(streamed.usage.output_tokens).toBe(2);
  });

  it('answers with tool_use when tools are given and the user says "call tool"', async () => {
    const tools: Anthropic.Tool[] = [{ name: 'lookup', input_schema: { type: 'object', properties: {} } }];
    const plain = await client.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 256,
      tools,
      messages: [{ role: 'user', content: 'call tool lookup' }],
    });
    expect(plain.stop_reason).toBe('tool_use');
    expect(plain.content[0]).toMatchObject({ type: 'tool_use', name: 'lookup', input: {} });

    const streamed = await client.messages
      .stream({ model: 'claude-sonnet-4-6', max_tokens: 256, tools, messages: [{ role: 'user', content: 'call tool' }] })
      .finalMessage();
    expect(streamed.stop_reason).toBe('tool_use');
    expect(streamed.content[0]).toMatchObject({ type: 'tool_use', name: 'lookup', input: {} });
  });

  it('counts tokens like usage.input_tokens', async () => {
    const counted = await client.messages.countTokens({ model: 'claude-sonnet-4-6', system, messages });
    expect(counted.input_tokens).toBe(inputTokens);
  });

  it('rejects malformed requests with a 400 in Anthropic error shape', async () => {
    const error = await client.messages
      .create({ model: 'claude-sonnet-4-6', messages } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as APIError).type).toBe('invalid_request_error');
    expect((error as APIError).apiMessage).toContain('max_tokens');
    expect((error as APIError).requestID).toMatch(/^req_/);

    const raw = await fetch(`${mock.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'not json',
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('lists models in the Anthropic page shape', async () => {
    const page = await client.models.list();
    expect(page.data.map((model) => model.id)).toEqual(expect.arrayContaining(['claude-sonnet-4-6']));
    expect(page.data[0]).toMatchObject({ type: 'model', display_name: expect.any(String) });
    expect(page.has_more).toBe(false);
  });
});
