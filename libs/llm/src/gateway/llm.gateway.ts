import { parseLlmConfig, type LlmConfig, type LlmConfigInput, type ProviderConfig } from '../config/llm.config';
import { LlmError } from '../errors/llm.exception';
import type { ChatCompletion, ChatRequest, ChatStreamEvent, LlmProvider } from '../llm.types';
import { createProvider } from '../providers/provider.factory';
import { BreakerRegistry, type BreakerSnapshot } from '../resilience/breaker-registry';
import { abortableSleep, systemClock, type Clock, type Sleep } from '../resilience/clock';
import { LlmRouter, type ModelInfo, type ResolvedRoute } from '../routing/llm-router';
import type { AttemptRecord } from './attempt-record';
import { registerBreakerSource } from '@conduit/observability';
import { errorMetricKind, prometheusLlmMetrics, type LlmMetrics } from './llm-metrics';
import { replayStream, type StreamEnd } from './replay-stream';
import { runTargetChain, type AttemptContext, type ChainCall, type ChainEnvironment } from './target-chain';

/** A chat request before routing: `model` is ignored (the alias or model argument decides). */
export type LlmRequest = Omit<ChatRequest, 'model'> & { model?: string };

export interface GatewayCallOptions {
  /** Aborts everything: backoff waits, the upstream request, a running stream. */
  signal?: AbortSignal;
  /** Correlation id, recorded on spans. */
  requestId?: string;
  /** Overrides every target's per-attempt timeout. */
  timeoutMs?: number;
  /** Extra HTTP headers sent upstream. */
  headers?: Record<string, string>;
  /**
   * Records message content on the provider spans, passed through this PII guard first. Off
   * unless the caller sets it (per tenant, opt-in).
   */
  captureContent?: (text: string) => string;
}

export interface CompleteResult {
  completion: ChatCompletion;
  /** Provider and model that answered. */
  provider: string;
  model: string;
  attempts: AttemptRecord[];
  latencyMs: number;
}

export interface StreamResult {
  provider: string;
  model: string;
  attempts: AttemptRecord[];
  /** From the `openStream` call to the first content event (retries and fallbacks included). */
  ttftMs: number;
  /** Single-use: the first event again, then the rest; fails with an {@link LlmError} mid-stream. */
  events: AsyncIterable<ChatStreamEvent>;
}

/**
 * What usage costs, for the cost metric: the service installs the billing price list
 * (`@conduit/budget`'s `PriceBook`) with {@link LlmGateway.usePricing}. Without one, cost is 0.
 */
export interface PriceSource {
  costOf(model: string, usage: ChatCompletion['usage'], at: Date): { usd: number };
}

const NO_PRICES: PriceSource = { costOf: () => ({ usd: 0 }) };

/** Replaceable collaborators (tests, custom providers). */
export interface LlmGatewayDeps {
  /** Provider instances by provider name, used instead of building them from the config (always usable). */
  providers?: Record<string, LlmProvider>;
  providerFactory?: (config: ProviderConfig) => LlmProvider;
  clock?: Clock;
  random?: () => number;
  sleep?: Sleep;
  metrics?: LlmMetrics;
}

/**
 * The orchestrator's entry to LLMs: routes an alias or model to a chain of targets, retries and
 * falls back per target, guards each target with a circuit breaker, and records metrics, spans
 * and cost.
 */
export class LlmGateway {
  readonly config: LlmConfig;
  readonly router: LlmRouter;
  private readonly breakers: BreakerRegistry;
  private readonly providers = new Map<string, LlmProvider>();
  private readonly clock: Clock;
  private readonly env: ChainEnvironment;
  private readonly startedAt: number;
  private priceSource: PriceSource = NO_PRICES;

