import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { ConduitHeader } from '@conduit/contracts';
import { createTenantWithUser, createUserWithKey, removeTenants, TenantWithUser, UserWithKey, waitFor } from '@conduit/testing';
import { ChatPlatform, startChatPlatform } from './support/chat-platform';

const llmConfigFile = join(tmpdir(), `conduit-e2e-llm-${process.pid}.json`);
writeFileSync(
  llmConfigFile,
  JSON.stringify({
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 50 },
    breaker: { windowMs: 30_000, buckets: 6, failureThreshold: 0.5, minRequests: 3, openMs: 1_500 },
  }),
);

describe('chat path end to end: openai client → gateway → orchestrator → mock upstream', () => {
  let platform: ChatPlatform;
  let alice: TenantWithUser;
  let aliceColleague: UserWithKey;
  let bob: TenantWithUser;
  let client: OpenAI;

  const gatewayFetch = (path: string, init: RequestInit & { key?: string } = {}) =>
    fetch(`${platform.gateway.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${init.key ?? alice.apiKey}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
    });

  beforeAll(async () => {
    platform = await startChatPlatform({ LLM_CONFIG_FILE: llmConfigFile, LLM_MAX_RETRIES: '1', LLM_TIMEOUT_MS: '5000' });
    alice = await createTenantWithUser(platform.prisma);
    aliceColleague = await createUserWithKey(platform.prisma, alice.tenant);
    bob = await createTenantWithUser(platform.prisma);
    client = new OpenAI({ apiKey: alice.apiKey, baseURL: `${platform.gateway.url}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    if (!platform) return;
    await removeTenants(platform.prisma, [alice, bob].filter(Boolean).map((t) => t.tenant));
    await platform.stop();
  });

  beforeEach(() => {
    platform.mock.state.faults.clear();
  });

  async function storedMessages(sessionId: string) {
    return waitFor(() => platform.prisma.message.findMany({ where: { sessionId }, orderBy: { createdAt: 'asc' } }), {
      what: `the assistant message of session ${sessionId}`,
      until: (rows) => rows.some((m) => m.role === 'assistant'),
    });
  }

  it('completes a plain chat through the real openai client and stores both messages', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'default', messages: [{ role: 'user', content: 'Hello gateway' }] })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0].message.content).toBe('Mock reply: Hello gateway');
    expect(data.usage?.completion_tokens).toBeGreaterThan(0);
    expect(response.headers.get(ConduitHeader.Provider)).toBe('anthropic');
    const sessionId = response.headers.get(ConduitHeader.SessionId) ?? '';
    const messages = await storedMessages(sessionId);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    const assistant = messages[1];
    expect(assistant).toMatchObject({ provider: 'anthropic', status: 'complete', content: 'Mock reply: Hello gateway', tenantId: alice.tenant.id });
    expect(assistant.tokensIn).toBe(data.usage?.prompt_tokens);
    expect(assistant.tokensOut).toBe(data.usage?.completion_tokens);
    expect(Number(assistant.costUsd)).toBeGreaterThan(0);
    expect(assistant.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('streams SSE chunks with usage and [DONE], recording time to first token', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'default', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Stream please' }] })
      .withResponse();
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Mock reply: Stream please');
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    const [, assistant] = await storedMessages(response.headers.get(ConduitHeader.SessionId) ?? '');
    expect(assistant.status).toBe('complete');
    expect(assistant.ttftMs).not.toBeNull();
    expect(assistant.tokensOut).toBe(usage?.completion_tokens);
  });

  it('lists models and aliases', async () => {
    const models = await client.models.list();
    const ids = models.data.map((m) => m.id);
    expect(ids).toContain('default');
  });

  it('raises AuthenticationError for a bad key and BadRequestError for an invalid body', async () => {
    const stranger = new OpenAI({ apiKey: 'cdt_not_a_real_key', baseURL: `${platform.gateway.url}/v1`, maxRetries: 0 });
    await expect(stranger.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    const invalid = client.chat.completions.create({ model: 'default', messages: [] });
    await expect(invalid).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(invalid).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it.each([
    ['malformed JSON', '{"model":', 400, 'invalid_json'],
    ['wrong types', JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'x' }], temperature: 'hot' }), 400, 'invalid_request'],
    ['unknown role', JSON.stringify({ model: 'default', messages: [{ role: 'wizard', content: 'x' }] }), 400, 'invalid_request'],
    ['empty messages', JSON.stringify({ model: 'default', messages: [] }), 400, 'invalid_request'],
    ['too-large max_tokens', JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'x' }], max_tokens: 1_000_000 }), 400, 'max_tokens_too_large'],
    ['an unavailable extension', JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'x' }], conduit: { prompt_template: 'support-v2' } }), 400, 'unsupported_extension'],
    ['oversize body', JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'x'.repeat(70_000) }] }), 413, 'payload_too_large'],
  ])('rejects %s with a stable code', async (_name, body, status, code) => {
    const response = await gatewayFetch('/v1/chat/completions', { method: 'POST', body });
    expect(response.status).toBe(status);
    const error = ((await response.json()) as { error: { code: string; request_id: string; message: string } }).error;
    expect(error.code).toBe(code);
    expect(error.request_id).toBe(response.headers.get('x-request-id'));
    expect(error.message.length).toBeGreaterThan(0);
  });

  it('continues a session with its history, and nobody else can', async () => {
    const first = await client.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'My name is Ada' }] }).withResponse();
    const sessionId = first.response.headers.get(ConduitHeader.SessionId) ?? '';
    await storedMessages(sessionId);
    platform.mock.state.requests.clear();
    const second = await client.chat.completions
      .create({ model: 'default', messages: [{ role: 'user', content: 'What is my name?' }] }, { headers: { [ConduitHeader.SessionId]: sessionId } })
      .withResponse();
    expect(second.response.headers.get(ConduitHeader.SessionId)).toBe(sessionId);
    const upstream = platform.mock.state.requests.list()[0];
    // The upstream saw the stored history (two earlier messages) before the new question.
    expect(upstream.prompt_tokens).toBeGreaterThan(first.data.usage?.prompt_tokens ?? 0);
    await waitFor(() => platform.prisma.message.count({ where: { sessionId } }), { what: 'four stored messages', until: (count) => count === 4 });

    for (const intruder of [aliceColleague, bob]) {
      const response = await gatewayFetch('/v1/chat/completions', {
        method: 'POST',
        key: intruder.apiKey,
        headers: { [ConduitHeader.SessionId]: sessionId },
        body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'let me in' }] }),
      });
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('session_not_found');
    }
    expect(await platform.prisma.message.count({ where: { sessionId } })).toBe(4);
  });

  it('falls back to OpenAI when Anthropic answers 5xx, and stores who answered', async () => {
    platform.mock.state.faults.add({ match: { wire: 'anthropic' }, fault: { status: 503 } });
    const { data, response } = await client.chat.completions
      .create({ model: 'default', messages: [{ role: 'user', content: 'Fallback please' }] })
      .withResponse();
    expect(data.choices[0].message.content).toBe('Mock reply: Fallback please');
    expect(response.headers.get(ConduitHeader.Provider)).toBe('openai');
    const [, assistant] = await storedMessages(response.headers.get(ConduitHeader.SessionId) ?? '');
    expect(assistant.provider).toBe('openai');
    expect(assistant.model).toBe('gpt-4.1');
  });

  it('stops the upstream mid-stream when the client disconnects, storing the partial answer', async () => {
    platform.mock.state.faults.add({ match: { wire: 'anthropic' }, fault: { token_delay_ms: 40 } });
    const abort = new AbortController();
    const response = await gatewayFetch('/v1/chat/completions', {
      method: 'POST',
      signal: abort.signal,
      body: JSON.stringify({ model: 'default', stream: true, messages: [{ role: 'user', content: 'one two three four five six seven eight nine ten eleven twelve' }] }),
    });
    expect(response.status).toBe(200);
    const sessionId = response.headers.get(ConduitHeader.SessionId) ?? '';
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let received = '';
    // Wait for a few tokens, then leave.
    while ((received.match(/"content":"[^"]/g) ?? []).length < 3) {
      const { value } = await reader.read();
      received += new TextDecoder().decode(value);
    }
    abort.abort();
    const upstream = await waitFor(() => platform.mock.state.requests.list().find((r) => r.wire === 'anthropic' && r.stream && r.client_disconnected), {
      what: 'the upstream stream to see the client disconnect',
    });
    // Cut by the disconnect, not finished: fewer tokens went out than the answer has. (How fast the
    // cut travels is a latency target for a benchmark, not for a test on a loaded machine.)
    expect(upstream.ended_at).not.toBeNull();
    expect(upstream.tokens_sent).toBeLessThan(upstream.completion_tokens);
    const messages = await storedMessages(sessionId);
    const assistant = messages.find((m) => m.role === 'assistant');
    expect(assistant?.status).toBe('partial');
    expect(assistant?.content.startsWith('Mock reply:')).toBe(true);
    expect(assistant?.content.length).toBeLessThan('Mock reply: one two three four five six seven eight nine ten eleven twelve'.length);
    expect(assistant?.tokensOut).toBeGreaterThan(0);
  });

  it('carries one trace from the gateway through the orchestrator to the billing worker', async () => {
    const { response } = await client.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'trace me' }] }).withResponse();
    const traceId = response.headers.get('x-trace-id') ?? '';
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    await waitFor(() => new Set(platform.otlp.spans.filter((s) => s.traceId === traceId).map((s) => s.service)), {
      what: 'spans of the gateway, the orchestrator and billing in one trace',
      until: (seen) => seen.has('api-gateway') && seen.has('chat-orchestrator') && seen.has('billing'),
      timeoutMs: 15_000,
    });
    const llmSpan = platform.otlp.spans.find((s) => s.traceId === traceId && s.attributes['gen_ai.provider.name'] !== undefined);
    expect(llmSpan?.attributes['gen_ai.request.model']).toBeDefined();
    // The consumer span ends after the handler's own spans, so it may arrive in a later export batch.
    await waitFor(() => platform.otlp.spans.find((s) => s.traceId === traceId && s.service === 'billing' && s.kind === 5), {
      what: "billing's consumer span in the trace",
    });
    const sessionId = response.headers.get(ConduitHeader.SessionId) ?? '';
    const [, assistant] = await storedMessages(sessionId);
    const usage = await waitFor(() => platform.prisma.usageEvent.findUnique({ where: { id: assistant.id } }), { what: 'the usage event of the answer' });
    expect(usage).toMatchObject({ tenantId: alice.tenant.id, provider: 'anthropic', feature: 'chat' });
  });

  it('answers 502/503 with a clear code when every provider fails, then fails fast once breakers open', async () => {
    platform.mock.state.faults.add({ match: {}, fault: { status: 503 } });
    const codes: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const response = await gatewayFetch('/v1/chat/completions', {
        method: 'POST',
        body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: `fail ${i}` }] }),
      });
      expect([502, 503]).toContain(response.status);
      codes.push(((await response.json()) as { error: { code: string } }).error.code);
    }
    expect(codes[0]).toBe('upstream_unavailable');
    expect(codes[codes.length - 1]).toBe('all_breakers_open');
    platform.mock.state.requests.clear();
    const started = Date.now();
    const fast = await gatewayFetch('/v1/chat/completions', {
      method: 'POST',
      body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'still failing?' }] }),
    });
    expect(fast.status).toBe(503);
    // Failing fast means no upstream call at all; the time bound is loose on purpose (a loaded
    // machine stretches any request), yet far below the provider timeout and retry schedule.
    expect(platform.mock.state.requests.list()).toHaveLength(0);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
