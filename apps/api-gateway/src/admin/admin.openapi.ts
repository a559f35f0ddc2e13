import { tenantPolicyDocumentSchema } from '@conduit/contracts';
import type { OpenApiOperation } from '../docs/openapi.operation';
import {
  clearCapSchema,
  createAdminKeySchema,
  createKeySchema,
  createTenantSchema,
  createUserSchema,
  listKeysQuerySchema,
  listQuerySchema,
  purgeCacheSchema,
  setCapSchema,
  setPriceSchema,
  updateKeySchema,
  updateTenantSchema,
  updateUserSchema,
} from './admin.dto';

const tag = 'Admin';
const T = '/v1/admin/tenants/{tenant_id}';
const PLATFORM = ' (platform admins only)';

/**
 * The admin API in the OpenAPI document. Every route takes a platform admin key, the bootstrap
 * `ADMIN_API_KEY`, or an API key with the `admin` scope of a tenant admin (their own tenant only:
 * other tenants answer 404).
 */
export const ADMIN_OPERATIONS: OpenApiOperation[] = [
  { method: 'post', path: '/v1/admin/tenants', summary: `Create a tenant${PLATFORM}`, tag, body: createTenantSchema, success: 201 },
  { method: 'get', path: '/v1/admin/tenants', summary: `List tenants, paginated by \`after\`${PLATFORM}`, tag, query: listQuerySchema, success: 200 },
  { method: 'get', path: T, summary: 'Get a tenant', tag, pathParams: ['tenant_id'], success: 200 },
  { method: 'patch', path: T, summary: 'Rename a tenant; tier and `allow_unpriced_models` are for platform admins', tag, pathParams: ['tenant_id'], body: updateTenantSchema, success: 200 },
  { method: 'post', path: `${T}/suspend`, summary: 'Suspend a tenant: its keys get 403 `tenant_suspended` on every gateway within a second', tag, pathParams: ['tenant_id'], success: 200 },
  { method: 'post', path: `${T}/resume`, summary: 'Resume a suspended tenant (also one suspended by `on_cost_spike: suspend`)', tag, pathParams: ['tenant_id'], success: 200 },
  { method: 'get', path: `${T}/policy`, summary: "The tenant's policy document and version", tag, pathParams: ['tenant_id'], success: 200 },
  { method: 'put', path: `${T}/policy`, summary: 'Replace the policy document (400 `invalid_policy`, `param` = path of the bad field); `cors.allowed_origins` narrows the deployment\'s CORS origins for the tenant', tag, pathParams: ['tenant_id'], body: tenantPolicyDocumentSchema, success: 200 },
  { method: 'get', path: `${T}/budgets`, summary: "The tenant's stored budget cap overrides", tag, pathParams: ['tenant_id'], success: 200 },
  { method: 'put', path: `${T}/budgets`, summary: 'Set a daily or monthly cap of the tenant, a user or an API key (`cap_usd: null`: no cap); over it, calls get 402 `budget_exceeded` naming the cap', tag, pathParams: ['tenant_id'], body: setCapSchema, success: 200 },
  { method: 'post', path: `${T}/budgets/clear`, summary: 'Clear a cap override: the tier default applies again (an API key has none: no cap)', tag, pathParams: ['tenant_id'], body: clearCapSchema, success: 200 },
  { method: 'post', path: `${T}/users`, summary: 'Create a user', tag, pathParams: ['tenant_id'], body: createUserSchema, success: 201 },
  { method: 'get', path: `${T}/users`, summary: "List the tenant's users, paginated by `after`", tag, pathParams: ['tenant_id'], query: listQuerySchema, success: 200 },
  { method: 'get', path: `${T}/users/{user_id}`, summary: 'Get a user', tag, pathParams: ['tenant_id', 'user_id'], success: 200 },
  { method: 'patch', path: `${T}/users/{user_id}`, summary: "Change a user's tier, role or name", tag, pathParams: ['tenant_id', 'user_id'], body: updateUserSchema, success: 200 },
  { method: 'post', path: `${T}/users/{user_id}/suspend`, summary: "Suspend a user: their keys get 403 `user_suspended`", tag, pathParams: ['tenant_id', 'user_id'], success: 200 },
  { method: 'post', path: `${T}/users/{user_id}/resume`, summary: 'Resume a suspended user', tag, pathParams: ['tenant_id', 'user_id'], success: 200 },
  { method: 'get', path: `${T}/cache`, summary: "The tenant's response cache: entries and bytes held", tag, pathParams: ['tenant_id'], success: 200 },
  { method: 'post', path: `${T}/cache/purge`, summary: 'Purge the response cache: `{}` every entry, `{"key"}` one entry (its `x-conduit-cache-key`), `{"user_id"}` the entries of that user\'s requests; `deleted` counts them', tag, pathParams: ['tenant_id'], body: purgeCacheSchema, success: 200 },
  { method: 'post', path: `${T}/users/{user_id}/erase`, summary: 'Erase a user: sessions, messages, documents (chunks, vectors, blobs), jobs, long-term memories (and their vectors) and the response cache entries of their requests deleted, keys revoked, ledger rows kept anonymised (totals unchanged); idempotent and resumable', tag, pathParams: ['tenant_id', 'user_id'], success: 200 },
  { method: 'post', path: `${T}/keys`, summary: 'Create an API key: scopes, model allow-list, per-key RPM/TPM, expiry; the secret (`key`) is in this response only', tag, pathParams: ['tenant_id'], body: createKeySchema, success: 201 },
  { method: 'get', path: `${T}/keys`, summary: "List the tenant's API keys (never their secrets), optionally one user's", tag, pathParams: ['tenant_id'], query: listKeysQuerySchema, success: 200 },
  { method: 'get', path: `${T}/keys/{key_id}`, summary: 'Get an API key', tag, pathParams: ['tenant_id', 'key_id'], success: 200 },
  { method: 'patch', path: `${T}/keys/{key_id}`, summary: "Change a key's scopes, allow-list, limits, expiry or name (applied on every gateway within a second)", tag, pathParams: ['tenant_id', 'key_id'], body: updateKeySchema, success: 200 },
  { method: 'post', path: `${T}/keys/{key_id}/revoke`, summary: 'Revoke a key: refused (401) on every gateway within a second', tag, pathParams: ['tenant_id', 'key_id'], success: 200 },
  { method: 'get', path: '/v1/admin/prices', summary: 'The price list, every version, newest first per model', tag, success: 200 },
  { method: 'post', path: '/v1/admin/prices', summary: `Set a price version from \`effective_from\` (USD per 1M tokens)${PLATFORM}`, tag, body: setPriceSchema, success: 201 },
  { method: 'post', path: '/v1/admin/admin-keys', summary: `Create a platform admin key (stored hashed; the secret is in this response only)${PLATFORM}`, tag, body: createAdminKeySchema, success: 201 },
  { method: 'get', path: '/v1/admin/admin-keys', summary: `List platform admin keys${PLATFORM}`, tag, success: 200 },
  { method: 'post', path: '/v1/admin/admin-keys/{admin_key_id}/revoke', summary: `Revoke a platform admin key${PLATFORM}`, tag, pathParams: ['admin_key_id'], success: 200 },
];
