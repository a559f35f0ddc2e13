import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { ConduitHeader } from '@conduit/contracts';
import { createTenantWithUser, removeTenants, TenantWithUser, waitFor } from '@conduit/testing';
import { ChatPlatform, startChatPlatform } from './support/chat-platform';

/**
 * Structured output through the real openai client: `response_format` (`json_object`,
 * `json_schema` from a zod schema) on an OpenAI-wire route (passed through) and on the Anthropic
 * route (a forced answer tool), and `conduit.validate_json` (one more call on an invalid answer,
 * then 502 `invalid_model_output`). The mock answers schema mode with the schema's minimal instance
 * and makes answers invalid on purpose with `[[json:…]]` markers (libs/mock-llm README).
 */

const OPENAI_ROUTE = 'json-openai';
const ANSWER_TOOL = 'tool:conduit_structured_output';

const llmConfigFile = join(tmpdir(), `conduit-e2e-structured-${process.pid}.json`);
writeFileSync(
  llmConfigFile,
  JSON.stringify({
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 50 },
    // The file's routes replace the built-in ones: `default` is kept as it is built in (Anthropic first).
    routes: {
      default: [
        { provider: 'anthropic', model: 'claude-sonnet-4-6' },
        { provider: 'openai', model: 'gpt-4.1' },
      ],
      [OPENAI_ROUTE]: [{ provider: 'openai', model: 'gpt-4.1' }],
    },
  }),
);

const City = z.object({
  city: z.string(),
  population: z.number().int(),
  tags: z.array(z.string()),
  kind: z.enum(['capital', 'town']),
  mayor: z.object({ name: z.string(), party: z.string().nullable() }),
});

/** The mock's minimal instance of `City`'s JSON schema. */
const MINIMAL_CITY = { city: 'mock', population: 0, tags: [], kind: 'capital', mayor: { name: 'mock', party: 'mock' } };

type ParseParams = Parameters<OpenAI['chat']['completions']['parse']>[0];

