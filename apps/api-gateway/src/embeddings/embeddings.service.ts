import { Inject, Injectable, Logger } from '@nestjs/common';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { Redis } from 'ioredis';
import { modelNotPricedMessage, PriceBook, ReservationSettler, UnpricedModelPolicy, UsageEventProducer } from '@conduit/budget';
import { uuidFromName, type UsageEventInput } from '@conduit/contracts';
import { EmbeddingError, EmbeddingInputError, EmbeddingModelCatalog, EmbeddingUsageTally, type EmbeddingModelSpec, type EmbeddingUsage } from '@conduit/embeddings';
import { GEN_AI, GEN_AI_OPERATION, genAiSpanName } from '@conduit/observability';
import { mayUseModel, type Principal } from '../auth/principal';
import { AdmissionService } from '../usage/admission.service';
import { UsageErrorCode, UsageException } from '../usage/usage.exception';
import { EmbeddingsCache, type CachedEmbeddings, type EmbeddingsCacheKey } from './embeddings.cache';
import { EMBEDDINGS_CACHE_REDIS, GATEWAY_EMBEDDINGS_SETTINGS, GatewayEmbeddingsSettings } from './embeddings.constants';
import { CreateEmbeddingsBody, EmbeddingsResponse, inputsOf } from './embeddings.dto';
import { EmbeddingsErrorCode, EmbeddingsException } from './embeddings.exception';
import { embeddingsRequestsTotal } from './embeddings.metrics';
import { float32ToArray, float32ToBase64, toFloat32 } from './embedding-encoding';

const TRACER = '@conduit/api-gateway';

/** What the call answers with: the body and the rate-limit headers of its admission. */
export interface EmbeddingsAnswer {
  body: EmbeddingsResponse;
  headers: Record<string, string>;
}

interface CallContext {
  principal: Principal;
  requestId: string;
  signal?: AbortSignal;
}

/**
 * A generous token estimate for the reservation, with no tokenizer on the request path: one token
 * per three characters of text (plus one per input), a token array's length as it is.
 */
export function estimateInputTokens(inputs: string[] | number[][]): number {
  let tokens = 0;
  for (const input of inputs) tokens += typeof input === 'string' ? Math.ceil(input.length / 3) + 1 : input.length;
  return tokens;
}

/**
 * `POST /v1/embeddings`: resolves the model, admits the call (API-key model allow-list, rate limits,
 * budget reservation at the model's input price), answers from the tenant's cache or the model's
 * embedder, settles the reservation at the billed cost and emits the call's usage event
 * (`feature: embedding`), all under one `embeddings {model}` span.
 */
@Injectable()
export class EmbeddingsService {
  private readonly logger = new Logger(EmbeddingsService.name);
  private readonly catalog: EmbeddingModelCatalog;
  private readonly cache: EmbeddingsCache | undefined;

  constructor(
    @Inject(GATEWAY_EMBEDDINGS_SETTINGS) settings: GatewayEmbeddingsSettings,
    @Inject(EMBEDDINGS_CACHE_REDIS) redis: Redis | null,
    private readonly admission: AdmissionService,
    private readonly settler: ReservationSettler,
    private readonly prices: PriceBook,
    private readonly unpriced: UnpricedModelPolicy,
    private readonly usage: UsageEventProducer,
  ) {
    this.catalog = new EmbeddingModelCatalog(settings.models);
    this.cache =
      redis && settings.cacheTtlSeconds > 0
        ? new EmbeddingsCache(redis, {
            prefix: settings.redis.prefix,
            ttlSeconds: settings.cacheTtlSeconds,
            onError: (error) => this.logger.warn({ err: error }, 'embeddings cache unavailable; calling the provider'),
          })
        : undefined;
  }

