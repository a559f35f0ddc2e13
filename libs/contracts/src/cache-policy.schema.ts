import { z } from 'zod';

/**
 * The `cache` section of a tenant's policy: the response cache (issue 17), exact or semantic. Off by default.
 * `scope: user` keys entries by user as well, so no user of the tenant is served another's answer.
 * `ttl_seconds` caps how long an entry lives (a request may ask for less); `max_entries` and
 * `max_bytes` cap what the tenant holds (the entries closest to expiry are evicted first).
 * Tool-call answers are never stored.
 */
/**
 * The semantic cache (`mode: semantic`): after an exact miss, the last user turn is embedded and
 * matched against the tenant's earlier ones with everything else equal (model route, system
 * prompt and earlier turns, tools, response_format, sampling parameters, template: a hash, as a
 * hard filter). A match at or above `threshold` (cosine similarity) is a hit. Conversations longer
 * than `max_messages` (user, assistant and tool messages) are looked up exactly only. The
 * deployment's bag-of-words hashing embedder cannot tell a negation or another number apart: the
 * semantic cache stays off with it unless `allow_hashing_embedder` forces it.
 */
export const semanticCachePolicySchema = z.strictObject({
  threshold: z.number().min(0.5).max(1).default(0.95),
  max_messages: z.number().int().min(1).max(64).default(1),
  allow_hashing_embedder: z.boolean().default(false),
});

/**
 * The retrieval cache (`cache.retrieval`, independent of `mode`): the chunks a RAG lookup returned
 * are kept for `ttl_seconds` under (tenant, collection, collection version, query, top_k, score
 * threshold, document filter, embedder) — and the user, for a private collection. A hit skips the
 * query embedding and the vector search. The collection's version changes with every document
 * indexed, deleted, re-ingested or erased in it, so a changed collection is never answered from
 * the cache.
 */
export const retrievalCachePolicySchema = z.strictObject({
  enabled: z.boolean().default(false),
  ttl_seconds: z.number().int().min(1).max(7 * 86_400).default(600),
});

export const cachePolicySchema = z.strictObject({
  mode: z.enum(['off', 'exact', 'semantic']).default('off'),
  scope: z.enum(['tenant', 'user']).default('tenant'),
  ttl_seconds: z.number().int().min(1).max(30 * 86_400).default(3_600),
  max_entries: z.number().int().min(1).max(1_000_000).default(10_000),
  max_bytes: z.number().int().min(1_024).max(1_073_741_824).default(50 * 1_048_576),
  /**
   * The last resort: when every provider of the chain failed, answer with the entry of the exact
   * key even past its TTL, up to `max_stale_seconds` after it expired (`x-conduit-cache: stale`).
   * Entries are then kept that much longer (and count against the caps meanwhile).
   */
  serve_stale_on_error: z.boolean().default(false),
  max_stale_seconds: z.number().int().min(1).max(30 * 86_400).default(86_400),
  semantic: semanticCachePolicySchema.prefault({}),
  retrieval: retrievalCachePolicySchema.prefault({}),
});
export type CachePolicy = z.output<typeof cachePolicySchema>;

export const DEFAULT_CACHE_POLICY: CachePolicy = Object.freeze(cachePolicySchema.parse({}));

/** `conduit.cache` of a chat request: the client may turn the cache off or ask for a shorter TTL, never more than the tenant allows. */
export const cacheRequestSchema = z.strictObject({
  mode: z.enum(['off', 'exact', 'semantic']).optional(),
  ttl: z.number().int().min(1).max(30 * 86_400).optional(),
});
export type CacheRequest = z.infer<typeof cacheRequestSchema>;
