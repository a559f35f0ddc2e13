import { Injectable, Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { ConduitHeader, maxTokensOf } from '@conduit/contracts';
import { degradedTotal, responseCacheLookupDuration, responseCacheRequests } from '@conduit/observability';
import { exactCacheKey } from '@conduit/response-cache';
import type { PipelineStage } from '../../pipeline-stage';
import type { CacheDecision, Turn } from '../../turn';
import { ResponseCache } from './response-cache';

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
  return undefined;
}

/**
 * The exact response cache, lookup side (per-tenant policy `cache`, off by default). Runs after
 * the input guards, so the key covers the messages as they go to the provider (the redacted form
 * when PII redaction is on), and before retrieval. A hit skips the model call: `ChatPipeline`
 * replays the entry, through the answer filters, as a plain or streamed answer. The outcome goes
 * to the client as `x-conduit-cache: hit | miss | bypass`.
 *
 * The client narrows, never widens, the tenant's policy: `cache-control: no-cache` skips the
 * lookup (the answer is still stored), `no-store` skips both, `conduit.cache.mode: "off"` too, and
 * `conduit.cache.ttl` may shorten the TTL. Redis down or slow: bypass, the request goes on.
 */
@Injectable()
export class CacheLookupStage implements PipelineStage {
  readonly name = 'cache_lookup';
  private readonly logger = new Logger(CacheLookupStage.name);

  constructor(private readonly cache: ResponseCache) {}

  enabled(turn: Turn): boolean {
    return turn.cachePolicy.mode !== 'off';
  }

  async prepare(turn: Turn): Promise<void> {
    const decision = await this.decide(turn);
    turn.cache = decision;
    turn.headers[ConduitHeader.Cache] = decision.outcome;
    responseCacheRequests.inc({ kind: 'exact', outcome: decision.outcome });
    trace.getActiveSpan()?.setAttribute('conduit.cache.outcome', decision.outcome);
  }

  private async decide(turn: Turn): Promise<CacheDecision> {
    const policy = turn.cachePolicy;
    const ttlSeconds = Math.min(policy.ttl_seconds, turn.body.conduit?.cache?.ttl ?? Number.POSITIVE_INFINITY);
    const { noCache, noStore } = directivesOf(turn.context.cacheControl);
    if (bypassReason(turn) || noStore) return { outcome: 'bypass', store: false, ttlSeconds };
    const key = this.keyOf(turn);
    if (noCache) return { outcome: 'bypass', key, store: true, ttlSeconds };
    const started = performance.now();
    try {
      const entry = await this.cache.get(turn.context.tenantId, key);
      return entry ? { outcome: 'hit', key, store: false, ttlSeconds, entry } : { outcome: 'miss', key, store: true, ttlSeconds };
    } catch (error) {
      degradedTotal.inc({ component: 'cache' });
      this.logger.warn({ err: error, request_id: turn.context.requestId }, 'response cache lookup failed: bypassed');
      return { outcome: 'bypass', key, store: false, ttlSeconds };
    } finally {
      responseCacheLookupDuration.observe({ kind: 'exact' }, (performance.now() - started) / 1_000);
    }
  }

  private keyOf(turn: Turn): string {
    const { body, request, context } = turn;
    return exactCacheKey({
      tenantId: context.tenantId,
      userId: turn.cachePolicy.scope === 'user' ? context.userId : null,
      route: body.model,
      messages: request.messages.map((m) => ({
        role: m.role,
        content: m.content,
        ...('name' in m && m.name ? { name: m.name } : {}),
        ...('tool_call_id' in m ? { tool_call_id: m.tool_call_id } : {}),
        ...('tool_calls' in m && m.tool_calls ? { tool_calls: m.tool_calls } : {}),
      })),
      params: {
        tools: body.tools,
        tool_choice: body.tool_choice,
        response_format: (body as { response_format?: unknown }).response_format,
        temperature: body.temperature,
        top_p: body.top_p,
        max_tokens: maxTokensOf(body),
        stop: body.stop == null ? undefined : [body.stop].flat(),
        seed: body.seed,
        presence_penalty: body.presence_penalty,
        frequency_penalty: body.frequency_penalty,
      },
      templateVersion: null,
    });
  }
}
