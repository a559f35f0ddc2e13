import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiKeyScope, DEFAULT_API_KEY_SCOPES, modelGlob } from '@conduit/contracts';

export type Tier = 'free' | 'pro' | 'enterprise';
/** `tenant_admin` also manages the tenant's settings (webhook endpoints, policies, shared collections). */
export type UserRole = 'member' | 'tenant_admin';

/** Who is calling: resolved from the API key on every authenticated request. */
export interface Principal {
  tenantId: string;
  userId: string;
  apiKeyId: string;
  /** The user's tier (limits and budgets default by tier). */
  tier: Tier;
  tenantTier: Tier;
  /** The user's role in the tenant (absent in principals cached before roles existed: a member). */
  role?: UserRole;
  /** What the key may call (absent: the default scopes, see {@link hasScope}). */
  scopes?: readonly ApiKeyScope[];
  /** Model globs the key may call (absent or empty: every model). */
  allowedModels?: readonly string[];
  /** The key's own requests and tokens per minute (absent or null: the tier's). */
  keyRpm?: number | null;
  keyTpm?: number | null;
}

/** Whether the caller's key may call `model` (its allow-list holds model names and globs such as `gpt-4.1*`). */
export function mayUseModel(principal: Principal, model: string): boolean {
  const allowed = principal.allowedModels ?? [];
  return allowed.length === 0 || allowed.some((pattern) => modelGlob(pattern).test(model));
}

/** Whether the caller's key carries `scope`. */
export function hasScope(principal: Principal, scope: ApiKeyScope): boolean {
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
