import { z } from 'zod';
import { API_KEY_SCOPES } from '@conduit/contracts';
import type { PriceVersion, StoredCap } from '@conduit/budget';
import type { AdminKeyRecord, ApiKeyRecord, TenantRecord, UserRecord } from '@conduit/tenancy';
import { cursorParam, limitParam, unixSeconds } from '../sessions/list-page';

const tier = z.enum(['free', 'pro', 'enterprise']);
const role = z.enum(['member', 'tenant_admin']);
const seconds = (date: Date | null) => (date ? unixSeconds(date) : null);

export const listQuerySchema = z.strictObject({ limit: limitParam(20), after: cursorParam });
export type ListQuery = z.infer<typeof listQuerySchema>;

export const createTenantSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes (at most 63)'),
  tier: tier.default('free'),
});
export const updateTenantSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  tier: tier.optional(),
  allow_unpriced_models: z.boolean().optional(),
});

/** `POST /v1/admin/tenants/:id/cache/purge`: nothing (every entry), one entry's key, or a user. */
export const purgeCacheSchema = z
  .strictObject({
    key: z.string().regex(/^[0-9a-f]{64}$/, 'key is the 64 hex digits of an x-conduit-cache-key header').optional(),
    user_id: z.uuid().optional(),
  })
  .refine((body) => body.key === undefined || body.user_id === undefined, { message: 'give key or user_id, not both', path: ['user_id'] })
  .default({});
export type PurgeCacheRequest = z.output<typeof purgeCacheSchema>;

export const createUserSchema = z.strictObject({
  email: z.email().max(320).optional(),
  name: z.string().trim().min(1).max(200).optional(),
  tier: tier.default('free'),
  role: role.default('member'),
});
export const updateUserSchema = z.strictObject({ name: z.string().trim().min(1).max(200).optional(), tier: tier.optional(), role: role.optional() });

const modelPattern = z.string().min(1).max(200).regex(/^[\w.:/@*?-]+$/, 'must be a model name or glob');
const perMinute = z.number().int().min(1).max(1_000_000_000).nullable();
const keySettings = {
  name: z.string().trim().min(1).max(200).optional(),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).max(API_KEY_SCOPES.length).optional(),
  /** Empty: every model. */
  allowed_models: z.array(modelPattern).max(100).optional(),
  rpm: perMinute.optional(),
  tpm: perMinute.optional(),
  /** Unix seconds, or null for no expiry. */
  expires_at: z.number().int().positive().nullable().optional(),
};
export const createKeySchema = z.strictObject({ user_id: z.guid('must be a uuid'), ...keySettings });
export const updateKeySchema = z.strictObject(keySettings);
export const listKeysQuerySchema = z.strictObject({ limit: limitParam(20), after: cursorParam, user_id: z.guid('must be a uuid').optional() });

const capSubject = {
  scope: z.enum(['tenant', 'user', 'key']),
  /** The user's id (scope user) or the API key's id (scope key); the tenant's id is implied for scope tenant. */
  subject_id: z.guid('must be a uuid').optional(),
  period: z.enum(['daily', 'monthly']),
};
const userNeedsSubject = (cap: { scope: string; subject_id?: string }) => cap.scope === 'tenant' || cap.subject_id !== undefined;
const subjectRequired = { message: "a user's or API key's cap needs subject_id, the user's or key's id", path: ['subject_id'] };
export const setCapSchema = z
  .strictObject({
    ...capSubject,
    /** USD; null = explicitly no cap. */
    cap_usd: z.number().min(0).max(1e9).nullable(),
  })
  .refine(userNeedsSubject, subjectRequired);
export const clearCapSchema = z.strictObject(capSubject).refine(userNeedsSubject, subjectRequired);

const usdPerMtok = z.number().min(0).max(1e6);
export const setPriceSchema = z.strictObject({
  model: modelPattern,
  effective_from: z.iso.date().optional(),
  input: usdPerMtok,
  output: usdPerMtok,
  cached_input: usdPerMtok.nullable().optional(),
  /** Prompt-cache writes; null/absent: the provider's published ratio of `input`. */
  cache_write: usdPerMtok.nullable().optional(),
});

export const createAdminKeySchema = z.strictObject({ name: z.string().trim().min(1).max(200) });

export const toTenantObject = (t: TenantRecord) => ({
  object: 'tenant' as const,
  id: t.id,
  name: t.name,
  slug: t.slug,
  tier: t.tier,
  allow_unpriced_models: t.allowUnpricedModels,
  suspended: t.suspendedAt !== null,
  suspended_at: seconds(t.suspendedAt),
  suspended_reason: t.suspendedReason,
  created_at: unixSeconds(t.createdAt),
});

export const toUserObject = (u: UserRecord) => ({
  object: 'user' as const,
  id: u.id,
  tenant_id: u.tenantId,
  email: u.email,
  name: u.name,
  tier: u.tier,
  role: u.role,
  suspended: u.suspendedAt !== null,
  erased: u.erasedAt !== null,
  created_at: unixSeconds(u.createdAt),
});

export const toKeyObject = (k: ApiKeyRecord) => ({
  object: 'api_key' as const,
  id: k.id,
  tenant_id: k.tenantId,
  user_id: k.userId,
  name: k.name,
  prefix: k.prefix,
  scopes: k.scopes,
  allowed_models: k.allowedModels,
  rpm: k.rpm,
  tpm: k.tpm,
  created_at: unixSeconds(k.createdAt),
  last_used_at: seconds(k.lastUsedAt),
  expires_at: seconds(k.expiresAt),
  revoked: k.revokedAt !== null,
  revoked_at: seconds(k.revokedAt),
});

export const toAdminKeyObject = (k: AdminKeyRecord) => ({
  object: 'admin_key' as const,
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  created_by: k.createdBy,
  created_at: unixSeconds(k.createdAt),
  last_used_at: seconds(k.lastUsedAt),
  revoked: k.revokedAt !== null,
});

export const toCapObject = (c: StoredCap) => ({ object: 'budget_cap' as const, scope: c.scope, subject_id: c.subjectId, period: c.period, cap_usd: c.usd });

export const toPriceObject = (p: PriceVersion) => ({
  object: 'model_price' as const,
  model: p.model,
  effective_from: p.effectiveFrom,
  input: p.input,
  output: p.output,
  cached_input: p.cachedInput,
  cache_write: p.cacheWrite ?? null,
});

/** Unix seconds (or null) → a Date for the store. */
export function expiryOf(value: number | null | undefined): Date | null | undefined {
  return value === undefined ? undefined : value === null ? null : new Date(value * 1_000);
}
