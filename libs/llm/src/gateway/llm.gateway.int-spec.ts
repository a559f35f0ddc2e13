import { llmRequestDuration } from '@conduit/observability';
import { waitFor } from '@conduit/testing';
import { LlmError } from '../errors/llm.exception';
import { LlmUnavailableError } from '../errors/llm-unavailable.exception';
import type { ChatStreamEvent } from '../llm.types';
import {
  collect,
  mockGatewayConfig,
  rejection,
  startMockLlmServer,
  textOf,
  type RunningMockLlm,
} from '../testing/mock-upstream.testing';
import { LlmGateway } from './llm.gateway';

const request = { messages: [{ role: 'user' as const, content: 'Explain fallback chains in one line' }], max_tokens: 64 };

describe('LlmGateway against the mock upstream', () => {
  let mock: RunningMockLlm;
  const log = () => mock.state.requests.list();
  const wires = () => log().map((e) => `${e.wire}:${e.model}:${e.status ?? e.fault}`);

  beforeAll(async () => {
    mock = await startMockLlmServer();
  });
  afterAll(() => mock.close());
  beforeEach(() => {
    mock.state.faults.clear();
    mock.state.requests.clear();
  });

  describe('complete', () => {
    it('answers from the first target of the default route', async () => {
      const gateway = new LlmGateway(mockGatewayConfig(mock));
      const result = await gateway.complete(undefined, request, { requestId: 'req-1' });
      expect(result).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-6' });
      expect(result.completion.content).toBe('Mock reply: Explain fallback chains in one line');
      expect(result.completion.usage.output_tokens).toBeGreaterThan(0);
      expect(result.attempts).toMatchObject([{ provider: 'anthropic', outcome: 'ok' }]);
    });

    it('falls back to OpenAI when the Anthropic route answers 503', async () => {
      mock.state.faults.add({ match: { wire: 'anthropic' }, fault: { status: 503 } });
      const gateway = new LlmGateway(mockGatewayConfig(mock));
      const before = (await llmRequestDuration.get()).values.find(
        (v) => v.metricName === 'conduit_llm_request_duration_seconds_count' && v.labels['provider'] === 'anthropic' && v.labels['outcome'] === 'fallback',
      )?.value ?? 0;

      const result = await gateway.complete('default', request);

      expect(result).toMatchObject({ provider: 'openai', model: 'gpt-4.1' });
      expect(result.completion.content).toContain('Mock reply');
      expect(result.attempts.map((a) => `${a.provider}#${a.attempt}:${a.outcome}:${a.error?.kind ?? ''}:${a.error?.status ?? ''}`)).toEqual([
        'anthropic#1:error:overloaded:503',
        'anthropic#2:error:overloaded:503',
        'openai#1:ok::',
      ]);
      expect(wires()).toEqual(['anthropic:claude-sonnet-4-6:503', 'anthropic:claude-sonnet-4-6:503', 'openai:gpt-4.1:200']);
      const after = (await llmRequestDuration.get()).values.find(
        (v) => v.metricName === 'conduit_llm_request_duration_seconds_count' && v.labels['provider'] === 'anthropic' && v.labels['outcome'] === 'fallback',
      )?.value;
      expect(after).toBe(before + 1);
    });

    it('retries a 429 after its retry-after, then succeeds on the same target', async () => {
      mock.state.faults.add({ match: { wire: 'anthropic' }, fault: { status: 429, retry_after: 0.15 }, times: 1 });
      const gateway = new LlmGateway(mockGatewayConfig(mock));
      const started = Date.now();
      const result = await gateway.complete('default', request);
      expect(Date.now() - started).toBeGreaterThanOrEqual(145);
      expect(result.provider).toBe('anthropic');
      expect(result.attempts).toMatchObject([
        { provider: 'anthropic', attempt: 1, outcome: 'error', error: { kind: 'rate_limited', status: 429 }, retryDelayMs: 150 },
        { provider: 'anthropic', attempt: 2, outcome: 'ok' },
      ]);
      expect(log()).toHaveLength(2);
    });

    it('stops at once on an invalid request (400), without fallback', async () => {
      mock.state.faults.add({ match: { wire: 'anthropic' }, fault: { status: 400 } });
      const gateway = new LlmGateway(mockGatewayConfig(mock));
      const error = await rejection(gateway.complete('default', request));
      expect(error).toBeInstanceOf(LlmError);
      expect(error).toMatchObject({ kind: 'invalid_request', status: 400, attempts: [{ provider: 'anthropic' }] });
      expect(log()).toHaveLength(1);
    });

    it('falls back past an auth failure without retrying it', async () => {
      mock.state.faults.add({ match: { wire: 'anthropic' }, fault: { status: 401 } });
      const gateway = new LlmGateway(mockGatewayConfig(mock));
      const result = await gateway.complete('default', request);
      expect(result.provider).toBe('openai');
      expect(result.attempts[0]).toMatchObject({ error: { kind: 'auth', status: 401 } });
      expect(log()).toHaveLength(2);
    });

    it('throws LlmUnavailableError when every provider fails; then the breakers open and calls fail fast', async () => {
      mock.state.faults.add({ fault: { status: 503 } });
      const gateway = new LlmGateway(mockGatewayConfig(mock, { breaker: { minRequests: 2, failureThreshold: 0.5, openMs: 60_000 } }));

      const first = await rejection(gateway.complete('default', request));
      expect(first).toBeInstanceOf(LlmUnavailableError);
      expect(first).toMatchObject({ code: 'upstream_unavailable', lastError: { kind: 'overloaded', provider: 'openai', model: 'gpt-4.1-mini' } });
      expect((first as LlmUnavailableError).attempts).toHaveLength(6);
      expect(log()).toHaveLength(6);
      expect(gateway.breakerStates().every((b) => b.state === 'open')).toBe(true);

      const started = Date.now();
      const second = await rejection(gateway.complete('default', request));
      expect(Date.now() - started).toBeLessThan(1_000); // no provider call (the log proves it); timing only guards against a wait
      expect(second).toMatchObject({ code: 'all_breakers_open' });
      expect((second as LlmUnavailableError).attempts.map((a) => a.skipped)).toEqual(['breaker_open', 'breaker_open', 'breaker_open']);
      expect((second as LlmUnavailableError).retryAfterMs).toBeGreaterThan(0);
      expect(log()).toHaveLength(6);
    });

    it('times out an attempt that never answers and falls back', async () => {
      mock.state.faults.add({ match: { wire: 'anthropic' }, fault: { type: 'timeout' } });
      const config = mockGatewayConfig(mock);
      const gateway = new LlmGateway({
        ...config,
        providers: config.providers?.map((p) => (p.name === 'anthropic' ? { ...p, timeoutMs: 120, maxRetries: 0 } : p)),
      });
      const started = Date.now();
      const result = await gateway.complete('default', request);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(result.provider).toBe('openai');
      expect(result.attempts[0]).toMatchObject({ provider: 'anthropic', outcome: 'error', error: { kind: 'timeout' } });
      expect(result.attempts[0].latencyMs).toBeGreaterThanOrEqual(115);
      await waitFor(() => log().find((e) => e.wire === 'anthropic' && e.client_disconnected), { what: 'the anthropic call to be disconnected' });
    });

    it('routes a concrete model by prefix, with no fallback', async () => {
      mock.state.faults.add({ match: { wire: 'openai' }, fault: { status: 500 } });
      const gateway = new LlmGateway(mockGatewayConfig(mock));
      const error = (await rejection(gateway.complete('gpt-4o-mini', request))) as LlmUnavailableError;
      expect(error.code).toBe('upstream_unavailable');
      expect(wires()).toEqual(['openai:gpt-4o-mini:500', 'openai:gpt-4o-mini:500']);
      expect((await gateway.complete('claude-haiku-4-5', request)).provider).toBe('anthropic');
    });
  });

  describe('openStream', () => {
    it('streams from Anthropic with usage; the first event is replayed', async () => {
      const gateway = new LlmGateway(mockGatewayConfig(mock));
      const stream = await gateway.openStream('default', request);
      expect(stream).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-6' });
      expect(stream.ttftMs).toBeGreaterThanOrEqual(0);
      const events = await collect(stream.events);
      expect(textOf(events)).toBe('Mock reply: Explain fallback chains in one line');
      const done = events[events.length - 1];
      expect(done).toMatchObject({ type: 'done', finish_reason: 'stop' });
      if (done.type === 'done') expect(done.usage.output_tokens).toBe(log()[0].completion_tokens);
    });

    it('streams from OpenAI with usage (stream_options.include_usage)', async () => {
      const gateway = new LlmGateway(mockGatewayConfig(mock));
      const events = await collect((await gateway.openStream('gpt-4o-mini', request)).events);
      const done = events[events.length - 1];
      expect(done).toMatchObject({ type: 'done', usage: { output_tokens: log()[0].completion_tokens } });
      if (done.type === 'done') expect(done.usage.input_tokens).toBe(log()[0].prompt_tokens);
    });

    it('falls back before the first token when the Anthropic stream fails with 503', async () => {
      mock.state.faults.add({ match: { wire: 'anthropic' }, fault: { status: 503 } });
      const gateway = new LlmGateway(mockGatewayConfig(mock));
      const stream = await gateway.openStream('default', request);
      expect(stream.provider).toBe('openai');
      expect(stream.attempts.map((a) => a.outcome)).toEqual(['error', 'error', 'ok']);
      expect(textOf(await collect(stream.events))).toContain('Mock reply');
    });

    it('errors out of the iterator when the stream is cut after its first tokens, without falling back', async () => {
      mock.state.faults.add({ match: { wire: 'anthropic', stream: true }, fault: { type: 'cut', after: 3, token_delay_ms: 5 } });
      const gateway = new LlmGateway(mockGatewayConfig(mock));
      const stream = await gateway.openStream('default', request);
      expect(stream.provider).toBe('anthropic');
      const seen: ChatStreamEvent[] = [];
      const error = await rejection(
        (async () => {
          for await (const event of stream.events) seen.push(event);
        })(),
      );
      expect(error).toBeInstanceOf(LlmError);
      expect(error).toMatchObject({ kind: 'connection', provider: 'anthropic' });
      expect(seen.filter((e) => e.type === 'text')).toHaveLength(3);
      expect(log().filter((e) => e.wire === 'openai')).toHaveLength(0);
      expect(log()).toHaveLength(1);
    });

    it.each([
      ['anthropic', 'claude-haiku-4-5'],
      ['openai', 'gpt-4o-mini'],
    ] as const)('aborting mid-stream closes the %s upstream connection promptly', async (wire, model) => {
      // "Promptly" is measured in the mock's own time, not the wall clock (which a loaded machine
      // stretches): a token every 200 ms, and the upstream must see the disconnect before it has
      // sent more than two tokens past the one the consumer read.
      mock.state.faults.add({ match: { wire }, fault: { token_delay_ms: 200 } });
      const gateway = new LlmGateway(mockGatewayConfig(mock));
      const controller = new AbortController();
      const stream = await gateway.openStream(model, request, { signal: controller.signal });
      const iterator = stream.events[Symbol.asyncIterator]();
      expect((await iterator.next()).value).toMatchObject({ type: 'text' });
      const pending = iterator.next().then(
        () => iterator.next(),
        (error: unknown) => error,
      );

      controller.abort();
      const entry = await waitFor(() => log().find((e) => e.client_disconnected), { what: 'a disconnected upstream call' });
      expect(entry.completion_tokens).toBeGreaterThan(4);
      expect(entry.tokens_sent).toBeLessThanOrEqual(3);
      await expect(pending).resolves.toMatchObject({ kind: 'cancelled' });
    });

    it('aborting while the consumer is not reading still closes the upstream connection', async () => {
      mock.state.faults.add({ match: { wire: 'openai' }, fault: { token_delay_ms: 200 } });
      const gateway = new LlmGateway(mockGatewayConfig(mock));
      const controller = new AbortController();
      await gateway.openStream('gpt-4o-mini', request, { signal: controller.signal });
      controller.abort();
      const entry = await waitFor(() => log().find((e) => e.client_disconnected), { what: 'a disconnected upstream call' });
      expect(entry.completion_tokens).toBeGreaterThan(4);
      expect(entry.tokens_sent).toBeLessThanOrEqual(3);
    });

    it('a consumer that stops reading closes the upstream connection', async () => {
      mock.state.faults.add({ match: { wire: 'anthropic' }, fault: { token_delay_ms: 40 } });
      const gateway = new LlmGateway(mockGatewayConfig(mock));
      const stream = await gateway.openStream('default', request);
      for await (const event of stream.events) {
        expect(event.type).toBe('text');
        break;
      }
      await waitFor(() => log().find((e) => e.client_disconnected), { what: 'a disconnected upstream call' });
    });

    it('times out a stream whose first token never comes, then falls back', async () => {
      mock.state.faults.add({ match: { wire: 'anthropic' }, fault: { ttft_ms: 5_000 } });
      const config = mockGatewayConfig(mock);
      const gateway = new LlmGateway({
        ...config,
        providers: config.providers?.map((p) => (p.name === 'anthropic' ? { ...p, timeoutMs: 100, maxRetries: 0 } : p)),
      });
      const started = Date.now();
      const stream = await gateway.openStream('default', request);
      expect(Date.now() - started).toBeLessThan(3_000); // the first token would take 5 s
      expect(stream.provider).toBe('openai');
      expect(stream.attempts[0]).toMatchObject({ provider: 'anthropic', error: { kind: 'timeout' } });
      await collect(stream.events);
      await waitFor(() => log().find((e) => e.wire === 'anthropic' && e.client_disconnected), { what: 'the anthropic call to be disconnected' });
    });

    it('times out a stream that stalls between tokens (idle timeout), without falling back', async () => {
      mock.state.faults.add({ match: { wire: 'anthropic' }, fault: { token_delay_ms: 5_000 } });
      const config = mockGatewayConfig(mock);
      const gateway = new LlmGateway({
        ...config,
        providers: config.providers?.map((p) => (p.name === 'anthropic' ? { ...p, streamIdleTimeoutMs: 100 } : p)),
      });
      const stream = await gateway.openStream('default', request);
      const error = await rejection(collect(stream.events));
      expect(error).toMatchObject({ kind: 'timeout', provider: 'anthropic' });
      expect(log().filter((e) => e.wire === 'openai')).toHaveLength(0);
    });
  });

  it('lists aliases and models for GET /v1/models', () => {
    const gateway = new LlmGateway(mockGatewayConfig(mock));
    expect(gateway.modelsList().map((m) => `${m.id}:${m.owned_by}`)).toEqual([
      'default:conduit',
      'claude-sonnet-4-6:anthropic',
      'gpt-4.1:openai',
      'gpt-4.1-mini:openai',
    ]);
  });
});
