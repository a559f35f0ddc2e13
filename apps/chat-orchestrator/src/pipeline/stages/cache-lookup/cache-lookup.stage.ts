import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { UsageEventProducer } from '@conduit/budget';
import { ConduitHeader, maxTokensOf } from '@conduit/contracts';
import type { EmbeddingUsage } from '@conduit/embeddings';
import { degradedTotal, responseCacheLookupDuration, responseCacheRequests } from '@conduit/observability';
import { CacheEntry, CacheKeyInput, exactCacheKey, isExpired, SemanticScope, semanticParts } from '@conduit/response-cache';
import { embeddingUsageEvents } from '../../embedding-usage';
import type { PipelineStage } from '../../pipeline-stage';
import type { CacheDecision, Turn } from '../../turn';
import { ResponseCache } from './response-cache';
import { SemanticCache } from './semantic-cache';

/** A message's images in the key: a SHA-256 over their URLs (data URLs included) and details, in order. */
function imagesHash(images: readonly { url: string; detail?: string }[]): string {
  const hash = createHash('sha256');
  for (const image of images) hash.update(`${image.detail ?? 'auto'}\n${image.url}\n`);
  return hash.digest('hex');
}

/** `cache-control` request directives the cache honours. */
function directivesOf(header: string | undefined): { noCache: boolean; noStore: boolean } {
  const directives = (header ?? '').toLowerCase().split(',').map((d) => d.trim());
  return { noCache: directives.includes('no-cache'), noStore: directives.includes('no-store') };
}

/** Why a request is not looked up, or `undefined` when it is. */
function bypassReason(turn: Turn): string | undefined {
  if (turn.body.conduit?.cache?.mode === 'off') return 'request_off';
  // A grounded answer depends on the collection's content, which the key does not cover yet.
  if (turn.body.conduit?.collection !== undefined) return 'retrieval';
  // A tool run's answer depends on what its tools return (and may pause for a confirmation).
  if (turn.body.conduit?.tools !== undefined) return 'tools';
  // An entry holds one choice and no logprobs: such answers are neither served nor stored.
  if ((turn.body.n ?? 1) > 1) return 'n';
  if (turn.body.logprobs === true) return 'logprobs';
  return undefined;
}

/**
 * The response cache, lookup side (per-tenant policy `cache`, off by default): exact, then — for
 * a tenant in `semantic` mode — by meaning (see `semanticLookup`). Runs after
 * the input guards, so the key covers the messages as they go to the provider (the redacted form
 * when PII redaction is on), and before retrieval. A hit skips the model call: `ChatPipeline`
 * replays the entry, through the answer filters, as a plain or streamed answer. The outcome goes
 * to the client as `x-conduit-cache: hit | miss | bypass`.
 *
 * The client narrows, never widens, the tenant's policy: `cache-control: no-cache` skips the
 * lookup (the answer is still stored), `no-store` skips both, `conduit.cache.mode: "off"` too, and
 * `conduit.cache.ttl` may shorten the TTL. Redis down or slow: bypass, the request goes on.
 *
 * An entry past its TTL is a miss. A tenant with `serve_stale_on_error` keeps its entries
 * `max_stale_seconds` longer, and such an expired entry is kept on the turn: if every provider
 * then fails, `ChatPipeline` replays it as the last resort (`x-conduit-cache: stale`, see
 * `stale-answer.ts`).
 */
@Injectable()
export class CacheLookupStage implements PipelineStage {
  readonly name = 'cache_lookup';
  private readonly logger = new Logger(CacheLookupStage.name);

  constructor(
    private readonly cache: ResponseCache,
    private readonly semantic: SemanticCache,
    private readonly usage: UsageEventProducer,
  ) {}

  enabled(turn: Turn): boolean {
    return turn.cachePolicy.mode !== 'off';
  }

  async prepare(turn: Turn): Promise<void> {
    const decision = await this.decide(turn);
    turn.cache = decision;
    turn.headers[ConduitHeader.Cache] = decision.outcome;
    // Names the entry, so an admin can purge a wrong answer (`POST /v1/admin/tenants/:id/cache/purge`).
    if (decision.key) turn.headers[ConduitHeader.CacheKey] = decision.key;
    const span = trace.getActiveSpan();
    span?.setAttribute('conduit.cache.outcome', decision.outcome);
    if (decision.similarity !== undefined) span?.setAttribute('conduit.cache.similarity', decision.similarity);
  }

