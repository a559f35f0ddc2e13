import { LlmError } from '../errors/llm.exception';
import { LlmUnavailableError, type LlmUnavailableCode } from '../errors/llm-unavailable.exception';
import { LlmUnsupportedParameterError } from '../errors/unsupported-parameter.exception';
import type { CallOptions, ChatRequest, LlmProvider } from '../llm.types';
import type { BreakerRegistry } from '../resilience/breaker-registry';
import type { BreakerPermit, CircuitBreaker } from '../resilience/circuit-breaker';
import type { Clock, Sleep } from '../resilience/clock';
import { retry, type BackoffPolicy } from '../resilience/retry';
import type { ResolvedRoute, RouteTarget } from '../routing/llm-router';
import type { AttemptRecord, SkipReason } from './attempt-record';
import { AttemptSpan } from './attempt-span';
import { errorMetricKind } from './llm-metrics';
import type { AttemptOutcome, LlmMetrics } from './llm-metrics';

/** What an attempt body gets: the target, the concrete request, and options for the provider. */
export interface AttemptContext {
  provider: LlmProvider;
  target: RouteTarget;
  attempt: number;
  request: ChatRequest;
  callOptions: CallOptions;
  span: AttemptSpan;
  /** Clock time the attempt started. */
  startedAt: number;
}

/** The attempt that succeeded; its span is still open (the caller ends it). */
export interface ChainSuccess<T> {
  value: T;
  context: AttemptContext;
  attempts: AttemptRecord[];
  permit: BreakerPermit;
}

export interface ChainEnvironment {
  breakers: BreakerRegistry;
  /** The provider for a name, or why it cannot be used. */
  provider(name: string): LlmProvider | { unusable: string };
  backoff: BackoffPolicy;
  clock: Clock;
  random: () => number;
  sleep: Sleep;
  metrics: LlmMetrics;
}

export interface ChainCall {
  route: ResolvedRoute;
  request: Omit<ChatRequest, 'model'>;
  signal?: AbortSignal;
  requestId?: string;
  timeoutMs?: number;
  headers?: Record<string, string>;
  stream: boolean;
  captureContent?: (text: string) => string;
}

/** Thrown inside a target's retry loop when its breaker refuses a try. */
class BreakerRefused {
  constructor(readonly retryAfterMs: number) {}
}

function skipped(target: RouteTarget, reason: SkipReason, detail: string): AttemptRecord {
  return { provider: target.provider, model: target.model, attempt: 0, outcome: 'skipped', skipped: reason, detail, latencyMs: 0 };
}

function failed(target: RouteTarget, attempt: number, error: LlmError, latencyMs: number): AttemptRecord {
  return {
    provider: target.provider,
    model: target.model,
    attempt,
    outcome: error.kind === 'cancelled' ? 'cancelled' : 'error',
    error: {
      kind: error.kind,
      message: error.message,
      ...(error.status !== undefined ? { status: error.status } : {}),
      ...(error.code !== undefined ? { code: error.code } : {}),
    },
    latencyMs,
  };
}

function asLlmError(thrown: unknown, target: RouteTarget): LlmError {
  if (thrown instanceof LlmError) return thrown;
  return new LlmError({ kind: 'unknown', provider: target.provider, model: target.model, message: String(thrown), cause: thrown });
}

function cancelledError(target: RouteTarget): LlmError {
  return new LlmError({
    kind: 'cancelled',
    provider: target.provider,
    model: target.model,
    message: `${target.provider}/${target.model}: request cancelled by the caller`,
  });
}

/**
 * One target: tries it with retries (retryable errors only, backoff honouring `retry-after`),
 * asking its breaker before every try. Resolves with the success; rejects with the last
 * {@link LlmError} or {@link BreakerRefused}.
 */
class TargetRun<T> {
  private readonly breaker: CircuitBreaker;
  private readonly maxAttempts: number;

  constructor(
    private readonly env: ChainEnvironment,
    private readonly call: ChainCall,
    private readonly target: RouteTarget,
    private readonly provider: LlmProvider,
    private readonly hasNext: boolean,
    private readonly attempts: AttemptRecord[],
  ) {
    this.breaker = env.breakers.get(target.provider, target.model);
    this.maxAttempts = target.maxRetries + 1;
  }

  run(body: (context: AttemptContext) => Promise<T>): Promise<ChainSuccess<T>> {
    const { env, call, target, attempts } = this;
    return retry((attempt) => this.attempt(attempt, body), {
      ...env.backoff,
      maxAttempts: this.maxAttempts,
      ...(call.signal !== undefined ? { signal: call.signal } : {}),
      random: env.random,
      sleep: env.sleep,
      shouldRetry: (error) => error instanceof LlmError && error.retryable,
      retryAfterMs: (error) => (error instanceof LlmError ? error.retryAfterMs : undefined),
      onRetry: ({ delayMs }) => {
        attempts[attempts.length - 1].retryDelayMs = delayMs;
      },
      abortError: () => cancelledError(target),
    });
  }

