import { LlmError } from '../errors/llm.exception';
import type { ChatCompletion, ChatRequest, ChatStreamEvent, LlmProvider } from '../llm.types';
import { LlmBreakerReadiness } from './breaker.readiness';
import { LlmGateway } from './llm.gateway';
import type { LlmMetrics } from './llm-metrics';

class Down implements LlmProvider {
  readonly system = 'openai';
  constructor(readonly name: string) {}
  async complete(request: ChatRequest): Promise<ChatCompletion> {
    throw new LlmError({ kind: 'server', status: 500, provider: this.name, model: request.model, message: 'down' });
  }
  // eslint-disable-next-line require-yield
  async *stream(): AsyncIterable<ChatStreamEvent> {
    throw new Error('not used');
  }
}

const metrics: LlmMetrics = { attempt: () => undefined, timeToFirstToken: () => undefined, usage: () => undefined, error: () => undefined };

describe('LlmBreakerReadiness', () => {
  it('summarises the breakers and resolves even when one is open (readiness shows it, never fails on it)', async () => {
    const gateway = new LlmGateway(
      {
        providers: [{ name: 'down', kind: 'openai', maxRetries: 0 }],
        routes: { only: [{ provider: 'down', model: 'm-1' }] },
        breaker: { windowMs: 10_000, buckets: 10, failureThreshold: 0.5, minRequests: 2, openMs: 60_000 },
      },
      { providers: { down: new Down('down') }, metrics },
    );
    const readiness = new LlmBreakerReadiness(gateway);
    expect(await readiness.check()).toEqual({ open: 0, half_open: 0, closed: 0, not_closed: [] });

    for (let i = 0; i < 2; i++) await gateway.complete('only', { messages: [{ role: 'user', content: 'hi' }] }).catch(() => undefined);

    const summary = await readiness.check();
    expect(summary).toMatchObject({ open: 1, half_open: 0, closed: 0 });
    expect(summary.not_closed).toEqual([{ provider: 'down', model: 'm-1', state: 'open', retry_after_ms: expect.any(Number) }]);
  });
});
