import { z } from 'zod';

/**
 * The `cache` section of a tenant's policy: the exact response cache (issue 17). Off by default.
 * `scope: user` keys entries by user as well, so no user of the tenant is served another's answer.
 * `ttl_seconds` caps how long an entry lives (a request may ask for less); `max_entries` and
 * `max_bytes` cap what the tenant holds (the entries closest to expiry are evicted first).
 * Tool-call answers are never stored.
 */
export const cachePolicySchema = z.strictObject({
  mode: z.enum(['off', 'exact']).default('off'),
  scope: z.enum(['tenant', 'user']).default('tenant'),
  ttl_seconds: z.number().int().min(1).max(30 * 86_400).default(3_600),
  max_entries: z.number().int().min(1).max(1_000_000).default(10_000),
  max_bytes: z.number().int().min(1_024).max(1_073_741_824).default(50 * 1_048_576),
});
export type CachePolicy = z.output<typeof cachePolicySchema>;

export const DEFAULT_CACHE_POLICY: CachePolicy = Object.freeze(cachePolicySchema.parse({}));

/** `conduit.cache` of a chat request: the client may turn the cache off or ask for a shorter TTL, never more than the tenant allows. */
export const cacheRequestSchema = z.strictObject({
  mode: z.enum(['off', 'exact', 'semantic']).optional(),
  ttl: z.number().int().min(1).max(30 * 86_400).optional(),
});
export type CacheRequest = z.infer<typeof cacheRequestSchema>;