  private async attempt(attempt: number, body: (context: AttemptContext) => Promise<T>): Promise<ChainSuccess<T>> {
    const permit = this.breaker.acquire();
    if (permit === null) throw new BreakerRefused(this.breaker.retryAfterMs());
    const context = this.context(attempt);
    try {
      const value = await context.span.run(() => body(context));
      permit.success();
      const latencyMs = this.env.clock.now() - context.startedAt;
      this.attempts.push({ provider: this.target.provider, model: this.target.model, attempt, outcome: 'ok', latencyMs });
      return { value, context, attempts: this.attempts, permit };
    } catch (thrown) {
      const error = asLlmError(thrown, this.target);
      if (error.countsAgainstBreaker) permit.failure();
      else permit.release();
      const latencyMs = this.env.clock.now() - context.startedAt;
      const labels = { provider: this.target.provider, model: this.target.model };
      this.env.metrics.attempt(labels, this.outcomeOf(error, attempt), latencyMs / 1000);
      this.env.metrics.error(labels, errorMetricKind(error.kind));
      context.span.fail(error);
      this.attempts.push(failed(this.target, attempt, error, latencyMs));
      throw error;
    }
  }

  /** `fallback` when this failure hands the call to the next target, `error` when retried here or final. */
  private outcomeOf(error: LlmError, attempt: number): AttemptOutcome {
    if (error.kind === 'cancelled') return 'cancelled';
    const willRetry =
      error.retryable && attempt < this.maxAttempts && !this.call.signal?.aborted && this.breaker.state() !== 'open';
    return !willRetry && error.fallbackAllowed && this.hasNext ? 'fallback' : 'error';
  }

  private context(attempt: number): AttemptContext {
    const { call, target, provider } = this;
    const request: ChatRequest = { ...call.request, model: target.model };
    return {
      provider,
      target,
      attempt,
      request,
      callOptions: {
        ...(call.signal !== undefined ? { signal: call.signal } : {}),
        timeoutMs: call.timeoutMs ?? target.timeoutMs,
        idleTimeoutMs: target.idleTimeoutMs,
        ...(call.headers !== undefined ? { headers: call.headers } : {}),
      },
      span: AttemptSpan.start({
        system: provider.system,
        provider: target.provider,
        request,
        attempt,
        requested: call.route.requested,
        stream: call.stream,
        ...(call.requestId !== undefined ? { requestId: call.requestId } : {}),
        ...(call.captureContent !== undefined ? { captureContent: call.captureContent } : {}),
      }),
      startedAt: this.env.clock.now(),
    };
  }
}

/**
 * Walks the route's targets in order. Per target: skip it when its provider is unusable or its
 * breaker is open; otherwise try it, retrying retryable failures with backoff. `invalid_request`
 * and `cancelled` end the call at once (rethrown with the attempts); other failures move on to the
 * next target. When none succeeds: {@link LlmUnavailableError}.
 *
 * A request field a provider cannot carry (`LlmProvider.unsupportedParameter`): when it is the
 * first usable target's, the call is refused before anything is sent
 * ({@link LlmUnsupportedParameterError}: the answer must not depend on which target is healthy);
 * a later target that cannot carry it is skipped (`unsupported_parameter`), never called without it.
 */
export async function runTargetChain<T>(
  env: ChainEnvironment,
  call: ChainCall,
  body: (context: AttemptContext) => Promise<T>,
): Promise<ChainSuccess<T>> {
  const attempts: AttemptRecord[] = [];
  const { targets } = call.route;
  let lastError: LlmError | undefined;
  let breakerRetryAfter: number | undefined;
  let primary = true;

  for (let index = 0; index < targets.length; index++) {
    const target = targets[index];
    const provider = env.provider(target.provider);
    if ('unusable' in provider) {
      attempts.push(skipped(target, 'not_configured', provider.unusable));
      continue;
    }
    const refused = provider.unsupportedParameter?.(call.request);
    if (refused !== undefined) {
      if (primary) {
        const error = new LlmUnsupportedParameterError(refused, target.provider, target.model);
        error.attempts = attempts;
        throw error;
      }
      attempts.push(skipped(target, 'unsupported_parameter', `${refused} is not supported by provider ${target.provider}`));
      continue;
    }
    primary = false;
    try {
      return await new TargetRun<T>(env, call, target, provider, index < targets.length - 1, attempts).run(body);
    } catch (error) {
      if (error instanceof BreakerRefused) {
        attempts.push(skipped(target, 'breaker_open', `circuit breaker open for another ${error.retryAfterMs} ms`));
        breakerRetryAfter = Math.min(breakerRetryAfter ?? Infinity, error.retryAfterMs);
        continue;
      }
      if (!(error instanceof LlmError)) throw error;
      if (!error.fallbackAllowed) {
        error.attempts = attempts;
        throw error;
      }
      lastError = error;
    }
  }

  const code: LlmUnavailableCode = attempts.some((a) => a.outcome !== 'skipped')
    ? 'upstream_unavailable'
    : attempts.some((a) => a.skipped === 'breaker_open')
      ? 'all_breakers_open'
      : 'no_provider_configured';
  const retryAfterMs = code === 'all_breakers_open' ? breakerRetryAfter : undefined;
  throw new LlmUnavailableError(code, call.route.requested, attempts, lastError, retryAfterMs);
}