  constructor(
    config: LlmConfigInput | LlmConfig = {},
    private readonly deps: LlmGatewayDeps = {},
  ) {
    this.config = parseLlmConfig(config);
    this.router = new LlmRouter(this.config);
    this.clock = deps.clock ?? systemClock;
    this.startedAt = this.clock.now();
    this.breakers = new BreakerRegistry({ ...this.config.breaker, clock: this.clock });
    this.env = {
      breakers: this.breakers,
      provider: (name) => this.providerFor(name),
      backoff: this.config.retry,
      clock: this.clock,
      random: deps.random ?? Math.random,
      sleep: deps.sleep ?? abortableSleep,
      metrics: deps.metrics ?? prometheusLlmMetrics,
    };
    if (deps.metrics === undefined) {
      // Read at every scrape (`conduit_llm_breaker_state`); held weakly, so a dropped gateway goes.
      const self = new WeakRef(this);
      const unregister = registerBreakerSource(() => {
        const gateway = self.deref();
        if (gateway === undefined) unregister();
        return gateway?.breakerStates() ?? [];
      });
    }
  }

  /** One non-streaming completion, with retries and fallback across the route. */
  async complete(aliasOrModel: string | undefined, request: LlmRequest, options: GatewayCallOptions = {}): Promise<CompleteResult> {
    const start = this.clock.now();
    const success = await runTargetChain(this.env, this.chainCall(aliasOrModel, request, options, false), (context) =>
      context.provider.complete(context.request, context.callOptions),
    );
    const { value: completion, context, attempts } = success;
    const labels = { provider: context.target.provider, model: context.target.model };
    this.env.metrics.attempt(labels, 'ok', (this.clock.now() - context.startedAt) / 1000);
    if (completion.finish_reason === 'content_filter') this.env.metrics.error(labels, 'content_filter');
    this.recordUsage(labels, completion.usage);
    context.span.succeed({
      finishReason: completion.finish_reason,
      usage: completion.usage,
      content: completion.content,
      ...(completion.model !== undefined ? { model: completion.model } : {}),
      ...(completion.upstream_id !== undefined ? { upstreamId: completion.upstream_id } : {}),
    });
    return { completion, ...labels, attempts, latencyMs: this.clock.now() - start };
  }

  /**
   * Opens a stream; resolves once the first content event arrived. Until then failures are retried
   * and fall back like {@link complete}; after it, never: a mid-stream failure is thrown by the
   * iterator, and aborting `signal` closes the upstream request.
   */
  async openStream(aliasOrModel: string | undefined, request: LlmRequest, options: GatewayCallOptions = {}): Promise<StreamResult> {
    const start = this.clock.now();
    const success = await runTargetChain(this.env, this.chainCall(aliasOrModel, request, options, true), (context) =>
      this.firstEvent(context),
    );
    const { value, context, attempts } = success;
    const labels = { provider: context.target.provider, model: context.target.model };
    // Content capture (opt-in): the answer is assembled as it streams and recorded when it ends.
    const answer = options.captureContent !== undefined ? { text: value.first.type === 'text' ? value.first.text : '' } : undefined;
    const rest = answer !== undefined ? collectingText(value.rest, answer) : value.rest;
    const firstAt = this.clock.now();
    this.env.metrics.timeToFirstToken(labels, (firstAt - context.startedAt) / 1000);
    context.span.firstToken((firstAt - context.startedAt) / 1000);
    const onEnd = (end: StreamEnd) => {
      const seconds = (this.clock.now() - context.startedAt) / 1000;
      this.env.metrics.attempt(labels, end.outcome, seconds);
      if (end.outcome === 'ok') {
        if (end.done.finish_reason === 'content_filter') this.env.metrics.error(labels, 'content_filter');
        this.recordUsage(labels, end.done.usage);
        context.span.succeed({
          finishReason: end.done.finish_reason,
          usage: end.done.usage,
          ...(answer !== undefined ? { content: answer.text } : {}),
          ...(end.done.model !== undefined ? { model: end.done.model } : {}),
          ...(end.done.upstream_id !== undefined ? { upstreamId: end.done.upstream_id } : {}),
        });
        return;
      }
      const error =
        end.error ??
        new LlmError({ kind: 'cancelled', ...labels, message: `${labels.provider}/${labels.model}: stream abandoned by the caller` });
      if (error.countsAgainstBreaker) this.breakers.get(labels.provider, labels.model).recordLateFailure();
      this.env.metrics.error(labels, errorMetricKind(error.kind));
      context.span.fail(error);
    };
    return {
      ...labels,
      attempts,
      ttftMs: firstAt - start,
      events: replayStream(value.first, rest, labels, options.signal, onEnd),
    };
  }