  private async decide(turn: Turn): Promise<CacheDecision> {
    const policy = turn.cachePolicy;
    const ttlSeconds = Math.min(policy.ttl_seconds, turn.body.conduit?.cache?.ttl ?? Number.POSITIVE_INFINITY);
    const keepSeconds = ttlSeconds + (policy.serve_stale_on_error ? policy.max_stale_seconds : 0);
    const { noCache, noStore } = directivesOf(turn.context.cacheControl);
    const bypass = (key?: string, store = false): CacheDecision => {
      responseCacheRequests.inc({ kind: 'exact', outcome: 'bypass' });
      return { outcome: 'bypass', ...(key ? { key } : {}), store, ttlSeconds, keepSeconds };
    };
    if (bypassReason(turn) || noStore) return bypass();
    const input = this.keyInputOf(turn);
    const key = exactCacheKey(input);
    if (noCache) return bypass(key, true);
    const started = performance.now();
    let found: CacheEntry | undefined;
    try {
      found = await this.cache.get(turn.context.tenantId, key);
    } catch (error) {
      degradedTotal.inc({ component: 'cache' });
      this.logger.warn({ err: error, request_id: turn.context.requestId }, 'response cache lookup failed: bypassed');
      return bypass(key);
    } finally {
      responseCacheLookupDuration.observe({ kind: 'exact' }, (performance.now() - started) / 1_000);
    }
    const now = Date.now();
    if (found && !isExpired(found, now)) {
      responseCacheRequests.inc({ kind: 'exact', outcome: 'hit' });
      return { outcome: 'hit', key, store: false, ttlSeconds, keepSeconds, entry: found };
    }
    responseCacheRequests.inc({ kind: 'exact', outcome: 'miss' });
    // Past its TTL: a miss, kept aside in case every provider fails (within the stale window).
    const withinStale = found !== undefined && policy.serve_stale_on_error && now - (found.expires_at ?? now) <= policy.max_stale_seconds * 1_000;
    const miss: CacheDecision = { outcome: 'miss', key, store: true, ttlSeconds, keepSeconds, ...(withinStale ? { stale: found } : {}) };
    return this.semanticLookup(turn, input, miss);
  }

  /**
   * After an exact miss, for a semantic tenant: the last user turn's nearest neighbour among the
   * tenant's entries with the same filter (everything else equal). A match at or above the
   * threshold whose entry is still fresh is a hit. The vector is kept on the decision, so the
   * answer's entry gets it when stored. Any failure (embedder, vector store, deadline): the exact
   * miss stands.
   */
  private async semanticLookup(turn: Turn, input: CacheKeyInput, miss: CacheDecision): Promise<CacheDecision> {
    const policy = turn.cachePolicy;
    if (policy.mode !== 'semantic' || turn.body.conduit?.cache?.mode === 'exact') return miss;
    // Images are compared exactly (the key's image hash), never by meaning: no semantic match.
    if (turn.request.messages.some((m) => m.images?.length)) return miss;
    const turns = turn.request.messages.filter((m) => m.role !== 'system').length;
    const { prompt, filterHash } = semanticParts(input);
    if (prompt === undefined || turns > policy.semantic.max_messages || !this.semantic.usable(policy)) return miss;
    const scope: SemanticScope = { tenantId: input.tenantId, scopeUserId: input.userId, filterHash, embedder: this.semantic.embedderModel };
    const started = performance.now();
    try {
      const { vector, match } = await this.semantic.lookup(scope, prompt, (usage) => this.billEmbedding(turn, usage));
      const pending = { ...miss, semantic: { scope, vector } };
      if (!match || match.similarity < policy.semantic.threshold) {
        responseCacheRequests.inc({ kind: 'semantic', outcome: 'miss' });
        return pending;
      }
      const entry = await this.cache.get(turn.context.tenantId, match.key);
      if (!entry || isExpired(entry)) {
        responseCacheRequests.inc({ kind: 'semantic', outcome: 'miss' });
        return pending;
      }
      responseCacheRequests.inc({ kind: 'semantic', outcome: 'hit' });
      // The key named to the client is the served entry's (a wrong answer is purged by it).
      return { ...miss, outcome: 'hit', key: match.key, store: false, entry, similarity: match.similarity };
    } catch (error) {
      responseCacheRequests.inc({ kind: 'semantic', outcome: 'bypass' });
      this.logger.warn({ err: error, request_id: turn.context.requestId }, 'semantic cache lookup failed: exact cache only');
      return miss;
    } finally {
      responseCacheLookupDuration.observe({ kind: 'semantic' }, (performance.now() - started) / 1_000);
    }
  }

  /**
   * Emits the prompt embedding's usage (`feature: embedding`) off the request path; the event id
   * derives from the answer's id, so an async job run again bills it once.
   */
  private billEmbedding(turn: Turn, usage: EmbeddingUsage): void {
    this.usage
      .emit(embeddingUsageEvents(turn, [usage], 'cache'))
      .catch((error: unknown) => this.logger.error({ err: error, request_id: turn.context.requestId }, 'could not emit the semantic cache embedding usage'));
  }

  private keyInputOf(turn: Turn): CacheKeyInput {
    const { body, request, context } = turn;
    return {
      tenantId: context.tenantId,
      userId: turn.cachePolicy.scope === 'user' ? context.userId : null,
      route: body.model,
      messages: request.messages.map((m) => ({
        role: m.role,
        content: m.content,
        ...('name' in m && m.name ? { name: m.name } : {}),
        ...('tool_call_id' in m ? { tool_call_id: m.tool_call_id } : {}),
        ...('tool_calls' in m && m.tool_calls ? { tool_calls: m.tool_calls } : {}),
        ...(m.images?.length ? { images: imagesHash(m.images) } : {}),
      })),
      params: {
        tools: body.tools,
        tool_choice: body.tool_choice,
        response_format: body.response_format,
        temperature: body.temperature,
        top_p: body.top_p,
        max_tokens: maxTokensOf(body),
        stop: body.stop == null ? undefined : [body.stop].flat(),
        seed: body.seed,
        presence_penalty: body.presence_penalty,
        frequency_penalty: body.frequency_penalty,
        logit_bias: body.logit_bias,
        parallel_tool_calls: body.parallel_tool_calls,
        reasoning_effort: body.reasoning_effort,
        // Checked answers are kept apart: a `conduit.validate_json` request never replays an unchecked one.
        validate_json: body.conduit?.validate_json === true ? true : undefined,
      },
      templateVersion: null,
    };
  }
}
