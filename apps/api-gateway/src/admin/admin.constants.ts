export const ADMIN_SETTINGS = Symbol('ADMIN_SETTINGS');

export interface AdminSettings {
  /** `ADMIN_API_KEY`: a bootstrap platform admin key from the environment (optional). */
  bootstrapKey?: string;
  /** `RESPONSE_CACHE_REDIS_URL` when the response cache has its own Redis (default: the app's `REDIS_URL`). */
  responseCacheRedisUrl?: string;
}