  /** Prices usage for the cost metric, e.g. with the billing price list, so it reports billed cost. */
  usePricing(source: PriceSource): void {
    this.priceSource = source;
  }

  /** `GET /v1/models`: aliases (`owned_by: conduit`) and the concrete models of usable providers. */
  modelsList(): ModelInfo[] {
    return this.router.modelsList(Math.floor(this.startedAt / 1000));
  }

  /** The chain a request would take (no calls made). */
  resolve(aliasOrModel: string | undefined): ResolvedRoute {
    return this.router.resolve(aliasOrModel);
  }

  /** Every breaker used so far: the orchestrator's readiness summary and `conduit_llm_breaker_state`. */
  breakerStates(): BreakerSnapshot[] {
    return this.breakers.list();
  }

  private chainCall(aliasOrModel: string | undefined, request: LlmRequest, options: GatewayCallOptions, stream: boolean): ChainCall {
    const { model: _ignored, ...body } = request;
    return {
      route: this.router.resolve(aliasOrModel),
      request: body,
      stream,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(options.requestId !== undefined ? { requestId: options.requestId } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.headers !== undefined ? { headers: options.headers } : {}),
      ...(options.captureContent !== undefined ? { captureContent: options.captureContent } : {}),
    };
  }

  /** Opens the provider stream and waits for its first event (the provider bounds the wait). */
  private async firstEvent(context: AttemptContext): Promise<{ first: ChatStreamEvent; rest: AsyncIterator<ChatStreamEvent> }> {
    const rest = context.provider.stream(context.request, context.callOptions)[Symbol.asyncIterator]();
    const next = await rest.next();
    if (next.done) {
      throw new LlmError({
        kind: 'connection',
        code: 'stream_incomplete',
        provider: context.target.provider,
        model: context.target.model,
        message: `${context.target.provider}/${context.target.model}: the stream ended before its first event`,
      });
    }
    return { first: next.value, rest };
  }

  private recordUsage(labels: { provider: string; model: string }, usage: ChatCompletion['usage']): void {
    this.env.metrics.usage(labels, usage, this.priceSource.costOf(labels.model, usage, new Date(this.clock.now())).usd);
  }

  private providerFor(name: string): LlmProvider | { unusable: string } {
    const injected = this.deps.providers?.[name];
    if (injected !== undefined) return injected;
    const cached = this.providers.get(name);
    if (cached !== undefined) return cached;
    const availability = this.router.availability(name);
    if (!availability.usable) return { unusable: availability.reason };
    const config = this.config.providers.find((p) => p.name === name);
    if (config === undefined) return { unusable: `provider "${name}" is not configured` };
    const provider = (this.deps.providerFactory ?? createProvider)(config);
    this.providers.set(name, provider);
    return provider;
  }
}

/** `events`, appending the text of every text event to `into.text` as it passes. */
function collectingText(events: AsyncIterator<ChatStreamEvent>, into: { text: string }): AsyncIterator<ChatStreamEvent> {
  const wrapped: AsyncIterator<ChatStreamEvent> = {
    next: async () => {
      const next = await events.next();
      if (next.done !== true && next.value.type === 'text') into.text += next.value.text;
      return next;
    },
  };
  if (events.return !== undefined) wrapped.return = events.return.bind(events);
  return wrapped;
}
