export const ADMIN_SETTINGS = Symbol('ADMIN_SETTINGS');

export interface AdminSettings {
  /** `ADMIN_API_KEY`: a bootstrap platform admin key from the environment (optional). */
  bootstrapKey?: string;
  /** `RESPONSE_CACHE_REDIS_URL`: the response cache's own Redis; unset, the service's Redis (`REDIS_URL`). */
  responseCacheRedisUrl?: string;
}
