import { LlmError } from '../errors/llm.exception';
import type { LlmErrorKind } from '../errors/llm-error-kind';
import { LlmUnavailableError } from '../errors/llm-unavailable.exception';
import type { CallOptions, ChatCompletion, ChatRequest, ChatStreamEvent, LlmProvider, TokenUsage } from '../llm.types';
import type { LlmConfigInput } from '../config/llm.config';
import { LlmGateway } from './llm.gateway';
import type { AttemptOutcome, LlmMetrics } from './llm-metrics';

type Step = 'ok' | LlmErrorKind | { kind: LlmErrorKind; retryAfterMs?: number };
const usage: TokenUsage = { input_tokens: 1_000, output_tokens: 500, cached_tokens: 0 };

class FakeProvider implements LlmProvider {
  readonly system: string;
  readonly calls: ChatRequest[] = [];
  constructor(
    readonly name: string,
    private readonly steps: Step[],
    private readonly streamEvents: (ChatStreamEvent | LlmErrorKind)[] = [],
  ) {
    this.system = name;
  }

  private next(request: ChatRequest): void {
    this.calls.push(request);
    const step = this.steps.shift() ?? 'ok';
    if (step === 'ok') return;
    const { kind, retryAfterMs } = typeof step === 'string' ? { kind: step, retryAfterMs: undefined } : step;
    throw new LlmError({ kind, provider: this.name, model: request.model, message: `${kind}!`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }

  async complete(request: ChatRequest, _options: CallOptions): Promise<ChatCompletion> {
    this.next(request);
    return { content: `from ${this.name}/${request.model}`, finish_reason: 'stop', usage };
  }

  async *stream(request: ChatRequest, _options: CallOptions): AsyncIterable<ChatStreamEvent> {
    this.next(request);
    for (const event of this.streamEvents) {
      if (typeof event === 'string') throw new LlmError({ kind: event, provider: this.name, model: request.model, message: 'mid-stream' });
      yield event;
    }
  }
}

class RecordingMetrics implements LlmMetrics {
  readonly attempts: string[] = [];
  readonly ttft: string[] = [];
  readonly costs: number[] = [];
  readonly errors: string[] = [];
  error(labels: { provider: string; model: string }, kind: string): void {
    expect(Object.keys(labels).sort()).toEqual(['model', 'provider']);
    this.errors.push(`${labels.provider}/${labels.model}:${kind}`);
  }
  attempt(labels: { provider: string; model: string }, outcome: AttemptOutcome): void {
    // Prometheus rejects label names it was not declared with.
    expect(Object.keys(labels).sort()).toEqual(['model', 'provider']);
    this.attempts.push(`${labels.provider}/${labels.model}:${outcome}`);
  }
  timeToFirstToken(labels: { provider: string; model: string }): void {
    this.ttft.push(`${labels.provider}/${labels.model}`);
  }
  usage(_labels: unknown, _usage: TokenUsage, costUsd: number): void {
    this.costs.push(costUsd);
  }
}

const config: LlmConfigInput = {
  providers: [
    { name: 'anthropic', kind: 'anthropic', maxRetries: 2 },
    { name: 'openai', kind: 'openai', maxRetries: 1 },
  ],
  retry: { baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 2_000 },
  breaker: { windowMs: 10_000, buckets: 10, failureThreshold: 0.5, minRequests: 3, openMs: 60_000 },
};

function gatewayWith(anthropic: FakeProvider, openai: FakeProvider, overrides: LlmConfigInput = {}) {
  const sleeps: number[] = [];
  const metrics = new RecordingMetrics();
  const gateway = new LlmGateway(
    { ...config, ...overrides },
    {
      providers: { anthropic, openai },
      metrics,
      random: () => 0.5,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    },
  );
  return { gateway, sleeps, metrics };
}

const request = { messages: [{ role: 'user' as const, content: 'hi' }] };

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('LlmGateway.complete', () => {
  it('answers from the first target when it works', async () => {
    const { gateway, metrics } = gatewayWith(new FakeProvider('anthropic', ['ok']), new FakeProvider('openai', []));
    const result = await gateway.complete('default', request, { requestId: 'r1' });
    expect(result).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-6', completion: { content: 'from anthropic/claude-sonnet-4-6' } });
    expect(result.attempts).toMatchObject([{ provider: 'anthropic', attempt: 1, outcome: 'ok' }]);
    expect(metrics.attempts).toEqual(['anthropic/claude-sonnet-4-6:ok']);
    expect(metrics.costs).toEqual([0]); // no price source installed
  });

  it('retries retryable errors with backoff, then falls back to the next target', async () => {
    const anthropic = new FakeProvider('anthropic', ['overloaded', 'server', 'timeout']);
    const openai = new FakeProvider('openai', ['ok']);
    const { gateway, sleeps, metrics } = gatewayWith(anthropic, openai);
    const result = await gateway.complete(undefined, { ...request, model: 'ignored' });
    expect(result).toMatchObject({ provider: 'openai', model: 'gpt-4.1' });
    expect(anthropic.calls).toHaveLength(3);
    expect(openai.calls.map((c) => c.model)).toEqual(['gpt-4.1']);
    expect(sleeps).toEqual([50, 100]);
    expect(result.attempts.map((a) => `${a.provider}#${a.attempt}:${a.outcome}:${a.error?.kind ?? ''}`)).toEqual([
      'anthropic#1:error:overloaded',
      'anthropic#2:error:server',
      'anthropic#3:error:timeout',
      'openai#1:ok:',
    ]);
    expect(result.attempts[0].retryDelayMs).toBe(50);
    expect(metrics.attempts).toEqual([
      'anthropic/claude-sonnet-4-6:error',
      'anthropic/claude-sonnet-4-6:error',
      'anthropic/claude-sonnet-4-6:fallback',
      'openai/gpt-4.1:ok',
    ]);
    // Errors by kind use the metric's fixed list: overloaded and server are both 5xx.
    expect(metrics.errors).toEqual(['anthropic/claude-sonnet-4-6:server_5xx', 'anthropic/claude-sonnet-4-6:server_5xx', 'anthropic/claude-sonnet-4-6:timeout']);
  });

  it('waits at least the retry-after of a 429 (capped)', async () => {
    const anthropic = new FakeProvider('anthropic', [{ kind: 'rate_limited', retryAfterMs: 1_500 }, { kind: 'rate_limited', retryAfterMs: 90_000 }, 'ok']);
    const { gateway, sleeps } = gatewayWith(anthropic, new FakeProvider('openai', []));
    expect((await gateway.complete('default', request)).provider).toBe('anthropic');
    expect(sleeps).toEqual([1_500, 2_000]);
  });

  it('falls back on auth errors without retrying them', async () => {
    const anthropic = new FakeProvider('anthropic', ['auth']);
    const { gateway, sleeps } = gatewayWith(anthropic, new FakeProvider('openai', ['ok']));
    expect((await gateway.complete('default', request)).provider).toBe('openai');
    expect(anthropic.calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it.each(['invalid_request', 'cancelled'] as const)('stops at once on %s, rethrowing it with the attempts', async (kind) => {
    const openai = new FakeProvider('openai', []);
    const { gateway } = gatewayWith(new FakeProvider('anthropic', [kind]), openai);
    const error = await rejection(gateway.complete('default', request));
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ kind, attempts: [{ provider: 'anthropic', outcome: kind === 'cancelled' ? 'cancelled' : 'error' }] });
    expect(openai.calls).toHaveLength(0);
  });

  it('stops when the signal fires during a backoff wait', async () => {
    const controller = new AbortController();
    const openai = new FakeProvider('openai', []);
    const gateway = new LlmGateway(config, {
      providers: { anthropic: new FakeProvider('anthropic', ['server', 'server']), openai },
      metrics: new RecordingMetrics(),
      sleep: (_ms, signal) =>
        new Promise((_resolve, reject) => {
          controller.abort();
          reject(signal?.reason);
        }),
    });
    const error = await rejection(gateway.complete('default', request, { signal: controller.signal }));
    expect(error).toMatchObject({ kind: 'cancelled' });
    expect(openai.calls).toHaveLength(0);
  });

  it('throws LlmUnavailableError with every attempt when all targets fail', async () => {
    const { gateway } = gatewayWith(new FakeProvider('anthropic', ['server', 'server', 'server']), new FakeProvider('openai', ['connection', 'connection', 'server', 'server']));
    const error = await rejection(gateway.complete('default', request));
    expect(error).toBeInstanceOf(LlmUnavailableError);
    const unavailable = error as LlmUnavailableError;
    expect(unavailable.code).toBe('upstream_unavailable');
    expect(unavailable.attempts).toHaveLength(7);
    expect(unavailable.lastError).toMatchObject({ kind: 'server', provider: 'openai', model: 'gpt-4.1-mini' });
  });

  it('skips targets whose breaker is open, and fails fast when every breaker is open', async () => {
    const failing: Step[] = Array.from({ length: 30 }, () => 'server' as const);
    const anthropic = new FakeProvider('anthropic', [...failing]);
    const openai = new FakeProvider('openai', [...failing]);
    const { gateway } = gatewayWith(anthropic, openai);
    await rejection(gateway.complete('default', request));
    expect(gateway.breakerStates().map((b) => `${b.provider}/${b.model}:${b.state}`)).toEqual([
      'anthropic/claude-sonnet-4-6:open',
      'openai/gpt-4.1:closed',
      'openai/gpt-4.1-mini:closed',
    ]);
    await rejection(gateway.complete('default', request));
    const callsBefore = anthropic.calls.length + openai.calls.length;
    const error = (await rejection(gateway.complete('default', request))) as LlmUnavailableError;
    expect(error.code).toBe('all_breakers_open');
    expect(error.retryAfterMs).toBeGreaterThan(59_000);
    expect(error.attempts.map((a) => a.skipped)).toEqual(['breaker_open', 'breaker_open', 'breaker_open']);
    expect(anthropic.calls.length + openai.calls.length).toBe(callsBefore);
  });

  it('skips providers without an API key with a clear reason', async () => {
    const gateway = new LlmGateway(config, { metrics: new RecordingMetrics() });
    const error = (await rejection(gateway.complete('default', request))) as LlmUnavailableError;
    expect(error.code).toBe('no_provider_configured');
    expect(error.attempts[0]).toMatchObject({ outcome: 'skipped', skipped: 'not_configured', detail: 'provider "anthropic" has no API key (set ANTHROPIC_API_KEY)' });
  });

  it('routes a concrete model to its provider only, without fallback', async () => {
    const openai = new FakeProvider('openai', ['server', 'server']);
    const { gateway } = gatewayWith(new FakeProvider('anthropic', []), openai);
    const error = (await rejection(gateway.complete('gpt-4o', request))) as LlmUnavailableError;
    expect(error.attempts.map((a) => `${a.provider}/${a.model}`)).toEqual(['openai/gpt-4o', 'openai/gpt-4o']);
  });

  it('records the cost of usage from the installed price source, and 0 without one', async () => {
    const { gateway, metrics } = gatewayWith(new FakeProvider('anthropic', []), new FakeProvider('openai', []));
    await gateway.complete('default', request);
    gateway.usePricing({ costOf: (model, used) => ({ usd: model === 'claude-sonnet-4-6' ? used.input_tokens / 1_000 : 0 }) });
    await gateway.complete('default', request);
    expect(metrics.costs).toEqual([0, 1]);
  });
});

describe('LlmGateway.openStream', () => {
  const text = (t: string): ChatStreamEvent => ({ type: 'text', text: t });
  const done: ChatStreamEvent = { type: 'done', finish_reason: 'stop', usage };

  async function collect(events: AsyncIterable<ChatStreamEvent>) {
    const out: ChatStreamEvent[] = [];
    for await (const event of events) out.push(event);
    return out;
  }

  it('resolves at the first event and replays it, then the rest', async () => {
    const { gateway, metrics } = gatewayWith(new FakeProvider('anthropic', ['ok'], [text('a'), text('b'), done]), new FakeProvider('openai', []));
    const stream = await gateway.openStream('default', request);
    expect(stream).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-6' });
    expect(metrics.ttft).toEqual(['anthropic/claude-sonnet-4-6']);
    expect(metrics.attempts).toEqual([]);
    expect(await collect(stream.events)).toEqual([text('a'), text('b'), done]);
    expect(metrics.attempts).toEqual(['anthropic/claude-sonnet-4-6:ok']);
    expect(metrics.costs).toHaveLength(1);
  });

  it('falls back when a target fails before its first event', async () => {
    const { gateway } = gatewayWith(new FakeProvider('anthropic', ['overloaded', 'overloaded', 'overloaded']), new FakeProvider('openai', ['ok'], [text('x'), done]));
    const stream = await gateway.openStream('default', request);
    expect(stream.provider).toBe('openai');
    expect(stream.attempts.map((a) => a.outcome)).toEqual(['error', 'error', 'error', 'ok']);
    expect(await collect(stream.events)).toEqual([text('x'), done]);
  });

  it('never falls back after the first event: the iterator throws', async () => {
    const openai = new FakeProvider('openai', []);
    const { gateway, metrics } = gatewayWith(new FakeProvider('anthropic', ['ok'], [text('a'), 'connection']), openai);
    const stream = await gateway.openStream('default', request);
    const seen: ChatStreamEvent[] = [];
    const error = await rejection(
      (async () => {
        for await (const event of stream.events) seen.push(event);
      })(),
    );
    expect(seen).toEqual([text('a')]);
    expect(error).toMatchObject({ kind: 'connection', provider: 'anthropic' });
    expect(openai.calls).toHaveLength(0);
    expect(metrics.attempts).toEqual(['anthropic/claude-sonnet-4-6:error']);
  });

  it('records a consumer that stops reading as cancelled', async () => {
    const { gateway, metrics } = gatewayWith(new FakeProvider('anthropic', ['ok'], [text('a'), text('b'), done]), new FakeProvider('openai', []));
    const stream = await gateway.openStream('default', request);
    for await (const event of stream.events) {
      expect(event).toEqual(text('a'));
      break;
    }
    expect(metrics.attempts).toEqual(['anthropic/claude-sonnet-4-6:cancelled']);
  });
});
