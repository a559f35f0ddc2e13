import { metricsRegistry } from '@conduit/observability';
import { LlmError } from '../errors/llm.exception';
import type { ChatCompletion, ChatRequest, ChatStreamEvent, LlmProvider } from '../llm.types';
import { LlmGateway } from './llm.gateway';
import { errorMetricKind } from './llm-metrics';

class Failing implements LlmProvider {
  readonly system = 'openai';
  constructor(
    readonly name: string,
    private readonly kind: 'server' | 'ok' | 'content_filter',
  ) {}
  async complete(request: ChatRequest): Promise<ChatCompletion> {
    if (this.kind === 'server') throw new LlmError({ kind: 'server', status: 503, provider: this.name, model: request.model, message: 'down' });
    return { content: '', finish_reason: this.kind === 'ok' ? 'stop' : 'content_filter', usage: { input_tokens: 1, output_tokens: 0, cached_tokens: 0 } };
  }
  // eslint-disable-next-line require-yield
  async *stream(): AsyncIterable<ChatStreamEvent> {
    throw new Error('not used');
  }
}

async function sample(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = await metricsRegistry.getSingleMetric(name)?.get();
  const found = metric?.values.find((value) => Object.entries(labels).every(([key, v]) => value.labels[key] === v));
  return found?.value;
}

describe('LLM metrics on the Prometheus registry', () => {
  it('maps every gateway error kind onto the bounded kind list', () => {
    expect(errorMetricKind('rate_limited')).toBe('rate_limit');
    expect(errorMetricKind('overloaded')).toBe('server_5xx');
    expect(errorMetricKind('server')).toBe('server_5xx');
    expect(errorMetricKind('auth')).toBe('auth');
    expect(errorMetricKind('cancelled')).toBe('cancelled');
    expect(errorMetricKind('timeout')).toBe('timeout');
    expect(errorMetricKind('unknown')).toBe('other');
  });

  it('counts errors by kind and fallbacks, and shows an open breaker as 2 at scrape time', async () => {
    const gateway = new LlmGateway(
      {
        providers: [
          { name: 'upstream-a', kind: 'openai', maxRetries: 0 },
          { name: 'upstream-b', kind: 'openai', maxRetries: 0 },
        ],
        routes: { pair: [{ provider: 'upstream-a', model: 'model-a' }, { provider: 'upstream-b', model: 'model-b' }] },
        breaker: { windowMs: 10_000, buckets: 10, failureThreshold: 0.5, minRequests: 2, openMs: 60_000 },
      },
      { providers: { 'upstream-a': new Failing('upstream-a', 'server'), 'upstream-b': new Failing('upstream-b', 'content_filter') } },
    );
    const a = { provider: 'upstream-a', model: 'model-a' };
    const errorsBefore = (await sample('conduit_llm_errors_total', { ...a, kind: 'server_5xx' })) ?? 0;
    for (let i = 0; i < 3; i++) await gateway.complete('pair', { messages: [{ role: 'user', content: 'hi' }] });

    // Two attempts reached upstream-a before its breaker opened; the third call skipped it.
    expect((await sample('conduit_llm_errors_total', { ...a, kind: 'server_5xx' })) ?? 0).toBe(errorsBefore + 2);
    expect(await sample('conduit_llm_fallbacks_total', a)).toBeGreaterThanOrEqual(2);
    expect(await sample('conduit_llm_errors_total', { provider: 'upstream-b', model: 'model-b', kind: 'content_filter' })).toBeGreaterThanOrEqual(3);
    expect(await sample('conduit_llm_breaker_state', a)).toBe(2);
    expect(await sample('conduit_llm_breaker_state', { provider: 'upstream-b', model: 'model-b' })).toBe(0);
  });
});
