export { CACHE_KEY_VERSION, canonicalJson, exactCacheKey, filterHash, normaliseText } from './cache-key';
export type { CacheKeyInput, CacheKeyMessage } from './cache-key';
export { cacheEntrySchema, decodeEntry, encodeEntry } from './cache-entry';
export type { CacheEntry } from './cache-entry';
export { ResponseCacheStore } from './response-cache.store';
export type { CacheLimits } from './response-cache.store';
