import { systemClock, type Clock } from './clock';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  /** Length of the rolling window the failure ratio is computed over. */
  windowMs: number;
  /** Number of time buckets the window is split into (its resolution). */
  buckets: number;
  /** Failure ratio (0..1] at or above which the breaker opens. */
  failureThreshold: number;
  /** Fewest counted calls in the window before the ratio is trusted. */
  minRequests: number;
  /** How long the breaker stays open before letting one probe through. */
  openMs: number;
  clock?: Clock;
  onStateChange?: (from: BreakerState, to: BreakerState) => void;
}

/**
 * The right to make one call. Settle it exactly once: `success()`, `failure()` (a failure that says
 * the upstream is unhealthy), or `release()` (an outcome that says nothing about health: invalid
 * request, caller cancelled). Later settlements are ignored.
 */
export interface BreakerPermit {
  /** This call is the half-open probe. */
  readonly probe: boolean;
  success(): void;
  failure(): void;
  release(): void;
}

type Outcome = 'success' | 'failure' | 'release';

interface Bucket {
  /** `floor(time / bucketMs)` of the slot's current contents. */
  epoch: number;
  ok: number;
  failed: number;
}

/**
 * A per-target circuit breaker over a time-bucketed rolling window. Closed: calls flow, outcomes
 * are counted, and the breaker opens once `failed / (ok + failed) >= failureThreshold` with at least
 * `minRequests` counted. Open: calls fail fast for `openMs`. Half-open: exactly one probe goes
 * through while concurrent callers fail fast; the probe's success closes the breaker (fresh
 * window), its failure re-opens it.
 */
export class CircuitBreaker {
  private mode: BreakerState = 'closed';
  private openedAt = 0;
  private probeInFlight = false;
  /** Bumped on every transition, so permits granted before one cannot settle after it. */
  private generation = 0;
  private readonly clock: Clock;
  private readonly bucketMs: number;
  private readonly window: Bucket[];

  constructor(private readonly options: CircuitBreakerOptions) {
    this.clock = options.clock ?? systemClock;
    this.bucketMs = Math.max(1, Math.ceil(options.windowMs / options.buckets));
    this.window = Array.from({ length: options.buckets }, () => ({ epoch: -1, ok: 0, failed: 0 }));
  }

  /** Current state; an open breaker whose `openMs` elapsed reports `half_open` (its next caller probes). */
  state(): BreakerState {
    if (this.mode === 'open' && this.clock.now() >= this.openedAt + this.options.openMs) return 'half_open';
    return this.mode;
  }

  /** Time until an open breaker lets a probe through (0 when not open). */
  retryAfterMs(): number {
    if (this.mode !== 'open') return 0;
    return Math.max(0, this.openedAt + this.options.openMs - this.clock.now());
  }

  /** Counted calls and failures currently in the window (closed state only). */
  stats(): { requests: number; failures: number } {
    const current = this.epochOf(this.clock.now());
    let ok = 0;
    let failed = 0;
    for (const bucket of this.window) {
      if (bucket.epoch <= current - this.options.buckets) continue;
      ok += bucket.ok;
      failed += bucket.failed;
    }
    return { requests: ok + failed, failures: failed };
  }

  /** A permit to call, or null when the call must fail fast. */
  acquire(): BreakerPermit | null {
    if (this.mode === 'open') {
      if (this.clock.now() < this.openedAt + this.options.openMs) return null;
      this.transition('half_open');
    }
    if (this.mode === 'half_open') {
      if (this.probeInFlight) return null;
      this.probeInFlight = true;
      return this.permit(true);
    }
    return this.permit(false);
  }

  /**
   * Counts a failure noticed after the call's permit was settled (a stream that broke after its
   * first token: the permit succeeded then). Ignored unless closed.
   */
  recordLateFailure(): void {
    if (this.mode !== 'closed') return;
    this.count('failure');
  }

  private permit(probe: boolean): BreakerPermit {
    const generation = this.generation;
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      this.settle(probe, generation, outcome);
    };
    return {
      probe,
      success: () => settle('success'),
      failure: () => settle('failure'),
      release: () => settle('release'),
    };
  }

  private settle(probe: boolean, generation: number, outcome: Outcome): void {
    if (generation !== this.generation) return;
    if (probe) {
      this.probeInFlight = false;
      if (outcome === 'success') this.transition('closed');
      else if (outcome === 'failure') this.transition('open');
      return;
    }
    if (this.mode !== 'closed' || outcome === 'release') return;
    this.count(outcome);
  }

  private count(outcome: 'success' | 'failure'): void {
    const now = this.clock.now();
    const epoch = this.epochOf(now);
    const bucket = this.window[epoch % this.options.buckets];
    if (bucket.epoch !== epoch) {
      bucket.epoch = epoch;
      bucket.ok = 0;
      bucket.failed = 0;
    }
    if (outcome === 'success') bucket.ok++;
    else bucket.failed++;
    if (outcome === 'failure') {
      const { requests, failures } = this.stats();
      if (requests >= this.options.minRequests && failures / requests >= this.options.failureThreshold) {
        this.transition('open');
      }
    }
  }

  private transition(to: BreakerState): void {
    const from = this.mode;
    this.mode = to;
    this.generation++;
    this.probeInFlight = false;
    if (to === 'open') this.openedAt = this.clock.now();
    if (to === 'closed') {
      for (const bucket of this.window) bucket.epoch = -1;
    }
    if (from !== to) this.options.onStateChange?.(from, to);
  }

  private epochOf(time: number): number {
    return Math.floor(time / this.bucketMs);
  }
}
