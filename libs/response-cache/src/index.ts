export { CACHE_KEY_VERSION, canonicalJson, exactCacheKey, filterHash, normaliseText, semanticParts } from './cache-key';
export type { CacheKeyInput, CacheKeyMessage } from './cache-key';
export { cacheEntrySchema, decodeEntry, encodeEntry, isExpired } from './cache-entry';
export type { CacheEntry } from './cache-entry';
export { ResponseCacheStore } from './response-cache.store';
export type { CacheEntryOwner, CacheLimits } from './response-cache.store';
export { SemanticCacheStore } from './semantic-cache.store';
export type { SemanticMatch, SemanticScope, SemanticVector } from './semantic-cache.store';
export { RetrievalCacheStore } from './retrieval-cache.store';