describe('structured output end to end: openai client → gateway → orchestrator → mock upstream', () => {
  let platform: ChatPlatform;
  let alice: TenantWithUser;
  let client: OpenAI;

  const gatewayFetch = (body: unknown) =>
    fetch(`${platform.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  /** Upstream calls whose prompt carries `tag`. */
  const upstreamCalls = (tag: string) => platform.mock.state.requests.list().filter((r) => r.prompt_text.includes(tag));

  /** A request with Conduit's extension (the Node client passes unknown body fields through). */
  const withValidation = (params: ParseParams): ParseParams => ({ ...params, conduit: { validate_json: true } }) as ParseParams;

  beforeAll(async () => {
    platform = await startChatPlatform({ LLM_CONFIG_FILE: llmConfigFile, LLM_MAX_RETRIES: '0', LLM_TIMEOUT_MS: '5000' });
    alice = await createTenantWithUser(platform.prisma);
    // No SDK retries: a 502 must reach the test as it is. So a first call that meets a cold start
    // (503 `usage_controls_unavailable` with retry-after on a loaded machine) is waited out here.
    client = new OpenAI({ apiKey: alice.apiKey, baseURL: `${platform.gateway.url}/v1`, maxRetries: 0 });
    await waitFor(async () => (await gatewayFetch({ model: 'default', messages: [{ role: 'user', content: 'warm up' }] })).status, {
      what: 'the platform to answer a first chat',
      until: (status) => status === 200,
    });
  });

  afterAll(async () => {
    if (!platform) return;
    if (alice) await removeTenants(platform.prisma, [alice.tenant]);
    await platform.stop();
  });

  beforeEach(() => {
    platform.mock.state.faults.clear();
  });

  it.each([
    ['an OpenAI-wire route', OPENAI_ROUTE, 'openai', 'json_schema'],
    ['the Anthropic route', 'default', 'anthropic', ANSWER_TOOL],
  ])('chat.completions.parse with a zod schema returns a parsed object on %s', async (_name, model, provider, upstreamFormat) => {
    const tag = randomUUID();
    const { data, response } = await client.chat.completions
      .parse({ model, messages: [{ role: 'user', content: `Describe a city ${tag}` }], response_format: zodResponseFormat(City, 'city') })
      .withResponse();
    expect(response.headers.get(ConduitHeader.Provider)).toBe(provider);
    const message = data.choices[0].message;
    expect(message.parsed).toEqual(MINIMAL_CITY);
    expect(JSON.parse(message.content ?? '')).toEqual(MINIMAL_CITY);
    expect(data.choices[0].finish_reason).toBe('stop');
    expect(message.tool_calls ?? []).toEqual([]);
    const [upstream] = upstreamCalls(tag);
    expect(upstream).toMatchObject({ wire: provider, output_format: upstreamFormat });
  });

  it('streams structured output from the Anthropic route as text deltas the client parses', async () => {
    const tag = randomUUID();
    const stream = client.chat.completions.stream({
      model: 'default',
      messages: [{ role: 'user', content: `Stream a city ${tag}` }],
      response_format: zodResponseFormat(City, 'city'),
    });
    let deltas = 0;
    stream.on('content.delta', () => (deltas += 1));
    const final = await stream.finalChatCompletion();
    expect(final.choices[0].message.parsed).toEqual(MINIMAL_CITY);
    expect(final.choices[0].finish_reason).toBe('stop');
    expect(deltas).toBeGreaterThan(0);
    expect(upstreamCalls(tag)).toEqual([expect.objectContaining({ wire: 'anthropic', stream: true, output_format: ANSWER_TOOL })]);
  });

  it.each([
    ['an OpenAI-wire route', OPENAI_ROUTE],
    ['the Anthropic route', 'default'],
  ])('json_object answers a JSON object on %s', async (_name, model) => {
    const tag = randomUUID();
    const completion = await client.chat.completions.create({ model, messages: [{ role: 'user', content: `Any JSON ${tag}` }], response_format: { type: 'json_object' } });
    expect(JSON.parse(completion.choices[0].message.content ?? '')).toEqual({ reply: `Mock reply: Any JSON ${tag}` });
  });

  it.each([
    ['an OpenAI-wire route', OPENAI_ROUTE],
    ['the Anthropic route', 'default'],
  ])('validate_json calls the model once more after an invalid answer, and bills both calls, on %s', async (_name, model) => {
    const tag = randomUUID();
    const completion = await client.chat.completions.parse(
      withValidation({ model, messages: [{ role: 'user', content: `City please [[json:invalid-once]] ${tag}` }], response_format: zodResponseFormat(City, 'city') }),
    );
    expect(completion.choices[0].message.parsed).toEqual(MINIMAL_CITY);
    const calls = upstreamCalls(tag);
    expect(calls).toHaveLength(2);
    expect(calls.every((call) => call.status === 200)).toBe(true);
    expect(completion.usage?.completion_tokens).toBe(calls[0].completion_tokens + calls[1].completion_tokens);
    expect(completion.usage?.prompt_tokens).toBe(calls[0].prompt_tokens + calls[1].prompt_tokens);
  });

  it.each([
    ['not JSON, OpenAI-wire route', OPENAI_ROUTE, '[[json:invalid]]'],
    ['not JSON, Anthropic route', 'default', '[[json:invalid]]'],
    ['JSON outside the schema, OpenAI-wire route', OPENAI_ROUTE, '[[json:mismatch]]'],
    ['JSON outside the schema, Anthropic route', 'default', '[[json:mismatch]]'],
  ])('validate_json answers 502 invalid_model_output after two invalid answers (%s)', async (_name, model, marker) => {
    const tag = randomUUID();
    const failure = client.chat.completions.parse(
      withValidation({ model, messages: [{ role: 'user', content: `City please ${marker} ${tag}` }], response_format: zodResponseFormat(City, 'city') }),
    );
    await expect(failure).rejects.toBeInstanceOf(OpenAI.APIError);
    await expect(failure).rejects.toMatchObject({ status: 502, code: 'invalid_model_output', param: 'response_format' });
    const calls = upstreamCalls(tag);
    expect(calls).toHaveLength(2);
    // The provider charged for both calls: the turn is stored as failed (out of the session's history) and billed.
    const question = await waitFor(() => platform.prisma.message.findFirst({ where: { tenantId: alice.tenant.id, role: 'user', content: { contains: tag } } }), {
      what: 'the stored question of the refused turn',
      until: (row) => row !== null,
    });
    const answer = await waitFor(() => platform.prisma.message.findFirst({ where: { sessionId: question?.sessionId, role: 'assistant' } }), {
      what: 'the failed assistant message',
      until: (row) => row !== null,
    });
    expect(answer).toMatchObject({ status: 'failed', tokensOut: calls[0].completion_tokens + calls[1].completion_tokens, tokensIn: calls[0].prompt_tokens + calls[1].prompt_tokens });
    expect(Number(answer?.costUsd)).toBeGreaterThan(0);
    const usage = await waitFor(() => platform.prisma.usageEvent.findUnique({ where: { id: answer?.id } }), { what: 'the usage event of the refused turn' });
    expect(usage).toMatchObject({ tenantId: alice.tenant.id, feature: 'chat' });
  });

  it('without validate_json an invalid answer goes to the client as it is, after one call', async () => {
    const tag = randomUUID();
    const completion = await client.chat.completions.create({
      model: OPENAI_ROUTE,
      messages: [{ role: 'user', content: `City please [[json:invalid]] ${tag}` }],
      response_format: { type: 'json_object' },
    });
    expect(completion.choices[0].message.content).toBe('Mock reply: this is not JSON.');
    expect(upstreamCalls(tag)).toHaveLength(1);
  });

  it.each([
    ['with stream: true', { stream: true, response_format: { type: 'json_object' } }, 'unsupported_parameter'],
    ['without a JSON response_format', { response_format: { type: 'text' } }, 'invalid_request'],
    ['without any response_format', {}, 'invalid_request'],
  ])('refuses validate_json %s with 400 naming conduit.validate_json', async (_name, fields, code) => {
    const tag = randomUUID();
    const response = await gatewayFetch({ model: 'default', messages: [{ role: 'user', content: `x ${tag}` }], conduit: { validate_json: true }, ...fields });
    expect(response.status).toBe(400);
    const error = ((await response.json()) as { error: { code: string; param: string } }).error;
    expect(error).toMatchObject({ code, param: 'conduit.validate_json' });
    expect(upstreamCalls(tag)).toHaveLength(0);
  });

  it('refuses a JSON response_format with tools on the Anthropic route (400 unsupported_parameter), and takes both on an OpenAI-wire route', async () => {
    const tag = randomUUID();
    const body = {
      messages: [{ role: 'user', content: `Weather? ${tag}` }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }],
      response_format: { type: 'json_object' },
    };
    const anthropic = await gatewayFetch({ ...body, model: 'default' });
    expect(anthropic.status).toBe(400);
    expect(((await anthropic.json()) as { error: { code: string; param: string } }).error).toMatchObject({ code: 'unsupported_parameter', param: 'response_format' });
    expect(upstreamCalls(tag)).toHaveLength(0);
    const openai = await gatewayFetch({ ...body, model: OPENAI_ROUTE });
    expect(openai.status).toBe(200);
    expect(upstreamCalls(tag)).toEqual([expect.objectContaining({ wire: 'openai', output_format: 'json_object' })]);
  });

  it('refuses a json_schema Ajv cannot compile when validate_json is set, before any model call', async () => {
    const tag = randomUUID();
    const response = await gatewayFetch({
      model: OPENAI_ROUTE,
      messages: [{ role: 'user', content: `x ${tag}` }],
      response_format: { type: 'json_schema', json_schema: { name: 'bad', schema: { type: 'object', properties: { a: { type: 'no-such-type' } } } } },
      conduit: { validate_json: true },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string; param: string } }).error).toMatchObject({ code: 'invalid_request', param: 'response_format.json_schema.schema' });
    expect(upstreamCalls(tag)).toHaveLength(0);
  });
});
