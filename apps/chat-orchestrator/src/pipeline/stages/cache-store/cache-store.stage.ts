import { Injectable, Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { PriceBook } from '@conduit/budget';
import { degradedTotal, responseCacheStores } from '@conduit/observability';
import type { CacheEntry } from '@conduit/response-cache';
import type { AnswerFilter } from '../../answer-filter';
import type { FinishedAnswer, PipelineStage } from '../../pipeline-stage';
import type { Turn } from '../../turn';
import { ResponseCache } from '../cache-lookup/response-cache';
import { SemanticCache } from '../cache-lookup/semantic-cache';

const STORABLE = new Set(['stop', 'length']);

/**
 * The response cache, store side (exact entry in Redis; for a semantic tenant, its prompt's vector too). Comes after the output guards in the list, so its answer
 * filter is the first to see the model's own text (before placeholders are put back: an entry never
 * holds another request's personal data). Stores only a complete answer that ended with
 * `finish_reason` `stop` or `length`: never an error, a cancelled or broken stream, a tool-call
 * answer or one the output guards stopped (`content_filter`), and never a hit again. Stored in the
 * background: the answer does not wait for Redis, and a failure only costs the entry.
 */
@Injectable()
export class CacheStoreStage implements PipelineStage {
  readonly name = 'cache_store';
  private readonly logger = new Logger(CacheStoreStage.name);
  private readonly texts = new WeakMap<Turn, { text: string }>();

  constructor(
    private readonly cache: ResponseCache,
    private readonly semantic: SemanticCache,
    private readonly prices: PriceBook,
  ) {}

  enabled(turn: Turn): boolean {
    return turn.cache?.store === true && turn.cache.key !== undefined;
  }

  answer(turn: Turn): AnswerFilter {
    const seen = { text: '' };
    this.texts.set(turn, seen);
    return {
      push: (text) => {
        seen.text += text;
        return { text };
      },
      end: () => ({ text: '' }),
    };
  }

  finish(turn: Turn, answer: FinishedAnswer): void {
    const key = turn.cache?.key;
    const seen = this.texts.get(turn);
    const finishReason = String(answer.metadata['finish_reason'] ?? '');
    const storable =
      key !== undefined &&
      seen !== undefined &&
      answer.status === 'complete' &&
      STORABLE.has(finishReason) &&
      answer.metadata['tool_calls'] === undefined &&
      answer.metadata['error'] === undefined &&
      seen.text !== '';
    trace.getActiveSpan()?.setAttribute('conduit.cache.stored', storable);
    if (!storable || !turn.cache) {
      responseCacheStores.inc({ kind: 'exact', result: 'skipped' });
      return;
    }
    const now = Date.now();
    const entry: CacheEntry = {
      v: 1,
      content: seen.text,
      finish_reason: finishReason as CacheEntry['finish_reason'],
      provider: answer.provider,
      model: answer.model,
      usage: answer.usage,
      cost_nano: answer.model ? this.prices.costOf(answer.model, answer.usage, new Date()).nano : 0,
      created_at: now,
      expires_at: now + turn.cache.ttlSeconds * 1_000,
    };
    const policy = turn.cachePolicy;
    // Kept past its freshness when the tenant serves stale answers; owned by the user whose request
    // created it (erasing that user removes it).
    const limits = { ttlSeconds: turn.cache.keepSeconds, maxEntries: policy.max_entries, maxBytes: policy.max_bytes };
    const semantic = turn.cache.semantic;
    this.cache
      .put(turn.context.tenantId, key, entry, limits, { userId: turn.context.userId })
      .then(
        async ({ stored }) => {
          responseCacheStores.inc({ kind: 'exact', result: stored ? 'stored' : 'skipped' });
          if (!stored || !semantic) return;
          // A semantic tenant's answer also gets its prompt's vector, pointing to the entry (fresh only: never stale).
          const row = { ...semantic.scope, key, createdBy: turn.context.userId, vector: semantic.vector, expiresAt: new Date(entry.expires_at ?? now) };
          await this.semantic.remember(row, policy.max_entries).then(
            () => responseCacheStores.inc({ kind: 'semantic', result: 'stored' }),
            (error: unknown) => {
              responseCacheStores.inc({ kind: 'semantic', result: 'failed' });
              this.logger.warn({ err: error, request_id: turn.context.requestId }, 'semantic cache store failed');
            },
          );
        },
        (error: unknown) => {
          responseCacheStores.inc({ kind: 'exact', result: 'failed' });
          degradedTotal.inc({ component: 'cache' });
          this.logger.warn({ err: error, request_id: turn.context.requestId }, 'response cache store failed');
        },
      );
  }
}
