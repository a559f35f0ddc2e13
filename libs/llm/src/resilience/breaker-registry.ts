import { CircuitBreaker, type BreakerState, type CircuitBreakerOptions } from './circuit-breaker';

export interface BreakerSnapshot {
  provider: string;
  model: string;
  state: BreakerState;
  /** Time until an open breaker lets a probe through. */
  retryAfterMs: number;
  requests: number;
  failures: number;
}

/** One {@link CircuitBreaker} per provider + model, created on first use. */
export class BreakerRegistry {
  private readonly breakers = new Map<string, { provider: string; model: string; breaker: CircuitBreaker }>();

  constructor(
    private readonly options: Omit<CircuitBreakerOptions, 'onStateChange'>,
    private readonly onStateChange?: (provider: string, model: string, from: BreakerState, to: BreakerState) => void,
  ) {}

  get(provider: string, model: string): CircuitBreaker {
    const key = `${provider}\u0000${model}`;
    let entry = this.breakers.get(key);
    if (entry === undefined) {
      const breaker = new CircuitBreaker({
        ...this.options,
        onStateChange: (from, to) => this.onStateChange?.(provider, model, from, to),
      });
      entry = { provider, model, breaker };
      this.breakers.set(key, entry);
    }
    return entry.breaker;
  }

  /** Every breaker created so far, for health endpoints and metrics. */
  list(): BreakerSnapshot[] {
    return [...this.breakers.values()].map(({ provider, model, breaker }) => ({
      provider,
      model,
      state: breaker.state(),
      retryAfterMs: breaker.retryAfterMs(),
      ...breaker.stats(),
    }));
  }
}
