import { z } from 'zod';

/**
 * The `compat` section of a tenant's policy (and of an API key's override, `api_keys.<id>.compat`):
 * how strictly the OpenAI-compatible API holds requests to what Conduit knows.
 *
 * - `unknown_params`: a top-level field of `POST /v1/chat/completions` that Conduit does not know
 *   is refused with 400 `unsupported_parameter` naming it (`reject`, the default), or dropped and
 *   named in the `x-conduit-dropped-params` response header (`drop`, for clients that send fields
 *   of newer API versions). Fields Conduit knows but a provider cannot carry are refused either way.
 */
export const compatPolicySchema = z.strictObject({
  unknown_params: z.enum(['reject', 'drop']).default('reject'),
});
export type CompatPolicy = z.output<typeof compatPolicySchema>;

/** An API key's override: only the fields it sets replace the tenant's. */
export const compatPolicyOverrideSchema = z.strictObject({
  unknown_params: z.enum(['reject', 'drop']).optional(),
});
export type CompatPolicyOverride = z.output<typeof compatPolicyOverrideSchema>;

export const DEFAULT_COMPAT_POLICY: CompatPolicy = Object.freeze(compatPolicySchema.parse({}));

export function mergeCompatPolicy(base: CompatPolicy, override: CompatPolicyOverride | undefined): CompatPolicy {
  return override?.unknown_params !== undefined ? { ...base, unknown_params: override.unknown_params } : base;
}
