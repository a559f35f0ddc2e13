import { Injectable, Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { PriceBook } from '@conduit/budget';
import { degradedTotal, responseCacheStores } from '@conduit/observability';
import type { CacheEntry } from '@conduit/response-cache';
import type { AnswerFilter } from '../../answer-filter';
import type { FinishedAnswer, PipelineStage } from '../../pipeline-stage';
import type { Turn } from '../../turn';
import { ResponseCache } from '../cache-lookup/response-cache';

const STORABLE = new Set(['stop', 'length']);

/**
 * The exact response cache, store side. Comes after the output guards in the list, so its answer
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
    const entry: CacheEntry = {
      v: 1,
      content: seen.text,
      finish_reason: finishReason as CacheEntry['finish_reason'],
      provider: answer.provider,
      model: answer.model,
      usage: answer.usage,
      cost_nano: answer.model ? this.prices.costOf(answer.model, answer.usage, new Date()).nano : 0,
      created_at: Date.now(),
    };
    const policy = turn.cachePolicy;
    this.cache
      .put(turn.context.tenantId, key, entry, { ttlSeconds: turn.cache.ttlSeconds, maxEntries: policy.max_entries, maxBytes: policy.max_bytes })
      .then(
        ({ stored }) => responseCacheStores.inc({ kind: 'exact', result: stored ? 'stored' : 'skipped' }),
        (error: unknown) => {
          responseCacheStores.inc({ kind: 'exact', result: 'failed' });
          degradedTotal.inc({ component: 'cache' });
          this.logger.warn({ err: error, request_id: turn.context.requestId }, 'response cache store failed');
        },
      );
  }
}
