import { trace } from '@opentelemetry/api';
import { ConduitHeader } from '@conduit/contracts';
import { responseCacheRequests } from '@conduit/observability';
import type { CacheEntry } from '@conduit/response-cache';
import { ChatErrorCode, ChatException } from '../../../chat/chat.exception';
import type { Turn } from '../../turn';

/** The failures that end the fallback chain: every provider was tried (or its breaker is open). */
const EVERY_PROVIDER_FAILED: ReadonlySet<string> = new Set([ChatErrorCode.UpstreamUnavailable, ChatErrorCode.AllBreakersOpen]);

/**
 * The response cache as the last resort of the fallback chain: when the model call failed because
 * every provider failed, and the lookup kept an expired entry of the exact key within the tenant's
 * stale window (`cache.serve_stale_on_error`), that entry is the answer. The turn then reads as a
 * hit (recorded at zero cost, not stored again) with `x-conduit-cache: stale`. Otherwise
 * `undefined`: the caller rethrows the failure (the usual 502/503).
 */
export function staleAnswer(turn: Turn, error: unknown): CacheEntry | undefined {
  const stale = turn.cache?.stale;
  if (!stale || !turn.cache || !(error instanceof ChatException) || !EVERY_PROVIDER_FAILED.has(error.code)) return undefined;
  turn.cache = { ...turn.cache, outcome: 'stale', store: false, entry: stale };
  turn.headers[ConduitHeader.Cache] = 'stale';
  responseCacheRequests.inc({ kind: 'exact', outcome: 'stale' });
  trace.getActiveSpan()?.setAttribute('conduit.cache.outcome', 'stale');
  return stale;
}
