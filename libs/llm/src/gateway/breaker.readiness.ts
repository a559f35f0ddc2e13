import { Injectable } from '@nestjs/common';
import type { ReadinessCheck } from '@conduit/observability';
import { LlmGateway } from './llm.gateway';

/**
 * `llm_breakers` in `/health/ready`: a summary of the circuit breakers (how many are open or
 * half-open, and which). It never fails readiness: an open breaker means one upstream is unwell,
 * and the service still answers (falling back, or refusing with 503 `all_breakers_open`);
 * taking the pod out of its Service would not help. Alert on `conduit_llm_breaker_state` instead.
 */
@Injectable()
export class LlmBreakerReadiness implements ReadinessCheck {
  readonly name = 'llm_breakers';

  constructor(private readonly gateway: LlmGateway) {}

  async check(): Promise<Record<string, unknown>> {
    const breakers = this.gateway.breakerStates();
    const notClosed = breakers.filter((breaker) => breaker.state !== 'closed');
    return {
      open: notClosed.filter((breaker) => breaker.state === 'open').length,
      half_open: notClosed.filter((breaker) => breaker.state === 'half_open').length,
      closed: breakers.length - notClosed.length,
      not_closed: notClosed.map(({ provider, model, state, retryAfterMs }) => ({ provider, model, state, retry_after_ms: retryAfterMs })),
    };
  }
}