  async create(body: CreateEmbeddingsBody, call: CallContext): Promise<EmbeddingsAnswer> {
    const { principal } = call;
    const spec = this.catalog.resolve(body.model);
    if (!spec) {
      const names = this.catalog.specs.map((s) => s.name).join(', ');
      throw new EmbeddingsException(EmbeddingsErrorCode.ModelNotFound, `No embedding model is named "${body.model}"; the models are: default, ${names}.`, { param: 'model' });
    }
    if (!mayUseModel(principal, body.model)) {
      throw new UsageException(UsageErrorCode.ModelNotAllowed, `This API key may not use the model "${body.model}"; its allow-list is: ${(principal.allowedModels ?? []).join(', ')}.`, {
        param: 'model',
      });
    }
    const dimensions = body.dimensions ?? spec.dimensions;
    if (!EmbeddingModelCatalog.supportsDimensions(spec, dimensions)) {
      const range = spec.dimensionRange;
      throw new EmbeddingsException(
        EmbeddingsErrorCode.DimensionsNotSupported,
        range
          ? `dimensions must be between ${range.min} and ${range.max} for the model "${body.model}".`
          : `The model "${body.model}" makes ${spec.dimensions}-dimensional embeddings only; leave dimensions out or set it to ${spec.dimensions}.`,
        { param: 'dimensions' },
      );
    }
    const inputs = inputsOf(body.input);
    const inputUsdPerMtok = await this.inputPrice(spec, principal.tenantId);
    const estimateTokens = estimateInputTokens(inputs);
    const admitted = await this.admission.admit(principal, (estimateTokens * inputUsdPerMtok) / 1_000_000, estimateTokens);
    const reservation = { tenantId: principal.tenantId, reservationId: admitted.reservationId, requestId: call.requestId };

    const span = trace.getTracer(TRACER).startSpan(genAiSpanName(GEN_AI_OPERATION.embeddings, body.model), {
      kind: SpanKind.CLIENT,
      attributes: {
        [GEN_AI.operation]: GEN_AI_OPERATION.embeddings,
        [GEN_AI.providerName]: spec.provider === 'openai' ? 'openai' : 'conduit.hashing',
        [GEN_AI.requestModel]: body.model,
        [GEN_AI.responseModel]: spec.model,
        'gen_ai.embeddings.dimension.count': dimensions,
        'gen_ai.request.encoding_formats': [body.encoding_format],
        'conduit.embeddings.inputs': inputs.length,
        'conduit.request_id': call.requestId,
      },
    });
    const started = Date.now();
    try {
      const cacheKey: EmbeddingsCacheKey = { tenantId: principal.tenantId, model: spec.model, dimensions, inputs };
      const cached = this.cache && spec.cache ? await this.cache.get(cacheKey) : undefined;
      let result: CachedEmbeddings;
      if (cached) {
        result = cached;
        span.setAttribute('conduit.cache', 'hit');
        embeddingsRequestsTotal.inc({ model: spec.name, outcome: 'hit' });
        // Served from the cache: nothing spent; the event shows the hit (zero tokens, zero cost).
        this.settler.settle(reservation, 0, 0);
        await this.emit([this.eventOf(call, admitted.reservationId, { provider: spec.provider === 'openai' ? 'openai' : 'local', model: spec.model, inputTokens: 0 }, null, true)]);
      } else {
        const tally = new EmbeddingUsageTally();
        const vectors = await this.embed(spec, inputs, dimensions, tally, call.signal, span);
        const usages = tally.usages();
        const promptTokens = usages.reduce((sum, u) => sum + u.inputTokens, 0);
        result = { vectors: vectors.map(toFloat32), promptTokens };
        const caching = this.cache !== undefined && spec.cache;
        if (caching) await this.cache?.set(cacheKey, result);
        span.setAttribute('conduit.cache', caching ? 'miss' : 'off');
        embeddingsRequestsTotal.inc({ model: spec.name, outcome: caching ? 'miss' : 'uncached' });
        const cost = usages.reduce((sum, u) => sum + this.prices.costOf(u.model, { input_tokens: u.inputTokens, output_tokens: 0, cached_tokens: 0 }).nano, 0);
        this.settler.settle(reservation, cost, promptTokens);
        const latencyMs = Date.now() - started;
        await this.emit(usages.map((u) => this.eventOf(call, admitted.reservationId, u, latencyMs, false)));
      }
      span.setAttribute(GEN_AI.inputTokens, result.promptTokens);
      span.end();
      return { body: this.responseOf(spec, result, body.encoding_format), headers: admitted.headers };
    } catch (error) {
      embeddingsRequestsTotal.inc({ model: spec.name, outcome: 'error' });
      span.setAttribute(GEN_AI.errorType, error instanceof Error ? error.name : 'error');
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      span.end();
      await this.settler.releaseNow(reservation);
      throw error;
    }
  }

