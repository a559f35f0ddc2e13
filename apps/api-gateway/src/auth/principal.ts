import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiKeyScope, DEFAULT_API_KEY_SCOPES, modelGlob } from '@conduit/contracts';

export type Tier = 'free' | 'pro' | 'enterprise';
/** `tenant_admin` also manages the tenant's settings (webhook endpoints, policies, shared collections). */
export type UserRole = 'member' | 'tenant_admin';

/** Who is calling: resolved from the API key (or a tenant's JWT) on every authenticated request. */
export interface Principal {
  tenantId: string;
  userId: string;
  /** The API key used; null for a caller signed in with a tenant's JWT. */
  apiKeyId: string | null;
  /** The user's tier (limits and budgets default by tier). */
  tier: Tier;
  tenantTier: Tier;
  /** The user's role in the tenant (absent in principals cached before roles existed: a member). */
  role?: UserRole;
  /**
   * What the caller may call (absent: the default scopes, see {@link hasScope}). A JWT caller has
   * {@link JWT_SCOPES}; an end user named by a service key keeps the key's scopes.
   */
  scopes?: readonly ApiKeyScope[];
  /** Model globs the key may call (absent or empty: every model). */
  allowedModels?: readonly string[];
  /** The key's own requests and tokens per minute (absent or null: the tier's). */
  keyRpm?: number | null;
  keyTpm?: number | null;
  /** Set when the caller is an end user of the tenant's application: the id the application names them by. */
  externalUserId?: string;
}

/**
 * What a caller signed in with a tenant's JWT may call: the API (chat, documents, usage, jobs),
 * never the admin API and never naming other end users.
 */
export const JWT_SCOPES: readonly ApiKeyScope[] = ['chat', 'jobs', 'documents', 'usage'];

/** Whether the caller's key may call `model` (its allow-list holds model names and globs such as `gpt-4.1*`). */
export function mayUseModel(principal: Principal, model: string): boolean {
  const allowed = principal.allowedModels ?? [];
  return allowed.length === 0 || allowed.some((pattern) => modelGlob(pattern).test(model));
}

/** Whether the caller's key carries `scope`. */
export function hasScope(principal: Pick<Principal, 'scopes'>, scope: ApiKeyScope): boolean {
  return (principal.scopes ?? DEFAULT_API_KEY_SCOPES).includes(scope);
}

/** Whether the caller may manage the tenant's settings. */
export function isTenantAdmin(principal: Principal): boolean {
  return principal.role === 'tenant_admin';
}

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/** Injects the caller's principal into a handler parameter. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return request.principal;
});
