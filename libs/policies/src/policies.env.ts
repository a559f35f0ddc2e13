import { z } from 'zod';

/** Environment of every service that reads tenant policies. */
export const policiesEnv = {
  /** Safety net only: a change is announced over Redis and applies as soon as it is heard. */
  POLICY_CACHE_TTL_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
};

export function policiesSettings(env: { POLICY_CACHE_TTL_MS: number }) {
  return { cacheTtlMs: env.POLICY_CACHE_TTL_MS };
}