  /** USD per 1M input tokens of the model; refuses an unpriced model unless the tenant allows them (as chat does). */
  private async inputPrice(spec: EmbeddingModelSpec, tenantId: string): Promise<number> {
    await this.prices.ready().catch(() => {
      throw new UsageException(UsageErrorCode.PricingUnavailable, 'The price list is not loaded yet; retry shortly.');
    });
    const price = this.prices.priceOf(spec.model);
    if (price) return price.input;
    if (await this.unpriced.allows(tenantId)) return 0;
    throw new UsageException(UsageErrorCode.ModelNotPriced, modelNotPricedMessage(spec.model), { param: 'model' });
  }

  private async embed(spec: EmbeddingModelSpec, inputs: string[] | number[][], dimensions: number, tally: EmbeddingUsageTally, signal: AbortSignal | undefined, span: Span): Promise<number[][]> {
    try {
      // The provider's HTTP client spans nest under the embeddings span.
      return await context.with(trace.setSpan(context.active(), span), () =>
        this.catalog.embed(spec, inputs, { dimensions, onUsage: tally.add, ...(signal ? { signal } : {}) }),
      );
    } catch (error) {
      if ((error as { name?: string }).name === 'AbortError') throw error;
      if (error instanceof EmbeddingInputError) throw new EmbeddingsException(EmbeddingsErrorCode.InvalidTokens, error.message, { param: 'input' });
      const status = error instanceof EmbeddingError ? error.status : undefined;
      if (status === 400 || status === 413 || status === 422) {
        throw new EmbeddingsException(
          EmbeddingsErrorCode.InputRejected,
          `The embedding provider of "${spec.name}" refused the input (HTTP ${status}); an input may be longer than the model takes.`,
          { param: 'input' },
        );
      }
      this.logger.warn({ err: error, model: spec.name }, 'embeddings provider failed');
      span.recordException(error instanceof Error ? error : new Error(String(error)));
      throw new EmbeddingsException(EmbeddingsErrorCode.ProviderError, `The embedding provider of "${spec.name}" failed; try again shortly.`);
    }
  }

  private eventOf(call: CallContext, reservationId: string, usage: EmbeddingUsage, latencyMs: number | null, cacheHit: boolean): UsageEventInput {
    const { principal } = call;
    return {
      // One event per call and model: the reservation id is new for every call.
      event_id: uuidFromName(`embedding:api:${reservationId}:${usage.model}`),
      tenant_id: principal.tenantId,
      user_id: principal.userId,
      api_key_id: principal.apiKeyId,
      request_id: call.requestId.slice(0, 128),
      provider: usage.provider,
      model: usage.model,
      input_tokens: usage.inputTokens,
      output_tokens: 0,
      latency_ms: latencyMs,
      feature: 'embedding',
      occurred_at: new Date().toISOString(),
      reservation_id: reservationId,
      cache_hit: cacheHit,
    };
  }

  /** Usage events are awaited (billing depends on them) but never fail an answer already computed. */
  private async emit(events: UsageEventInput[]): Promise<void> {
    try {
      await this.usage.emit(events);
    } catch (error) {
      this.logger.error({ err: error, events: events.map((e) => e.event_id) }, 'could not emit embeddings usage events');
    }
  }

  private responseOf(spec: EmbeddingModelSpec, result: CachedEmbeddings, format: 'float' | 'base64'): EmbeddingsResponse {
    return {
      object: 'list',
      data: result.vectors.map((vector, index) => ({
        object: 'embedding',
        index,
        embedding: format === 'base64' ? float32ToBase64(vector) : float32ToArray(vector),
      })),
      model: spec.model,
      usage: { prompt_tokens: result.promptTokens, total_tokens: result.promptTokens },
    };
  }
}
